"""The Security Center's SIEM API: tokens from the directory, one tenant per integration, the
fields and links of Microsoft's SIEM API, and support registering an integration."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model

from directory.provider import ensure_portal_client, portal_client_secret
from portal.models import SiemIntegration
from portal.siem import alert_links
from settings_ui.support import ensure_support_group
from tests.conftest import ENDPOINT_HOST, IDENTITY_HOST, sign_in
from tests.factories import (
    CLIENT_SECRET,
    AlertFactory,
    EndpointAlertFactory,
    IncidentFactory,
    SiemIntegrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AccessToken = get_access_token_model()
Application = get_application_model()

SECURITY_CENTER = "http://securitycenter.localhost:8000"
DEFENDER = "http://security.localhost:8000"


def basic(client_id: str, secret: str) -> str:
    pair = f"{quote(client_id)}:{quote(secret)}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def request_token(application, secret: str = CLIENT_SECRET, **form):
    """Ask the directory's token endpoint, as a SIEM does (client credentials, HTTP Basic)."""
    return Client(HTTP_HOST=IDENTITY_HOST).post(
        "/oauth2/token",
        {"grant_type": "client_credentials", **form},
        HTTP_AUTHORIZATION=basic(application.client_id, secret),
    )


def token_of(application, **form) -> str:
    response = request_token(application, **form)
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()["access_token"]


def read_alerts(token: str | None = None, query: str = "", **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return Client(HTTP_HOST=ENDPOINT_HOST).get(f"/api/alerts{query}", **headers)


@pytest.fixture
def integration(contoso):
    return SiemIntegrationFactory(tenant=contoso, application__name="Contoso Sentinel")


# ------------------------------------------------------------------ 200
def test_a_siems_token_reads_its_tenants_endpoint_alerts_only(integration, contoso, fabrikam):
    mine = EndpointAlertFactory(tenant=contoso, title="Contoso endpoint alert")
    AlertFactory(tenant=contoso, title="Contoso identity alert")
    EndpointAlertFactory(tenant=fabrikam, title="Fabrikam endpoint alert")
    granted = request_token(integration.application, scope="alerts.read").json()
    assert granted["token_type"] == "Bearer" and granted["scope"] == "alerts.read"
    response = read_alerts(granted["access_token"])
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert [alert["AlertId"] for alert in response.json()] == [str(mine.pk)]


def test_a_siem_that_names_no_scope_is_given_alerts_read(integration):
    assert request_token(integration.application).json()["scope"] == "alerts.read"


def test_the_fields_are_those_of_the_siem_api(integration, contoso):
    incident = IncidentFactory(tenant=contoso)
    alert = EndpointAlertFactory(
        tenant=contoso,
        title="Suspicious access to LSASS service",
        severity="high",
        status="in_progress",
        category="Credential access",
        detection_source="edr",
        incident=incident,
        device__name="CONTOSO-WS101",
        identity__account_name="adele",
        identity__upn="adele@contoso.example",
    )
    (found,) = read_alerts(token_of(integration.application)).json()
    assert found == {
        "AlertId": str(alert.pk),
        "Title": "Suspicious access to LSASS service",
        "Description": alert.description,
        "Severity": "High",
        "Category": "Credential access",
        "Status": "InProgress",
        "Source": "EDR",
        "MachineId": str(alert.device_id),
        "MachineName": "CONTOSO-WS101",
        "ComputerDnsName": "contoso-ws101.contoso.example",
        "InternalIPv4List": alert.device.ip_address,
        "UserName": "adele",
        "UserDomain": "contoso.example",
        "IncidentId": incident.pk,
        "CreatedTime": found["CreatedTime"],
        "LastProcessedTimeUtc": found["LastProcessedTimeUtc"],
        "LinkToWDATP": f"{SECURITY_CENTER}/alerts/{alert.pk}",
        "IncidentLinkToWDATP": f"{SECURITY_CENTER}/incidents#incident-{incident.pk}",
        "LinkToMTP": f"{DEFENDER}/alerts/{alert.pk}",
        "IncidentLinkToMTP": f"{DEFENDER}/incidents#incident-{incident.pk}",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", found["CreatedTime"])


def test_the_links_open_the_pages_they_name(integration, contoso, endpoint_client):
    alert = EndpointAlertFactory(tenant=contoso, incident=IncidentFactory(tenant=contoso))
    (found,) = read_alerts(token_of(integration.application)).json()
    sign_in(endpoint_client, UserFactory(tenant=contoso))
    for link in ("LinkToWDATP", "IncidentLinkToWDATP"):
        path = found[link].removeprefix(SECURITY_CENTER).partition("#")[0]
        assert endpoint_client.get(path).status_code == HTTPStatus.OK
    assert str(alert.incident_id) in found["IncidentLinkToWDATP"]


def test_a_query_narrows_the_alerts_by_time_and_number(integration, contoso):
    now = timezone.now()
    EndpointAlertFactory(tenant=contoso, title="Old", updated_at=now - timedelta(days=3))
    for n in range(3):
        EndpointAlertFactory(
            tenant=contoso, title=f"Recent {n}", updated_at=now - timedelta(hours=n)
        )
    token = token_of(integration.application)
    since = (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = read_alerts(token, f"?sinceTimeUtc={since}").json()
    assert sorted(alert["Title"] for alert in recent) == ["Recent 0", "Recent 1", "Recent 2"]
    assert len(read_alerts(token, "?limit=2").json()) == 2
    bad = read_alerts(token, "?limit=0&sinceTimeUtc=yesterday")
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert set(bad.json()["fields"]) == {"limit", "sinceTimeUtc"}


# ------------------------------------------------------------------ 401 and 403
def test_no_token_is_a_401_with_a_bearer_challenge(integration):
    response = read_alerts()
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "bearer"],
)
def test_a_bad_token_is_a_401(integration, authorization):
    EndpointAlertFactory(tenant=integration.tenant)
    response = read_alerts(HTTP_AUTHORIZATION=authorization)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_a_401(integration):
    token = token_of(integration.application)
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert read_alerts(token).status_code == HTTPStatus.UNAUTHORIZED


def test_a_token_in_the_query_string_is_refused(integration):
    token = token_of(integration.application)
    assert read_alerts(query=f"?access_token={token}").status_code == HTTPStatus.UNAUTHORIZED


def test_a_token_without_the_scope_is_a_403(integration):
    AccessToken.objects.create(
        application=integration.application,
        token="a-token-for-something-else",
        scope="openid",
        expires=timezone.now() + timedelta(minutes=5),
    )
    response = read_alerts("a-token-for-something-else")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]


