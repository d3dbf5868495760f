"""Every page of the three portals, as the width and contrast tests visit them."""

from __future__ import annotations

from portal.models import Alert, Group, ServiceSource
from portal.pages import GROUP_TABS, IDENTITY_TABS
from portal.reports import REPORTS
from tests.busiest_demo import LONG_EMAIL

PAGE_PATH = "/preferences2/portal_redirection"
ENDPOINT_PAGE_PATH = PAGE_PATH + "?workload=endpoint"
PORTALS = ("defender", "legacy", "endpoint")
IDENTITY_TAB_KEYS = tuple(key for key, _label in IDENTITY_TABS)
GROUP_TAB_KEYS = tuple(key for key, _label in GROUP_TABS)


def demo_objects(demo) -> dict[str, int]:
    alerts = Alert.objects.for_tenant(demo["contoso"]).order_by("-detected_at", "pk")
    alert = alerts.filter(service_source=ServiceSource.IDENTITY).first()
    endpoint = alerts.filter(service_source=ServiceSource.ENDPOINT).first()
    return {
        "alert": alert.pk,
        "identity": alert.identity_id,
        "device": alert.device_id,
        "endpoint_alert": endpoint.pk,
        "endpoint_device": endpoint.device_id,
        # The busiest sensitive group: its timeline and report rows are the longest.
        "group": max(
            Group.objects.for_tenant(demo["contoso"]).filter(is_sensitive=True),
            key=lambda group: group.changes.count(),
        ).pk,
    }


def pages_of(portal: str, ids: dict[str, int]) -> list[str]:
    """Paths of ``portal``'s pages, the Portal redirection page in each of its states."""
    if portal == "defender":
        return [
            "/",
            "/alerts",
            f"/alerts/{ids['alert']}",
            "/incidents",
            "/identities",
            f"/identities/{ids['identity']}",
            *(f"/identities/{ids['identity']}?tab={tab}" for tab in IDENTITY_TAB_KEYS[1:]),
            f"/machines/{ids['device']}",
            f"/groups/{ids['group']}",
            *(f"/groups/{ids['group']}?tab={tab}" for tab in GROUP_TAB_KEYS[1:]),
            "/search?q=a",
            "/reports",
            "/reports/identities",
            *(f"/reports/identities/{slug}?period=90" for slug in REPORTS),
            "/settings",
            "/settings/identities",
            "/settings/identities/health",
            "/settings/identities/about",
            PAGE_PATH,
            f"{PAGE_PATH}?preview={LONG_EMAIL}",
            f"{PAGE_PATH}?turn=off",
            "/settings/endpoints",
            ENDPOINT_PAGE_PATH,
            f"{ENDPOINT_PAGE_PATH}&turn=off",
            "/feedback?from=/alerts",
            "/feedback/thanks?from=/alerts",
        ]
    if portal == "endpoint":
        return [
            "/alerts",
            f"/alerts/{ids['endpoint_alert']}",
            f"/machines/{ids['endpoint_device']}",
            "/incidents",
            "/search?q=a",
            "/feedback?from=/alerts",
            "/feedback/thanks?from=/alerts",
        ]
    return [
        "/timeline",
        f"/securityAlert/{ids['alert']}",
        f"/user/{ids['identity']}",
        f"/computer/{ids['device']}",
        f"/group/{ids['group']}",
        "/search?q=a",
        "/reports",
        *(f"/reports/{slug}?period=90" for slug in REPORTS),
        "/health",
        "/configuration",
        "/about",
        "/feedback?from=/timeline",
        "/feedback/thanks?from=/timeline",
    ]
