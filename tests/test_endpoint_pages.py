"""Security Center pages: the endpoints' alerts only, per role and per tenant."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest

from accounts.models import DirectoryRole
from tests.conftest import sign_in
from tests.factories import (
    AlertFactory,
    DeviceFactory,
    EndpointAlertFactory,
    IdentityFactory,
    IncidentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_client(endpoint_client, contoso_analyst):
    sign_in(endpoint_client, contoso_analyst)
    return endpoint_client


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK, (path, response.status_code)
    return response.content.decode()


def current_nav(html: str) -> str:
    return re.search(r'<a href="([^"]*)"[^>]*aria-current="page">', html).group(1)


@pytest.mark.parametrize("role", [*DirectoryRole.values, None])
def test_every_account_of_the_tenant_opens_every_page(endpoint_client, contoso, role):
    alert = EndpointAlertFactory(tenant=contoso)
    user = UserFactory(tenant=contoso, roles=[role] if role else [])
    sign_in(endpoint_client, user)
    for path in (
        "/",
        "/alerts",
        f"/alerts/{alert.pk}",
        f"/machines/{alert.device_id}",
        "/incidents",
        "/search?q=ws",
        "/feedback",
    ):
        page(endpoint_client, path)


def test_the_queue_shows_the_endpoints_alerts_only(analyst_client, contoso):
    EndpointAlertFactory(
        tenant=contoso, title="Raised on an endpoint", detection_source="antivirus"
    )
    AlertFactory(tenant=contoso, title="Raised by an identity sensor")
    html = page(analyst_client, "/")
    assert "Raised on an endpoint" in html and "Raised by an identity sensor" not in html
    assert "<td>Antivirus</td>" in html
    assert "1 alert" in html
    assert current_nav(html) == "/alerts"
    assert "Raised on an endpoint" in page(analyst_client, "/alerts")


def test_the_queue_filters_status_and_severity_like_the_legacy_timeline(analyst_client, contoso):
    EndpointAlertFactory(tenant=contoso, title="High and new", severity="high", status="new")
    EndpointAlertFactory(tenant=contoso, title="Low and new", severity="low", status="new")
    EndpointAlertFactory(tenant=contoso, title="High, resolved", severity="high", status="resolved")
    html = page(analyst_client, "/alerts?status=new&severity=high")
    assert "High and new" in html
    assert "Low and new" not in html and "High, resolved" not in html
    assert '<option value="new" selected>New</option>' in html
    html = page(analyst_client, "/alerts?status=open")  # the legacy portal's word, not this one's
    assert "Choose a status from the list." in html
    assert all(title in html for title in ("High and new", "Low and new", "High, resolved"))


def test_another_tenants_alert_device_and_incident_do_not_exist(analyst_client, fabrikam):
    theirs = EndpointAlertFactory(
        tenant=fabrikam,
        title="Marker alert of Fabrikam",
        device__name="FABRIKAM-WS1",
        incident=IncidentFactory(tenant=fabrikam, title="Marker incident of Fabrikam"),
    )
    assert analyst_client.get(f"/alerts/{theirs.pk}").status_code == HTTPStatus.NOT_FOUND
    assert analyst_client.get(f"/machines/{theirs.device_id}").status_code == HTTPStatus.NOT_FOUND
    for path in ("/alerts", "/incidents"):
        assert "Marker" not in page(analyst_client, path)
    assert "0 results" in page(analyst_client, "/search?q=FABRIKAM-WS1")


def test_an_identity_sensors_alert_is_not_a_security_center_page(analyst_client, contoso):
    theirs = AlertFactory(tenant=contoso)
    assert analyst_client.get(f"/alerts/{theirs.pk}").status_code == HTTPStatus.NOT_FOUND


def test_the_alert_page_links_its_device_and_incident(analyst_client, contoso):
    incident = IncidentFactory(tenant=contoso, title="Ransomware activity on one endpoint")
    alert = EndpointAlertFactory(
        tenant=contoso,
        incident=incident,
        identity__display_name="Adele Vance",
        device__name="CONTOSO-WS101",
    )
    html = page(analyst_client, f"/alerts/{alert.pk}")
    assert f'<a href="/machines/{alert.device_id}">CONTOSO-WS101</a>' in html
    assert f'<a href="/incidents#incident-{incident.pk}">Ransomware activity' in html
    assert "Adele Vance" in html and "<dd>EDR</dd>" in html
    assert current_nav(html) == "/alerts"


def test_the_device_page_shows_its_timeline_newest_first(analyst_client, contoso):
    device = DeviceFactory(tenant=contoso, name="CONTOSO-WS202")
    user = IdentityFactory(tenant=contoso, display_name="Lee Gu")
    older = EndpointAlertFactory(tenant=contoso, device=device, identity=user, title="Older one")
    newer = EndpointAlertFactory(
        tenant=contoso,
        device=device,
        identity=user,
        title="Newer one",
        detected_at=older.detected_at.replace(year=older.detected_at.year + 1),
    )
    AlertFactory(tenant=contoso, device=device, title="Seen by an identity sensor")
    html = page(analyst_client, f"/machines/{device.pk}")
    timeline = html.split('class="device-timeline"')[1]
    assert timeline.index("Newer one") < timeline.index("Older one")
    assert "Seen by an identity sensor" not in html
    assert f'href="/alerts/{newer.pk}"' in timeline
    assert "Lee Gu" in html
    assert "<h1>CONTOSO-WS202</h1>" in html


def test_incidents_are_those_holding_endpoint_alerts(analyst_client, contoso):
    shared = IncidentFactory(tenant=contoso, title="Across both products")
    AlertFactory(tenant=contoso, incident=shared)
    EndpointAlertFactory.create_batch(2, tenant=contoso, incident=shared)
    only_identity = IncidentFactory(tenant=contoso, title="Identity sensors only")
    AlertFactory(tenant=contoso, incident=only_identity)
    html = page(analyst_client, "/incidents")
    assert f'<tr id="incident-{shared.pk}">' in html
    assert "Across both products" in html and "Identity sensors only" not in html
    assert "<td>2</td>" in html  # the endpoints' alerts it holds
    assert current_nav(html) == "/incidents"


def test_search_finds_devices_and_users(analyst_client, contoso):
    DeviceFactory(tenant=contoso, name="CONTOSO-LT404")
    IdentityFactory(tenant=contoso, display_name="Miriam Graham", upn="miriam@contoso.example")
    html = page(analyst_client, "/search?q=contoso")
    assert "CONTOSO-LT404" in html and "Miriam Graham" in html
    assert "2 results" in html


def test_support_staff_get_the_no_organization_page(endpoint_client):
    staff = UserFactory(tenant=None, is_staff=True)
    sign_in(endpoint_client, staff)
    response = endpoint_client.get("/alerts")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "No organization to show" in response.content.decode()


def test_signed_out_visits_go_to_sign_in(endpoint_client):
    assert endpoint_client.get("/alerts?status=new").url == "/signin?next=/alerts%3Fstatus%3Dnew"


def test_pages_look_like_the_security_center(analyst_client):
    html = page(analyst_client, "/alerts")
    assert "· Microsoft Defender Security Center</title>" in html
    assert "/static/css/endpoint.css" in html
    assert '<body class="endpoint">' in html
