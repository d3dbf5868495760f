"""Defender portal pages: home cards, queues, details, settings pages, isolation, query counts."""

from __future__ import annotations

import re
from html import unescape
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import DirectoryRole
from tests.conftest import sign_in
from tests.factories import (
    AlertFactory,
    DeviceFactory,
    EndpointAlertFactory,
    HealthIssueFactory,
    IdentityFactory,
    IncidentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_client(defender_client, contoso_analyst):
    sign_in(defender_client, contoso_analyst)
    return defender_client


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK, (path, response.status_code)
    return response.content.decode()


def current_nav(html: str) -> str:
    return re.search(r'<a href="([^"]*)"[^>]*aria-current="page">', html).group(1)


def test_home_shows_summary_cards_of_the_tenant(analyst_client, contoso, fabrikam):
    AlertFactory.create_batch(2, tenant=contoso, severity="high", status="new")
    AlertFactory(tenant=contoso, status="resolved")
    AlertFactory.create_batch(5, tenant=fabrikam, severity="high", status="new")
    IncidentFactory(tenant=contoso, status="in_progress")
    HealthIssueFactory(tenant=contoso, status="open")
    html = page(analyst_client, "/")
    assert '<span class="stat-value">2</span> new high-severity alerts' in html
    assert '<span class="stat-value">2</span> open alerts' in html
    assert '<span class="stat-value">1</span> open incidents' in html
    assert '<span class="stat-value">1</span> open identity health issues' in html
    assert current_nav(html) == "/"


RAIL = re.compile(r'<nav id="portal-nav".*?</nav>', re.S)
RAIL_NAMES = re.compile(r'<span class="(?:rail-label|nav-group-name)">([^<]+)</span>')
RAIL_LINKS = re.compile(
    r'<a href="([^"]+)"[^>]*>(?:(?!</a>).)*?<span class="rail-label">([^<]+)<', re.S
)


def test_the_rail_has_the_portals_sections_in_microsofts_order(defender_client, contoso_admin):
    sign_in(defender_client, contoso_admin)
    rail = RAIL.search(page(defender_client, "/alerts")).group(0)
    assert [unescape(name) for name in RAIL_NAMES.findall(rail)] == [
        "Home",
        "Incidents & alerts",
        "Incidents",
        "Alerts",
        "Hunting",
        "Actions & submissions",
        "Threat intelligence",
        "Assets",
        "Devices",
        "Identities",
        "Endpoints",
        "Email & collaboration",
        "Cloud apps",
        "Reports",
        "Audit",
        "Health",
        "Permissions",
        "Settings",
    ]
    # What the portal builds is a link to it; every other section is its name only.
    assert {name: href for href, name in RAIL_LINKS.findall(rail)} == {
        "Home": "/",
        "Incidents": "/incidents",
        "Alerts": "/alerts",
        "Identities": "/identities",
        "Reports": "/reports",
        "Settings": "/settings",
    }
    assert "/search" not in rail  # search lives in the header only
    assert current_nav(rail) == "/alerts"


@pytest.mark.parametrize("card", ["open alerts", "open incidents"])
def test_each_home_card_counts_what_the_list_it_links_to_shows(analyst_client, contoso, card):
    for status in ("new", "new", "in_progress", "resolved"):
        AlertFactory(tenant=contoso, status=status)
        IncidentFactory(tenant=contoso, status=status)
    html = page(analyst_client, "/")
    found = re.search(
        rf'<a class="card stat" href="([^"]+)"><span class="stat-value">(\d+)</span> {card}', html
    )
    link, count = found.group(1).replace("&amp;", "&"), int(found.group(2))
    assert count == 3
    rows_listed = page(analyst_client, link).count('<span class="status status-')
    assert rows_listed == count


def test_alert_queue_filters_like_the_legacy_timeline(analyst_client, contoso):
    AlertFactory(tenant=contoso, title="High and new", severity="high", status="new")
    AlertFactory(tenant=contoso, title="Low and new", severity="low", status="new")
    html = page(analyst_client, "/alerts?status=new&severity=high")
    assert "High and new" in html and "Low and new" not in html
    assert "1 alert" in html
    assert current_nav(html) == "/alerts"
    html = page(analyst_client, "/alerts?status=whatever")
    assert "Choose a status from the list." in html
    assert "High and new" in html and "Low and new" in html


def test_alert_identity_and_device_pages_link_to_each_other(analyst_client, contoso):
    identity = IdentityFactory(tenant=contoso, display_name="Grady Archie")
    device = DeviceFactory(tenant=contoso, name="DC02", is_domain_controller=True)
    alert = AlertFactory(
        tenant=contoso, identity=identity, device=device, title="Suspected skeleton key attack"
    )
    html = page(analyst_client, f"/alerts/{alert.pk}")
    assert "<h1>Suspected skeleton key attack</h1>" in html
    assert f'href="/identities/{identity.pk}"' in html
    assert f'href="/machines/{device.pk}"' in html
    html = page(analyst_client, f"/identities/{identity.pk}")
    assert "Grady Archie" in html and f'href="/alerts/{alert.pk}"' in html
    assert current_nav(html) == "/identities"
    html = page(analyst_client, f"/machines/{device.pk}")
    assert "Domain controller" in html and f'href="/identities/{identity.pk}"' in html


def test_incidents_and_identities_lists(analyst_client, contoso):
    incident = IncidentFactory(tenant=contoso, title="Persistence on a domain controller")
    AlertFactory.create_batch(3, tenant=contoso, incident=incident)
    html = page(analyst_client, "/incidents")
    assert "Persistence on a domain controller" in html
    assert "<td>3</td>" in html
    assert current_nav(html) == "/incidents"
    html = page(analyst_client, "/identities")
    assert html.count('href="/identities/') == 3


@pytest.mark.parametrize("kind", ["alerts", "identities", "machines"])
def test_another_tenants_object_is_not_found(analyst_client, fabrikam, kind):
    alert = AlertFactory(tenant=fabrikam)
    object_id = {"alerts": alert.pk, "identities": alert.identity_id, "machines": alert.device_id}
    assert analyst_client.get(f"/{kind}/{object_id[kind]}").status_code == HTTPStatus.NOT_FOUND


def test_search_finds_identities_and_devices(analyst_client, contoso, fabrikam):
    IdentityFactory(tenant=contoso, display_name="Miriam Graham")
    DeviceFactory(tenant=contoso, name="GRAHAM-PC")
    DeviceFactory(tenant=fabrikam, name="GRAHAM-FABRIKAM")
    html = page(analyst_client, "/search?q=graham")
    assert "Miriam Graham" in html and "GRAHAM-PC" in html
    assert "GRAHAM-FABRIKAM" not in html
    assert 'aria-current="page"' not in RAIL.search(html).group(0)  # search is in the header


@pytest.mark.parametrize(
    "path, here",
    [("/settings/identities/health", "Health issues"), ("/settings/identities/about", "About")],
)
def test_identity_settings_pages_have_the_settings_breadcrumb(defender_client, contoso, path, here):
    reader = UserFactory(tenant=contoso, roles=[DirectoryRole.SECURITY_READER])
    sign_in(defender_client, reader)
    HealthIssueFactory(tenant=contoso, title="Sensor outdated", kind="sensor", status="open")
    html = page(defender_client, path)
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S).group(0)
    assert re.findall(r"<li[^>]*>(?:<a[^>]*>)?([^<]+)", crumbs) == [
        "Settings",
        "Identities",
        "General",
        here,
    ]
    assert re.findall(r'<a href="([^"#]+)', crumbs) == [
        "/settings",
        "/settings/identities",
        "/settings/identities",  # #group-general
    ]
    assert current_nav(html) == "/settings"
    if here == "Health issues":
        assert "Sensor outdated" in html


