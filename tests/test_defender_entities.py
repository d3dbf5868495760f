"""The Defender portal's entity pages on the demo data: an alert's evidence, triage and
incident; an identity's tabs; each tenant's own only, at a constant number of queries."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.demo import seed_demo
from accounts.models import Tenant, User
from portal.models import Alert, Identity
from tests.conftest import PASSWORD, sign_in
from tests.factories import AlertFactory, DeviceFactory, IdentityFactory, IncidentFactory

pytestmark = pytest.mark.django_db

TABS = ("overview", "alerts", "observed", "timeline")


@pytest.fixture
def demo(db):
    seed_demo(PASSWORD)
    return {
        "contoso": Tenant.objects.get(domain="contoso.example"),
        "fabrikam": Tenant.objects.get(domain="fabrikam.example"),
    }


@pytest.fixture
def analyst(defender_client, demo):
    sign_in(defender_client, User.objects.get(email="analyst@contoso.example"))
    return defender_client


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK, (path, response.status_code)
    return unescape(response.content.decode())


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def busiest_identity(tenant: Tenant) -> Identity:
    """The demo identity with the most alerts in incidents: every tab has something to show."""
    return max(
        Identity.objects.for_tenant(tenant.pk).prefetch_related("alerts"),
        key=lambda identity: sum(a.incident_id is not None for a in identity.alerts.all()),
    )


# ------------------------------------------------------------------ an alert
def test_an_alert_lists_its_evidence_with_roles_and_links_its_incident(analyst, demo):
    alert = (
        Alert.objects.for_tenant(demo["contoso"].pk)
        .filter(incident__isnull=False, identity__isnull=False, device__isnull=False)
        .select_related("identity", "device", "incident")
        .first()
    )
    html = page(analyst, f"/alerts/{alert.pk}")
    evidence = html[html.index('id="evidence-title"') :]
    rows = re.findall(r"<tr>(.*?)</tr>", evidence, re.S)
    found = [text(row) for row in rows]
    assert f"{alert.identity.display_name} User Impacted {alert.identity.upn}" in found
    role = "Impacted" if alert.service_source == "endpoint" else "Source"
    assert f"{alert.device.name} Device {role} {alert.device.os}" in found
    assert f"{alert.device.ip_address} IP address Related {alert.device.name}" in found
    assert f'href="/identities/{alert.identity.pk}"' in evidence
    assert f'href="/machines/{alert.device.pk}"' in evidence
    assert f'href="/incidents#incident-{alert.incident.pk}"' in html
    # The incident the link leads to carries that anchor.
    assert f'id="incident-{alert.incident.pk}"' in page(analyst, "/incidents")


def test_the_manage_alert_panel_shows_the_triage_read_only_and_who_manages_it(analyst, demo):
    """An account with no role reads the triage; tests/test_manage_alert.py covers each role."""
    alert = Alert.objects.for_tenant(demo["contoso"].pk).first()
    html = page(analyst, f"/alerts/{alert.pk}")
    panel = text(html[html.index('id="manage-title"') : html.index('id="details-title"')])
    assert f"Status {alert.get_status_display()}" in panel
    assert "Classification Not set" in panel and "Assigned to Unassigned" in panel
    assert "Determination Not set" in panel
    assert "a Security Operator of Contoso" in panel
    assert "<form" not in html[html.index('id="manage-title"') : html.index('id="details-title"')]


def test_an_alert_outside_any_incident_says_so(analyst, demo):
    alert = Alert.objects.for_tenant(demo["contoso"].pk).filter(incident__isnull=True).first()
    html = page(analyst, f"/alerts/{alert.pk}")
    assert "Not part of an incident" in html and "#incident-" not in html


# ------------------------------------------------------------------ an identity's tabs
def tab_links(html: str) -> list[tuple[str, bool]]:
    nav = re.search(r'<nav class="entity-tabs".*?</nav>', html, re.S).group(0)
    return [
        (href, bool(current))
        for href, current in re.findall(r'<a href="([^"]+)"( aria-current="page")?', nav)
    ]


@pytest.mark.parametrize("tab", TABS)
def test_each_tab_is_a_plain_link_and_the_open_one_is_marked(analyst, demo, tab):
    identity = busiest_identity(demo["contoso"])
    html = page(analyst, f"/identities/{identity.pk}?tab={tab}")
    assert tab_links(html) == [(f"?tab={key}", key == tab) for key in TABS]


def test_no_tab_or_an_unknown_one_opens_the_overview(analyst, demo):
    identity = busiest_identity(demo["contoso"])
    for query in ("", "?tab=nonsense"):
        html = page(analyst, f"/identities/{identity.pk}{query}")
        assert ("?tab=overview", True) in tab_links(html)
        assert "User principal name" in html and identity.upn in html


def test_the_tabs_show_the_identitys_incidents_devices_and_timeline(analyst, demo):
    identity = busiest_identity(demo["contoso"])
    alerts = list(identity.alerts.select_related("device", "incident"))
    incidents = {a.incident for a in alerts if a.incident}
    devices = {a.device for a in alerts if a.device}
    assert incidents and devices and len(alerts) > 1  # the demo gives every tab something

    html = page(analyst, f"/identities/{identity.pk}?tab=alerts")
    for incident in incidents:
        assert f'<a href="/incidents#incident-{incident.pk}">{incident.title}</a>' in html
    for alert in alerts:
        assert f'href="/alerts/{alert.pk}"' in html

    html = page(analyst, f"/identities/{identity.pk}?tab=observed")
    for device in devices:
        assert f'href="/machines/{device.pk}"' in html and device.ip_address in html
        seen = sum(a.device_id == device.pk for a in alerts)
        assert f"<td>{device.ip_address}</td><td>{seen}</td>" in html

    html = page(analyst, f"/identities/{identity.pk}?tab=timeline")
    assert "First seen in the organization" in html
    body = html[html.index('id="timeline-title"') :]
    times = [datetime.fromisoformat(t) for t in re.findall(r'<time datetime="([^"]+)"', body)]
    assert times and times == sorted(times, reverse=True)  # newest first
    assert {int(pk) for pk in re.findall(r'href="/alerts/(\d+)"', body)} == {a.pk for a in alerts}


# ------------------------------------------------------------------ isolation
@pytest.mark.parametrize("tab", TABS)
def test_another_tenants_identity_stays_not_found_on_every_tab(analyst, demo, tab):
    other = Identity.objects.for_tenant(demo["fabrikam"].pk).first()
    response = analyst.get(f"/identities/{other.pk}?tab={tab}")
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_another_tenants_alert_stays_not_found(analyst, demo):
    other = Alert.objects.for_tenant(demo["fabrikam"].pk).first()
    assert analyst.get(f"/alerts/{other.pk}").status_code == HTTPStatus.NOT_FOUND


def test_a_tab_shows_nothing_of_another_tenant(analyst, demo):
    identity = busiest_identity(demo["contoso"])
    foreign = AlertFactory(tenant=demo["fabrikam"], title="Marker alert of Fabrikam")
    for tab in TABS:
        html = page(analyst, f"/identities/{identity.pk}?tab={tab}")
        assert "Marker alert of Fabrikam" not in html
        assert foreign.device.name not in html


# ------------------------------------------------------------------ query counts
@pytest.mark.parametrize(
    "path", [*(f"/identities/{{identity}}?tab={tab}" for tab in TABS), "/alerts/{alert}"]
)
def test_query_counts_do_not_grow_with_the_data(defender_client, contoso, contoso_analyst, path):
    sign_in(defender_client, contoso_analyst)

    def count(alerts: int) -> int:
        identity = IdentityFactory(tenant=contoso)
        rows = []
        for _ in range(alerts):
            rows.append(
                AlertFactory(
                    tenant=contoso,
                    identity=identity,
                    device=DeviceFactory(tenant=contoso),
                    incident=IncidentFactory(tenant=contoso),
                )
            )
        url = path.format(alert=rows[0].pk, identity=identity.pk)
        with CaptureQueriesContext(connection) as captured:
            assert defender_client.get(url).status_code == HTTPStatus.OK
        return len(captured)

    few, many = count(2), count(25)
    assert few == many
    assert few <= 8