def test_a_token_of_an_application_that_is_no_siem_integration_is_a_403(contoso):
    ensure_portal_client()
    AccessToken.objects.create(
        application=Application.objects.get(name="Defender portals"),
        token="a-portal-token",
        scope="alerts.read",
        expires=timezone.now() + timedelta(minutes=5),
    )
    EndpointAlertFactory(tenant=contoso)
    response = read_alerts("a-portal-token")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {
        "error": "This application is not a SIEM integration of any organization."
    }


def test_the_directory_gives_each_kind_of_client_its_own_scopes_only(integration):
    assert request_token(integration.application, scope="openid").json()["error"] == (
        "invalid_scope"
    )
    assert request_token(integration.application, secret="wrong").status_code == (
        HTTPStatus.UNAUTHORIZED
    )
    ensure_portal_client()
    portals = Application.objects.get(name="Defender portals")
    refused = request_token(portals, secret=portal_client_secret(), scope="alerts.read")
    assert refused.json()["error"] == "unauthorized_client"


def test_removing_the_integration_revokes_its_tokens(integration):
    token = token_of(integration.application)
    assert read_alerts(token).status_code == HTTPStatus.OK
    integration.delete()
    assert not Application.objects.filter(pk=integration.application_id).exists()
    assert read_alerts(token).status_code == HTTPStatus.UNAUTHORIZED


