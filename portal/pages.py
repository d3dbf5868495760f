"""What the portals' pages share: the signed-in tenant, and the data each page shows.

A former portal shows one Defender product's alerts (its ``source``); the Defender portal
shows every product's (no source).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from http import HTTPStatus

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from accounts.models import Tenant
from portal.alert_list import alert_page
from portal.forms import AlertFilterForm, AlertQueueFilterForm
from portal.models import (
    UNRESOLVED,
    Alert,
    AlertStatus,
    Device,
    Group,
    HealthIssue,
    Identity,
    Incident,
    ServiceSource,
    Severity,
)
from portal.routes import clean_search_text

# A list opens on the latest few alerts; "Show more" asks for as many again, up to the limit.
# The timeline's cards are tall (ten fill a screen), the Defender queue's rows short.
TIMELINE_FIRST = 10
QUEUE_FIRST = 20
ALERT_LIST_LIMIT = 100
SEARCH_LIMIT = 25
SENSOR_VERSION = "2.221.17053.28460"
WORKSPACE_NAMESPACE = uuid.UUID("6f1f2c1e-3b5e-4f55-9b1e-6a1f8c0d7e21")


def tenant_page(view: Callable) -> Callable:
    """Give the view the signed-in account's tenant id; an account with none gets a 403 page.

    Support staff belong to no tenant: they have no security data to browse here.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        tenant_id = request.user.tenant_id
        if tenant_id is None:
            return render(request, f"{request.portal}/no_tenant.html", status=HTTPStatus.FORBIDDEN)
        return view(request, tenant_id, *args, **kwargs)

    return wrapper


def tenant_alerts(tenant_id: int, source: str | None = None) -> QuerySet:
    """A tenant's alerts, of one service source when a portal shows only that product's."""
    rows = Alert.objects.for_tenant(tenant_id)
    return rows.filter(service_source=source) if source else rows


def filtered_alerts(
    request: HttpRequest,
    tenant_id: int,
    form_class: type[AlertFilterForm] = AlertQueueFilterForm,
    *,
    first: int,
    source: str | None = None,
) -> dict:
    """The alert list with the request's filters applied: one query for the rows, one count.

    As the classic portal's timeline did, the page opens on the latest alerts and offers
    "Show more", a plain link (so it works without JavaScript) to the same list with more.
    """
    form = form_class(request.GET)
    shown = alerts_to_show(request.GET.get("shown"), first)
    alerts, count = alert_page(form.filter(tenant_alerts(tenant_id, source)), shown)
    more_url = None
    if shown < min(count, ALERT_LIST_LIMIT):
        query = request.GET.copy()
        query["shown"] = str(alerts_to_show(shown + first, first))
        more_url = f"?{query.urlencode()}"
    return {
        "filter_form": form,
        "alerts": alerts,
        "alert_count": count,
        "alert_limit": shown,
        "more_url": more_url,
    }


def alerts_to_show(asked: str | int | None, first: int) -> int:
    """How many alerts a list shows: the first few unless more were asked for, never past the
    limit (a hand-written number outside that range is brought back into it)."""
    try:
        wanted = int(asked)
    except (TypeError, ValueError):
        return first
    return min(max(wanted, first), ALERT_LIST_LIMIT)


def alert_detail(
    tenant_id: int, alert_id: int, source: str | None = None, *, triage: bool = False
) -> Alert:
    """One alert of the tenant, with what its page names; with ``triage``, its assignee too
    (the Defender portal's Manage alert panel)."""
    related = ("identity", "device", "incident", *(("assigned_to",) if triage else ()))
    rows = tenant_alerts(tenant_id, source).select_related(*related)
    return get_object_or_404(rows, pk=alert_id)


def _of_source(alerts: QuerySet, source: str | None) -> QuerySet:
    return alerts.filter(service_source=source) if source else alerts


@dataclass(frozen=True)
class Evidence:
    """One thing an alert names, and the part it played."""

    kind: str
    name: str
    url: str
    role: str
    detail: str = ""


def alert_evidence(alert: Alert) -> list[Evidence]:
    """The identity, the device and its address an alert names, each with its role.

    An identity sensor sees the account act from the device; an endpoint alert happens on it.
    """
    on_endpoint = alert.service_source == ServiceSource.ENDPOINT
    evidence = []
    if alert.identity is not None:
        identity = alert.identity
        evidence.append(
            Evidence(
                "User",
                identity.display_name,
                f"/identities/{identity.pk}",
                "Impacted",
                identity.upn,
            )
        )
    if alert.device is not None:
        device = alert.device
        evidence.append(
            Evidence(
                "Device",
                device.name,
                f"/machines/{device.pk}",
                "Impacted" if on_endpoint else "Source",
                device.os,
            )
        )
        evidence.append(Evidence("IP address", device.ip_address, "", "Related", device.name))
    return evidence


