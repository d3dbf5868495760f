"""Believable security data for the demo tenants, added when `seed_demo` runs."""

from __future__ import annotations

import random
from datetime import timedelta

from django.dispatch import receiver
from django.utils import timezone

from accounts.demo import ACCOUNTS, demo_seeded
from accounts.models import Tenant
from portal.demo_groups import seed_groups
from portal.models import Alert, Device, Group, HealthIssue, Identity, Incident, ServiceSource

ALERT_KINDS = (
    ("Suspected DCSync attack (replication of directory services)", "Credential access", "high"),
    ("Suspected Golden Ticket usage (encryption downgrade)", "Persistence", "high"),
    ("Suspected skeleton key attack (encryption downgrade)", "Persistence", "high"),
    ("Suspected identity theft (pass-the-ticket)", "Lateral movement", "high"),
    ("Suspected overpass-the-hash attack (Kerberos)", "Lateral movement", "medium"),
    ("Suspected brute-force attack (LDAP)", "Credential access", "medium"),
    ("Suspected AS-REP Roasting attack", "Credential access", "medium"),
    ("Suspected Kerberos SPN exposure", "Credential access", "medium"),
    ("Suspicious additions to sensitive groups", "Privilege escalation", "medium"),
    ("Remote code execution attempt", "Execution", "medium"),
    ("Data exfiltration over SMB", "Exfiltration", "high"),
    ("Honeytoken activity", "Credential access", "medium"),
    ("Suspicious VPN connection", "Initial access", "low"),
    ("Network-mapping reconnaissance (DNS)", "Discovery", "low"),
    ("User and IP address reconnaissance (SMB)", "Discovery", "low"),
    ("Security principal reconnaissance (LDAP)", "Discovery", "low"),
    ("Account enumeration reconnaissance", "Discovery", "informational"),
)

HEALTH_KINDS = (
    (
        "Sensor stopped communicating",
        "sensor",
        "high",
        "The sensor has not sent traffic to the workspace for over 2 hours.",
        "Check the sensor service is running and that the server reaches the workspace.",
    ),
    (
        "Directory services user credentials are incorrect",
        "global",
        "high",
        "The sensors cannot query the domain with the configured directory services account.",
        "Update the directory services account's password in Configuration.",
    ),
    (
        "Some domain controllers are unreachable by a sensor",
        "sensor",
        "medium",
        "A sensor cannot reach one or more domain controllers over LDAP.",
        "Check the firewall rules between the sensor and the domain controllers.",
    ),
    (
        "Sensor outdated",
        "sensor",
        "medium",
        "A sensor runs a version more than three releases behind.",
        "Let the sensor update itself, or update it by hand during a maintenance window.",
    ),
    (
        "Low success rate of active name resolution",
        "sensor",
        "low",
        "Fewer than 10% of name resolution attempts succeeded in the last day.",
        "Check NTLM over RPC, NetBIOS and RDP ports toward the devices.",
    ),
    (
        "Some Windows events are not being analyzed",
        "sensor",
        "low",
        "Events expected from the domain controller's event log are missing.",
        "Check the advanced audit policy on the domain controllers.",
    ),
)

FIRST_NAMES = (
    "Alex",
    "Diego",
    "Grady",
    "Henrietta",
    "Irvin",
    "Johanna",
    "Joni",
    "Lidia",
    "Lynne",
    "Miriam",
    "Patti",
    "Debra",
    "Christie",
    "Enrico",
    "Allan",
    "Emily",
)
LAST_NAMES = (
    "Wilber",
    "Siciliani",
    "Archie",
    "Mueller",
    "Sayavong",
    "Lorenz",
    "Sherman",
    "Holloway",
    "Robbins",
    "Graham",
    "Fernandez",
    "Berg",
    "Cline",
    "Cattaneo",
    "Deyoung",
    "Braun",
)
DEPARTMENTS = ("Finance", "Sales", "Engineering", "Legal", "Operations", "IT", "Marketing", "HR")
TITLES = ("Analyst", "Manager", "Engineer", "Director", "Specialist", "Administrator")