# ------------------------------------------------------------------ the links, one function
def test_links_lead_to_the_security_center_and_the_defender_portal(contoso):
    alert = EndpointAlertFactory(tenant=contoso, incident=IncidentFactory(tenant=contoso))
    links = alert_links(alert, redirected=False)
    assert links.alert_in_security_center == f"{SECURITY_CENTER}/alerts/{alert.pk}"
    assert links.incident_in_security_center == (
        f"{SECURITY_CENTER}/incidents#incident-{alert.incident_id}"
    )
    assert links.alert_in_defender == f"{DEFENDER}/alerts/{alert.pk}"
    assert links.incident_in_defender == f"{DEFENDER}/incidents#incident-{alert.incident_id}"


def test_redirected_links_all_lead_to_the_defender_portal(contoso):
    alert = EndpointAlertFactory(tenant=contoso, incident=IncidentFactory(tenant=contoso))
    links = alert_links(alert, redirected=True)
    assert (
        links.alert_in_security_center
        == links.alert_in_defender
        == (f"{DEFENDER}/alerts/{alert.pk}")
    )
    assert links.incident_in_security_center == links.incident_in_defender


def test_an_alert_outside_any_incident_has_no_incident_links(contoso):
    links = alert_links(EndpointAlertFactory(tenant=contoso, incident=None), redirected=False)
    assert links.incident_in_security_center is links.incident_in_defender is None


def test_the_links_follow_the_endpoint_switch(integration, contoso_admin, switch):
    EndpointAlertFactory(tenant=integration.tenant)
    token = token_of(integration.application)
    (off,) = read_alerts(token).json()
    assert off["LinkToWDATP"].startswith(SECURITY_CENTER)
    switch(integration.tenant, True, contoso_admin, workload="endpoint")
    (on,) = read_alerts(token).json()
    assert (on["LinkToWDATP"], on["IncidentLinkToWDATP"]) == (
        on["LinkToMTP"],
        on["IncidentLinkToMTP"],
    )
    assert on["LinkToWDATP"].startswith(DEFENDER)
    switch(integration.tenant, False, contoso_admin, workload="endpoint")
    (off_again,) = read_alerts(token).json()
    assert off_again["LinkToWDATP"].startswith(SECURITY_CENTER)


def test_identitys_switch_does_not_redirect_the_security_centers_links(
    integration, contoso_admin, switch
):
    switch(integration.tenant, True, contoso_admin)
    EndpointAlertFactory(tenant=integration.tenant)
    (found,) = read_alerts(token_of(integration.application)).json()
    assert found["LinkToWDATP"].startswith(SECURITY_CENTER)


# ------------------------------------------------------------------ the support console
def test_support_registers_an_integration_and_sees_its_secret_once(contoso, defender_client):
    support = UserFactory(tenant=None, is_staff=True)
    support.groups.add(ensure_support_group()[0])
    defender_client.force_login(support)
    response = defender_client.post(
        "/admin/portal/siemintegration/add/",
        {"tenant": contoso.pk, "name": "Contoso Sentinel"},
        follow=True,
    )
    assert response.status_code == HTTPStatus.OK
    integration = SiemIntegration.objects.get()
    assert (integration.tenant, integration.created_by) == (contoso, support)
    assert integration.application.name == "Contoso Sentinel"
    page = response.content.decode()
    secret = re.search(r"Client secret: (\S+) ·", page).group(1)
    assert integration.application.client_id in page
    # Kept only as a hash: this page was the one chance to read it.
    assert secret not in integration.application.client_secret
    assert read_alerts(token_of(integration.application, secret=secret)).status_code == (
        HTTPStatus.OK
    )
    later = defender_client.get(f"/admin/portal/siemintegration/{integration.pk}/change/")
    assert later.status_code == HTTPStatus.OK and secret not in later.content.decode()


def test_every_scope_the_directory_offers_belongs_to_one_kind_of_client(settings):
    from directory.scopes import API_SCOPES, SIGN_IN_SCOPES

    offered = set(settings.OAUTH2_PROVIDER["SCOPES"])
    assert offered == set(SIGN_IN_SCOPES) | set(API_SCOPES)
    assert not set(SIGN_IN_SCOPES) & set(API_SCOPES)
