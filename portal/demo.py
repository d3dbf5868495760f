"""Believable security data for the demo tenants, added when `seed_demo` runs."""

from __future__ import annotations

import random
from datetime import timedelta

from django.dispatch import receiver
from django.utils import timezone

from accounts.demo import demo_seeded
from accounts.models import Tenant
from portal.models import Alert, Device, HealthIssue, Identity, Incident

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
    """Each tenant gets its data once; a tenant that has alerts is left as it is."""
    done = []
    for index, tenant in enumerate(tenants.values()):
        if not Alert.objects.filter(tenant=tenant).exists():
            _seed_security_data(tenant, random.Random(index + 1))
            done.append(f"security data of {tenant.name}")
    return done


def _seed_security_data(tenant: Tenant, rng: random.Random) -> None:
    now = timezone.now()
    suffix = tenant.domain.split(".")[0]
    identities = Identity.objects.bulk_create(
        Identity(
            tenant=tenant,
            display_name=f"{first} {last}",
            account_name=f"{first[0]}{last}".lower(),
            upn=f"{first}.{last}@{tenant.domain}".lower(),
            department=rng.choice(DEPARTMENTS),
            job_title=rng.choice(TITLES),
            is_sensitive=rng.random() < 0.2,
            risk_level=rng.choice(("high", "medium", "low", "low")),
            created_at=now - timedelta(days=rng.randint(30, 700)),
        )
        for first, last in zip(FIRST_NAMES, rng.sample(LAST_NAMES, len(FIRST_NAMES)), strict=True)
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
            last_seen_at=now - timedelta(minutes=rng.randint(1, 3000)),
        )
        for name in [f"DC{n:02d}" for n in range(1, 4)]
        + [f"{suffix.upper()}-WS{n:03d}" for n in rng.sample(range(100, 999), 15)]
    )
    incidents = Incident.objects.bulk_create(
        Incident(
            tenant=tenant,
            title=title,
            severity=severity,
            status=status,
            created_at=now - timedelta(hours=rng.randint(2, 400)),
        )
        for title, severity, status in (
            (
                "Multi-stage incident involving credential access and lateral movement",
                "high",
                "new",
            ),
            ("Reconnaissance from a workstation", "low", "in_progress"),
            ("Persistence on a domain controller", "high", "in_progress"),
            ("Brute-force attempts against service accounts", "medium", "resolved"),
            ("Suspicious group membership changes", "medium", "new"),
        )
    )
    alerts = []
    for _ in range(48):
        title, category, severity = rng.choice(ALERT_KINDS)
        identity = rng.choice(identities)
        device = rng.choice(devices)
        detected = now - timedelta(minutes=rng.randint(5, 60 * 24 * 30))
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
                status=rng.choice(("new", "new", "in_progress", "resolved")),
                detected_at=detected,
                updated_at=detected + timedelta(minutes=rng.randint(0, 600)),
                identity=identity,
                device=device,
                incident=rng.choice([*incidents, None, None]),
            )
        )
    Alert.objects.bulk_create(alerts)
    HealthIssue.objects.bulk_create(
        HealthIssue(
            tenant=tenant,
            title=title,
            kind=kind,
            severity=severity,
            description=description,
            recommendation=recommendation,
            status=rng.choice(("open", "open", "closed")),
            sensor=rng.choice(devices[:3]).name if kind == "sensor" else "",
            created_at=now - timedelta(hours=rng.randint(1, 300)),
        )
        for title, kind, severity, description, recommendation in HEALTH_KINDS
    )