IDENTITY_TABS = (
    ("overview", "Overview"),
    ("alerts", "Incidents and alerts"),
    ("observed", "Observed in organization"),
    ("timeline", "Timeline"),
)


@dataclass(frozen=True)
class Observed:
    """A device an identity was seen on in its alerts, and when."""

    device: Device
    alerts: int
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str
    text: str
    alert: Alert | None = None


def tab_asked(tabs: tuple[tuple[str, str], ...], value: str | None) -> str:
    """The tab of an entity's page asked for, or the first: an unknown one opens the
    overview, as a bare link."""
    return value if value in dict(tabs) else tabs[0][0]


def identity_profile(tenant_id: int, identity_id: int, source: str | None = None) -> dict:
    """Everything an identity's page and each of its tabs shows, in the same three queries."""
    identity = get_object_or_404(Identity.objects.for_tenant(tenant_id), pk=identity_id)
    alerts = list(
        _of_source(identity.alerts, source)
        .select_related("device", "incident")
        .order_by("-detected_at", "-pk")
    )
    observed: dict[int, Observed] = {}
    for alert in reversed(alerts):  # oldest first: the first sighting is the first one kept
        if alert.device is None:
            continue
        seen = observed.get(alert.device_id)
        observed[alert.device_id] = Observed(
            device=alert.device,
            alerts=(seen.alerts if seen else 0) + 1,
            first_seen=seen.first_seen if seen else alert.detected_at,
            last_seen=max(seen.last_seen, alert.updated_at) if seen else alert.updated_at,
        )
    devices = sorted(observed.values(), key=lambda row: row.last_seen, reverse=True)
    locations = sorted({row.device.ip_address for row in devices})
    timeline = [TimelineEvent(identity.created_at, "Identity", "First seen in the organization")]
    for alert in alerts:
        timeline.append(TimelineEvent(alert.detected_at, "Alert", alert.title, alert))
        if alert.updated_at > alert.detected_at:
            timeline.append(TimelineEvent(alert.updated_at, "Activity", alert.title, alert))
    timeline.sort(key=lambda event: event.at, reverse=True)
    return {
        "identity": identity,
        "groups": list(identity.groups.all()),
        "alerts": alerts,
        "devices": _distinct(a.device for a in alerts),
        "incidents": _distinct(a.incident for a in alerts),
        "open_alerts": sum(alert.status in UNRESOLVED for alert in alerts),
        "observed": devices,
        "locations": locations,
        "timeline": timeline,
    }


def device_profile(tenant_id: int, device_id: int, source: str | None = None) -> dict:
    device = get_object_or_404(Device.objects.for_tenant(tenant_id), pk=device_id)
    alerts = list(
        _of_source(device.alerts, source)
        .select_related("identity", "incident")
        .order_by("-detected_at")
    )
    return {
        "device": device,
        "alerts": alerts,
        "identities": _distinct(a.identity for a in alerts),
    }


def _distinct(rows) -> list:
    seen = {}
    for row in rows:
        if row is not None:
            seen.setdefault(row.pk, row)
    return list(seen.values())


GROUP_TABS = (("overview", "Overview"), ("members", "Members"), ("timeline", "Timeline"))


def group_profile(tenant_id: int, group_id: int) -> dict:
    """A directory group, its members and the changes of its members: three queries."""
    group = get_object_or_404(Group.objects.for_tenant(tenant_id), pk=group_id)
    return {
        "group": group,
        "members": list(group.members.order_by("display_name", "pk")),
        "changes": list(group.changes.select_related("member", "changed_by", "domain_controller")),
    }


@dataclass(frozen=True)
class SearchResults:
    text: str
    identities: list[Identity]
    devices: list[Device]
    groups: list[Group]

    @property
    def count(self) -> int:
        return len(self.identities) + len(self.devices) + len(self.groups)


def search(tenant_id: int, raw_text: str, *, groups: bool = True) -> SearchResults:
    """Identities, devices and (where the portal knows them) directory groups whose names
    contain the text: a query for each, none when empty."""
    text = clean_search_text(raw_text)
    if not text:
        return SearchResults(text="", identities=[], devices=[], groups=[])
    identities = Identity.objects.for_tenant(tenant_id).filter(
        Q(display_name__icontains=text) | Q(upn__icontains=text) | Q(account_name__icontains=text)
    )
    devices = Device.objects.for_tenant(tenant_id).filter(
        Q(name__icontains=text) | Q(dns_name__icontains=text) | Q(ip_address__icontains=text)
    )
    found_groups = Group.objects.for_tenant(tenant_id).filter(name__icontains=text)
    return SearchResults(
        text=text,
        identities=list(identities[:SEARCH_LIMIT]),
        devices=list(devices[:SEARCH_LIMIT]),
        groups=list(found_groups[:SEARCH_LIMIT]) if groups else [],
    )