@receiver(demo_seeded, dispatch_uid="portal.seed_security_data")
def seed_security_data(sender, tenants: dict[str, Tenant], **kwargs) -> list[str]:
    """Each tenant gets its data once per product; a product's alerts already there are
    left as they are. The endpoints' alerts come second: they are raised on the devices,
    and by the people, that the identity sensors' data holds."""
    done = []
    for index, tenant in enumerate(tenants.values()):
        alerts = Alert.objects.filter(tenant=tenant)
        if not alerts.filter(service_source=ServiceSource.IDENTITY).exists():
            _seed_security_data(tenant, random.Random(index + 1))
            done.append(f"security data of {tenant.name}")
        if not alerts.filter(service_source=ServiceSource.ENDPOINT).exists():
            _seed_endpoint_alerts(tenant, random.Random(f"endpoint:{tenant.domain}"))
            done.append(f"endpoint alerts of {tenant.name}")
        if not Group.objects.filter(tenant=tenant).exists():
            seed_groups(tenant, random.Random(f"groups:{tenant.domain}"))
            done.append(f"directory groups of {tenant.name}")
    return done


# Each incident with the alert categories it gathers; an alert of another category stays
# outside it, so an incident's name always says what its alerts are.
INCIDENTS = (
    (
        "Multi-stage incident involving credential access and lateral movement",
        ("Credential access", "Lateral movement"),
        "new",
    ),
    ("Reconnaissance from a workstation", ("Discovery",), "in_progress"),
    ("Persistence on a domain controller", ("Persistence",), "in_progress"),
    ("Data exfiltration after execution on a workstation", ("Execution", "Exfiltration"), "new"),
    ("Suspicious group membership changes", ("Privilege escalation",), "resolved"),
)
SEVERITY_RANK = {"informational": 0, "low": 1, "medium": 2, "high": 3}
PRIORITY_OF_UNALERTED = "low"
# A sensor whose "stopped communicating" issue is open was last heard from this long ago.
SILENT_SENSOR_AGE = timedelta(hours=3)
STOPPED_COMMUNICATING = HEALTH_KINDS[0][0]


def _seed_security_data(tenant: Tenant, rng: random.Random) -> None:
    now = timezone.now()
    suffix = tenant.domain.split(".")[0]
    # The demo accounts' own people are in the directory the sensors watch, beside the rest.
    people = [
        (account.display_name, account.email.split("@")[0], account.email)
        for account in ACCOUNTS
        if account.tenant_domain == tenant.domain
    ] + [
        (f"{first} {last}", f"{first[0]}{last}".lower(), f"{first}.{last}@{tenant.domain}".lower())
        for first, last in zip(FIRST_NAMES, rng.sample(LAST_NAMES, len(FIRST_NAMES)), strict=True)
    ]
    identities = Identity.objects.bulk_create(
        Identity(
            tenant=tenant,
            display_name=name,
            account_name=account_name,
            upn=upn,
            department=rng.choice(DEPARTMENTS),
            job_title=rng.choice(TITLES),
            is_sensitive=rng.random() < 0.2,
            risk_level=PRIORITY_OF_UNALERTED,  # raised below to match the identity's alerts
            created_at=now - timedelta(days=rng.randint(30, 700)),
        )
        for name, account_name, upn in people
    )
    devices = Device.objects.bulk_create(
        Device(
            tenant=tenant,
            name=name,
            dns_name=f"{name.lower()}.{tenant.domain}",
            os="Windows Server 2022"
            if name.startswith("DC")
            else rng.choice(
                ("Windows 11 Enterprise", "Windows 10 Enterprise", "Windows Server 2019")
            ),
            ip_address=f"10.{rng.randint(0, 9)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}",
            is_domain_controller=name.startswith("DC"),
            last_seen_at=now - timedelta(minutes=rng.randint(1, 90)),
        )
        for name in [f"DC{n:02d}" for n in range(1, 4)]
        + [f"{suffix.upper()}-WS{n:03d}" for n in rng.sample(range(100, 999), 15)]
    )
    domain_controllers = devices[:3]
    incidents = Incident.objects.bulk_create(
        Incident(
            tenant=tenant,
            title=title,
            severity="low",  # set below from its alerts
            status=status,
            created_at=now - timedelta(days=30, hours=rng.randint(0, 48)),
        )
        for title, _categories, status in INCIDENTS
    )
    incident_of = {
        category: incident
        for incident, (_title, categories, _status) in zip(incidents, INCIDENTS, strict=True)
        for category in categories
    }
    alerts = []
    for _ in range(48):
        title, category, severity = rng.choice(ALERT_KINDS)
        identity = rng.choice(identities)
        incident = incident_of.get(category) if rng.random() < 0.6 else None
        # Persistence on a domain controller happens on domain controllers.
        on_dc = incident is not None and "domain controller" in incident.title
        device = rng.choice(domain_controllers if on_dc else devices)
        detected = now - timedelta(minutes=rng.randint(5, 60 * 24 * 30))
        if incident is not None:
            # An incident is created with its first alert, never after it.
            incident.created_at = min(incident.created_at, detected)
        status = rng.choice(("new", "new", "in_progress", "resolved"))
        if incident is not None and incident.status == "resolved":
            status = "resolved"  # a resolved incident has no open alert
        alerts.append(
            Alert(
                tenant=tenant,
                title=title,
                description=(
                    f"{identity.display_name} on {device.name} ({device.ip_address}) showed "
                    f"activity matching '{title.lower()}'. Review the account's recent "
                    "sign-ins and the device's processes."
                ),
                category=category,
                severity=severity,
                status=status,
                suppressed=status == "resolved" and severity == "informational",
                detected_at=detected,
                updated_at=detected + timedelta(minutes=rng.randint(0, 600)),
                identity=identity,
                device=device,
                incident=incident,
            )
        )
    Alert.objects.bulk_create(alerts)
    _agree_with_alerts(alerts, identities, incidents)
    issues = HealthIssue.objects.bulk_create(
        HealthIssue(
            tenant=tenant,
            title=title,
            kind=kind,
            severity=severity,
            description=description,
            recommendation=recommendation,
            status=rng.choice(("open", "open", "closed")),
            sensor=rng.choice(domain_controllers).name if kind == "sensor" else "",
            created_at=now - timedelta(hours=rng.randint(1, 300)),
        )
        for title, kind, severity, description, recommendation in HEALTH_KINDS
    )
    for issue in issues:
        if issue.title == STOPPED_COMMUNICATING and issue.status == "open":
            silent = next(dc for dc in domain_controllers if dc.name == issue.sensor)
            silent.last_seen_at = issue.created_at = now - SILENT_SENSOR_AGE
            silent.save(update_fields=["last_seen_at"])
            issue.save(update_fields=["created_at"])