@pytest.mark.parametrize("path", ["/settings/identities/health", "/settings/identities/about"])
def test_an_account_without_a_role_is_never_offered_settings_it_cannot_open(
    analyst_client, contoso, path
):
    html = page(analyst_client, path)
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S).group(0)
    assert "<a " not in crumbs  # the trail is shown, but leads nowhere that refuses
    assert 'href="/settings"' not in html  # neither the rail nor the header offers Settings
    assert analyst_client.get("/settings").status_code == HTTPStatus.FORBIDDEN


def test_support_staff_without_a_tenant_get_a_plain_403(defender_client):
    sign_in(defender_client, UserFactory(tenant=None, is_staff=True))
    for path in ("/", "/alerts", "/identities", "/settings/identities/health"):
        response = defender_client.get(path)
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert "No organization to show" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/alerts",
        "/alerts/{alert}",
        "/incidents",
        "/identities",
        "/identities/{identity}",
        "/machines/{device}",
        "/search?q=a",
        "/settings/identities/health",
        "/settings/identities/about",
    ],
)
def test_query_counts_do_not_grow_with_the_data(analyst_client, contoso, path):
    def count(alerts: int) -> int:
        identity = IdentityFactory(tenant=contoso, display_name="Alex Wilber")
        device = DeviceFactory(tenant=contoso, name="ALEX-WS", is_domain_controller=True)
        incident = IncidentFactory(tenant=contoso)
        rows = AlertFactory.create_batch(
            alerts, tenant=contoso, identity=identity, device=device, incident=incident
        )
        HealthIssueFactory.create_batch(alerts, tenant=contoso)
        url = path.format(alert=rows[0].pk, identity=identity.pk, device=device.pk)
        with CaptureQueriesContext(connection) as captured:
            assert analyst_client.get(url).status_code == HTTPStatus.OK
        return len(captured)

    few, many = count(2), count(25)
    assert few == many
    assert few <= 8


def test_the_defender_portal_shows_both_and_filters_by_service_source(defender_client, contoso):
    AlertFactory(tenant=contoso, title="Raised by an identity sensor")
    endpoint = EndpointAlertFactory(tenant=contoso, title="Raised on an endpoint")
    sign_in(defender_client, UserFactory(tenant=contoso))
    both = page(defender_client, "/alerts")
    assert "Raised by an identity sensor" in both and "Raised on an endpoint" in both
    assert "All service sources" in both
    only = page(defender_client, "/alerts?service_source=endpoint")
    assert "Raised on an endpoint" in only and "Raised by an identity sensor" not in only
    detail = page(defender_client, f"/alerts/{endpoint.pk}")
    assert "<dd>Microsoft Defender for Endpoint</dd>" in detail and "<dd>EDR</dd>" in detail
    assert "Raised on an endpoint" in page(defender_client, f"/machines/{endpoint.device_id}")