def health_issues(tenant_id: int) -> dict:
    issues = list(HealthIssue.objects.for_tenant(tenant_id))
    open_issues = [issue for issue in issues if issue.status == HealthIssue.Status.OPEN]
    return {
        "open_issues": open_issues,
        "closed_issues": [issue for issue in issues if issue.status != HealthIssue.Status.OPEN],
        "global_issues": [i for i in open_issues if i.kind == HealthIssue.Kind.GLOBAL],
        "sensor_issues": [i for i in open_issues if i.kind == HealthIssue.Kind.SENSOR],
    }


# A sensor not heard from for longer than this has stopped communicating (and the Health
# center says so too).
SENSOR_SILENCE = timedelta(hours=2)


@dataclass(frozen=True)
class Sensor:
    device: Device
    version: str
    open_issues: int

    @property
    def status(self) -> str:
        if timezone.now() - self.device.last_seen_at > SENSOR_SILENCE:
            return "Not communicating"
        return "Running" if self.open_issues == 0 else "Running with health issues"


@dataclass(frozen=True)
class Workspace:
    """The identity workspace's read-only facts, derived from the tenant so they never drift."""

    tenant: Tenant

    @property
    def name(self) -> str:
        return f"{self.tenant.domain.split('.')[0]}corp"

    @property
    def workspace_id(self) -> uuid.UUID:
        return uuid.uuid5(WORKSPACE_NAMESPACE, self.tenant.domain)

    @property
    def url(self) -> str:
        return f"{self.name}.atp.azure.com"

    @property
    def directory_services_account(self) -> str:
        return f"{self.tenant.domain.split('.')[0].upper()}\\svc-mdi-dsa"

    @property
    def domain(self) -> str:
        return self.tenant.domain

    sensor_version = SENSOR_VERSION
    geolocation = "Europe"


def configuration(tenant_id: int) -> dict:
    """Workspace facts and one sensor per domain controller: three queries."""
    tenant = get_object_or_404(Tenant, pk=tenant_id)
    issues_by_sensor = dict(
        HealthIssue.objects.for_tenant(tenant_id)
        .filter(status=HealthIssue.Status.OPEN)
        .exclude(sensor="")
        .values_list("sensor")
        .annotate(count=Count("id"))
    )
    sensors = [
        Sensor(
            device=device, version=SENSOR_VERSION, open_issues=issues_by_sensor.get(device.name, 0)
        )
        for device in Device.objects.for_tenant(tenant_id).filter(is_domain_controller=True)
    ]
    return {"workspace": Workspace(tenant), "sensors": sensors}


def summary(tenant_id: int) -> dict:
    """The Defender home page's cards: one query per kind of object, whatever the data."""
    alert_counts = Alert.objects.for_tenant(tenant_id).aggregate(
        open=Count("id", filter=Q(status__in=UNRESOLVED)),
        new_high=Count("id", filter=Q(status=AlertStatus.NEW, severity=Severity.HIGH)),
    )
    return {
        "open_alerts": alert_counts["open"],
        "new_high_alerts": alert_counts["new_high"],
        "open_incidents": Incident.objects.for_tenant(tenant_id)
        .exclude(status=AlertStatus.RESOLVED)
        .count(),
        "risky_identities": Identity.objects.for_tenant(tenant_id)
        .filter(risk_level=Severity.HIGH)
        .count(),
        "open_health_issues": HealthIssue.objects.for_tenant(tenant_id)
        .filter(status=HealthIssue.Status.OPEN)
        .count(),
        "recent_alerts": Alert.objects.for_tenant(tenant_id).select_related("identity")[:5],
    }


def incidents(
    request: HttpRequest,
    tenant_id: int,
    form_class: type[AlertFilterForm] = AlertFilterForm,
    source: str | None = None,
) -> dict:
    """The incident queue; with a source, the incidents holding that product's alerts, each
    with how many of them it holds."""
    form = form_class(request.GET)
    rows: QuerySet = Incident.objects.for_tenant(tenant_id)
    if source:
        rows = rows.annotate(
            alert_count=Count("alerts", filter=Q(alerts__service_source=source))
        ).filter(alert_count__gt=0)
    else:
        rows = rows.annotate(alert_count=Count("alerts"))
    return {"filter_form": form, "incidents": form.filter(rows)}


def identities(tenant_id: int) -> QuerySet:
    return Identity.objects.for_tenant(tenant_id).annotate(alert_count=Count("alerts"))