def _agree_with_alerts(alerts: list[Alert], identities, incidents) -> None:
    """An identity's investigation priority and an incident's severity follow their alerts."""
    worst: dict[int, str] = {}
    for alert in alerts:
        if alert.status != "resolved":
            key = alert.identity.pk
            if SEVERITY_RANK[alert.severity] > SEVERITY_RANK[worst.get(key, "informational")]:
                worst[key] = alert.severity
    for identity in identities:
        identity.risk_level = worst.get(identity.pk, PRIORITY_OF_UNALERTED)
        if identity.risk_level == "informational":
            identity.risk_level = PRIORITY_OF_UNALERTED
    Identity.objects.bulk_update(identities, ["risk_level"])
    for incident in incidents:
        severities = [a.severity for a in alerts if a.incident is incident] or ["low"]
        incident.severity = max(severities, key=SEVERITY_RANK.__getitem__)
    Incident.objects.bulk_update(incidents, ["severity", "created_at"])


# (title, category, severity, detection source): what Defender for Endpoint raises on devices.
ENDPOINT_ALERT_KINDS = (
    ("Suspicious PowerShell command line", "Execution", "medium", "edr"),
    ("Suspicious file dropped and launched", "Execution", "medium", "edr"),
    ("Suspicious access to LSASS service", "Credential access", "high", "edr"),
    ("'Mimikatz' credential theft tool was detected", "Credential access", "high", "antivirus"),
    ("Suspicious remote service installation", "Lateral movement", "medium", "edr"),
    ("Anomalous account lookups", "Discovery", "low", "edr"),
    ("Possible exfiltration of archived data", "Exfiltration", "medium", "edr"),
    ("Ransomware behavior detected in the file system", "Ransomware", "high", "edr"),
    ("Suspicious process injection observed", "Defense evasion", "medium", "edr"),
    ("'Trickbot' malware was prevented", "Malware", "medium", "antivirus"),
    (
        "'Presenoker' unwanted software was detected",
        "Unwanted software",
        "informational",
        "antivirus",
    ),
    ("Connection to a custom network indicator", "Command and control", "medium", "custom_ti"),
    ("Malicious URL blocked for a user", "Initial access", "low", "smartscreen"),
    (
        "Suspicious file quarantined by an automated investigation",
        "Malware",
        "low",
        "automated_investigation",
    ),
)
# Incidents of the endpoints' own; an endpoint alert of a category an identity incident
# gathers joins that one instead, as the Defender portal correlates across products.
ENDPOINT_INCIDENTS = (
    ("Ransomware activity on one endpoint", ("Ransomware", "Defense evasion"), "new"),
    (
        "Malware and unwanted software on several endpoints",
        ("Malware", "Unwanted software"),
        "in_progress",
    ),
    ("Command and control traffic to a known indicator", ("Command and control",), "resolved"),
)
# Contoso is the busy demo tenant; the others get a few.
ENDPOINT_ALERTS = {"contoso.example": 36}
ENDPOINT_ALERTS_OTHERWISE = 8


def _seed_endpoint_alerts(tenant: Tenant, rng: random.Random) -> None:
    now = timezone.now()
    workstations = list(Device.objects.filter(tenant=tenant, is_domain_controller=False))
    identities = list(Identity.objects.filter(tenant=tenant))
    if not workstations or not identities:
        return
    # Each workstation has its usual user: the demo accounts' people first.
    people = sorted(identities, key=lambda identity: not identity.upn.endswith(tenant.domain))
    user_of = {device.pk: people[n % len(people)] for n, device in enumerate(workstations)}
    # Found again rather than doubled when only the alerts were gone.
    own = [
        Incident.objects.get_or_create(
            tenant=tenant,
            title=title,
            defaults={
                "severity": "low",  # set below from its alerts
                "status": status,
                "created_at": now - timedelta(days=20, hours=rng.randint(0, 48)),
            },
        )[0]
        for title, _categories, status in ENDPOINT_INCIDENTS
    ]
    incident_of = {
        category: incident
        for incident, (_title, categories, _status) in zip(own, ENDPOINT_INCIDENTS, strict=True)
        for category in categories
    }
    # Identity incidents seen from a workstation; not those on domain controllers.
    for incident in Incident.objects.filter(tenant=tenant).exclude(pk__in=[i.pk for i in own]):
        definition = next((i for i in INCIDENTS if i[0] == incident.title), None)
        if definition is not None and "domain controller" not in incident.title:
            for category in definition[1]:
                incident_of.setdefault(category, incident)
    alerts = []
    for _ in range(ENDPOINT_ALERTS.get(tenant.domain, ENDPOINT_ALERTS_OTHERWISE)):
        title, category, severity, detection_source = rng.choice(ENDPOINT_ALERT_KINDS)
        device = rng.choice(workstations)
        identity = user_of[device.pk]
        incident = incident_of.get(category) if rng.random() < 0.6 else None
        detected = now - timedelta(minutes=rng.randint(5, 60 * 24 * 30))
        status = rng.choice(("new", "new", "in_progress", "resolved"))
        if incident is not None and incident.status == "resolved":
            status = "resolved"  # a resolved incident has no open alert
        if incident is not None and detected < incident.created_at:
            incident.created_at = detected  # an incident is created with its first alert
        alerts.append(
            Alert(
                tenant=tenant,
                service_source=ServiceSource.ENDPOINT,
                detection_source=detection_source,
                title=title,
                description=(
                    f"{device.name} ({device.ip_address}), signed in as "
                    f"{identity.account_name}, showed activity matching '{title.lower()}'. "
                    "Review the device timeline around that time and isolate the device if "
                    "the activity is confirmed."
                ),
                category=category,
                severity=severity,
                status=status,
                detected_at=detected,
                updated_at=detected + timedelta(minutes=rng.randint(0, 600)),
                identity=identity,
                device=device,
                incident=incident,
            )
        )
    Alert.objects.bulk_create(alerts)
    _raise_to_endpoint_alerts(alerts)


def _raise_to_endpoint_alerts(alerts: list[Alert]) -> None:
    """An identity's priority and an incident's severity also follow its endpoint alerts."""
    identities: dict[int, Identity] = {}
    incidents: dict[int, Incident] = {}
    for alert in alerts:
        if alert.status != "resolved":
            identity = identities.setdefault(alert.identity.pk, alert.identity)
            identity.risk_level = _worse(identity.risk_level, alert.severity)
        if alert.incident is not None:
            incident = incidents.setdefault(alert.incident.pk, alert.incident)
            incident.severity = _worse(incident.severity, alert.severity)
    Identity.objects.bulk_update(identities.values(), ["risk_level"])
    Incident.objects.bulk_update(incidents.values(), ["severity", "created_at"])


def _worse(first: str, second: str) -> str:
    return max(first, second, key=SEVERITY_RANK.__getitem__)
