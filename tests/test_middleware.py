"""The former portals' middleware: who is routed, who passes untouched, and that it costs no
query; the Security Center's passes everyone while Endpoint has no switch."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from accounts.models import Session
from accounts.session_keys import remember_sign_in
from accounts.sessions import SessionStore
from portal.former_portals import FORMER_PORTALS
from portal.middleware import FormerPortalRedirectionMiddleware
from settings_ui.state import get_state
from settings_ui.workloads import Workload
from tests.conftest import ENDPOINT_HOST, LEGACY_HOST, sign_in
from tests.factories import AlertFactory, UserFactory
from tests.redirection import landing
from tests.strategies import legacy_paths, legacy_queries
from web.hosts import DEFENDER, ENDPOINT, LEGACY

pytestmark = pytest.mark.django_db


DEFENDER_URL = "http://security.localhost:8000"
MIDDLEWARE_PATH = "portal.middleware.FormerPortalRedirectionMiddleware"


@pytest.fixture
def routed_client(legacy_client, contoso_analyst, contoso_admin, clock, switch):
    """A legacy session that signed in after Contoso turned redirection On."""
    switch(contoso_analyst.tenant, True, contoso_admin)
    clock.advance()
    sign_in(legacy_client, contoso_analyst)
    return legacy_client


@pytest.fixture
def old_client(legacy_client, contoso_analyst, contoso_admin, clock, switch):
    """A legacy session that signed in before Contoso turned redirection On."""
    sign_in(legacy_client, contoso_analyst)
    clock.advance()
    switch(contoso_analyst.tenant, True, contoso_admin)
    return legacy_client


def assert_routed(response, target: str) -> None:
    assert response.status_code == HTTPStatus.FOUND  # never 301: Off must take effect at once
    assert landing(response["Location"]) == DEFENDER_URL + target
    assert "no-store" in response["Cache-Control"]


def test_a_session_signed_in_after_on_is_routed(routed_client):
    assert_routed(routed_client.get("/timeline?severity=high&q=x"), "/alerts?severity=high")


def test_routed_session_lands_on_the_equivalent_page(routed_client, contoso):
    alert = AlertFactory(tenant=contoso)
    assert_routed(routed_client.get(f"/securityAlert/{alert.pk}"), f"/alerts/{alert.pk}")
    assert_routed(
        routed_client.get(f"/user/{alert.identity_id}"), f"/identities/{alert.identity_id}"
    )
    assert_routed(routed_client.get("/search?q=DC01"), "/search?q=DC01")
    assert_routed(routed_client.get("/no/such/page"), "/")


def test_a_session_signed_in_before_on_passes_untouched(old_client):
    response = old_client.get("/timeline")
    assert response.status_code == HTTPStatus.OK
    assert "Security alerts timeline" in response.content.decode()


def test_anonymous_requests_go_to_the_legacy_sign_in(legacy_client, contoso, contoso_admin, switch):
    switch(contoso, True, contoso_admin)
    response = legacy_client.get("/timeline")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/signin")


def test_static_files_pass_through(routed_client):
    response = routed_client.get("/static/css/legacy.css")
    assert response.status_code == HTTPStatus.OK
    assert b".timeline" in b"".join(response.streaming_content)


def test_sign_in_sign_out_and_health_check_pass_through(routed_client):
    # Already signed in: the sign-in page sends the session on, locally.
    response = routed_client.get("/signin")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"
    assert routed_client.get("/healthz").status_code == HTTPStatus.OK
    response = routed_client.post("/signout")
    assert response["Location"] == "http://login.localhost:8000/signedout?portal=legacy"
    assert routed_client.get("/signin")["Location"].startswith("http://login.localhost:8000/")


def test_the_defender_host_never_redirects(defender_client, contoso_analyst, contoso_admin, switch):
    switch(contoso_analyst.tenant, True, contoso_admin)
    sign_in(defender_client, contoso_analyst)
    assert defender_client.get("/alerts").status_code == HTTPStatus.OK
    # Legacy paths mean nothing on the Defender host: a plain 404, never a redirect.
    assert defender_client.get("/timeline").status_code == HTTPStatus.NOT_FOUND


def test_off_stops_routing_at_once(routed_client, contoso, contoso_admin, switch):
    assert_routed(routed_client.get("/timeline"), "/alerts")
    switch(contoso, False, contoso_admin)
    assert routed_client.get("/timeline").status_code == HTTPStatus.OK


def test_contoso_on_routes_contoso_and_not_fabrikam(
    legacy_client, contoso, contoso_admin, contoso_analyst, fabrikam_admin, clock, switch
):
    switch(contoso, True, contoso_admin)
    clock.advance()
    sign_in(legacy_client, fabrikam_admin)
    assert legacy_client.get("/timeline").status_code == HTTPStatus.OK
    contoso_browser = Client(HTTP_HOST=LEGACY_HOST)
    sign_in(contoso_browser, contoso_analyst)
    assert contoso_browser.get("/timeline").status_code == HTTPStatus.FOUND


def test_a_defender_session_carried_to_the_legacy_host_is_not_routed(
    defender_client, contoso_analyst, contoso_admin, clock, switch
):
    switch(contoso_analyst.tenant, True, contoso_admin)
    clock.advance()
    sign_in(defender_client, contoso_analyst)
    defender_client.defaults["HTTP_HOST"] = LEGACY_HOST
    response = defender_client.get("/timeline")
    assert response["Location"].startswith("/signin"), "treated as anonymous, not routed"


def test_propagation_window_routes_an_account_only_from_its_own_time(
    legacy_client, contoso, contoso_admin, clock, switch, settings
):
    settings.REDIRECTION_PROPAGATION_SECONDS = 3600
    from settings_ui.routing_rule import propagation_offset

    users = UserFactory.create_batch(20, tenant=contoso)
    late = max(users, key=lambda u: propagation_offset(contoso.pk, u.pk, 3600))
    switch(contoso, True, contoso_admin)
    sign_in(legacy_client, late)  # at enabled_at: before this account's turn
    assert legacy_client.get("/timeline").status_code == HTTPStatus.OK
    legacy_client.post("/signout")
    clock.advance(3600)
    sign_in(legacy_client, late)
    assert_routed(legacy_client.get("/timeline"), "/alerts")


@pytest.mark.parametrize("routed", [False, True], ids=["old-session", "new-session"])
def test_no_extra_query_on_a_warm_cache(
    legacy_client,
    contoso_analyst,
    contoso_admin,
    clock,
    switch,
    settings,
    django_assert_num_queries,
    routed,
):
    AlertFactory.create_batch(3, tenant=contoso_analyst.tenant)
    if routed:
        switch(contoso_analyst.tenant, True, contoso_admin)
        clock.advance()
        sign_in(legacy_client, contoso_analyst)
    else:
        sign_in(legacy_client, contoso_analyst)
        clock.advance()
        switch(contoso_analyst.tenant, True, contoso_admin)

    def queries_of(client) -> list[str]:
        client.get("/timeline")  # warms the state cache
        with CaptureQueriesContext(connection) as captured:
            client.get("/timeline")
        return [query["sql"] for query in captured]

    def count_queries(client) -> int:
        return len(queries_of(client))

    routed_queries = queries_of(legacy_client)
    with_middleware = len(routed_queries)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE_PATH]
    # A new client builds its middleware chain from the changed setting; same session cookie.
    baseline_client = Client(HTTP_HOST=LEGACY_HOST)
    baseline_client.cookies = legacy_client.cookies
    without_middleware = count_queries(baseline_client)
    assert baseline_client.get("/timeline").status_code == HTTPStatus.OK
    if routed:
        # The routed answer reads the session row, which is also the check that its sign-in
        # has not ended, and nothing else: fewer queries than serving the page.
        assert with_middleware == 1
        assert Session._meta.db_table in routed_queries[0], routed_queries
        assert without_middleware > with_middleware
        # The first client still has its chain with the middleware: still routed.
        assert legacy_client.get("/timeline").status_code == HTTPStatus.FOUND
    else:
        assert legacy_client.get("/timeline").status_code == HTTPStatus.OK
        with django_assert_num_queries(without_middleware):
            legacy_client.get("/timeline")


# ---------------------------------------------------------------- whatever the input


@pytest.fixture
def routed_session(contoso_analyst, contoso_admin, clock, switch):
    switch(contoso_analyst.tenant, True, contoso_admin)
    clock.advance()
    session = SessionStore()
    session[SESSION_KEY] = str(contoso_analyst.pk)
    remember_sign_in(session, portal=LEGACY, tenant_id=contoso_analyst.tenant_id, when=clock.now())
    return session


def _unreachable_view(request):
    return HttpResponse("passed through")


@hypothesis_settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300, deadline=None
)
@given(path=legacy_paths(), query=legacy_queries())
def test_no_request_makes_the_middleware_leave_the_defender_host(routed_session, path, query):
    path = "/" + path.lstrip("/") if not path.startswith("/") else path
    request = RequestFactory(HTTP_HOST=LEGACY_HOST).get(path, query)
    request.portal = LEGACY
    request.session = routed_session
    response = FormerPortalRedirectionMiddleware(_unreachable_view)(request)
    if response.status_code == HTTPStatus.OK:  # only the pass-through paths
        assert request.path_info.startswith(
            ("/signin", "/signout", "/healthz", "/favicon.ico", "/static/")
        )
        return
    location = landing(response["Location"])
    parts = urlsplit(location)
    assert (parts.scheme, parts.netloc) == ("http", "security.localhost:8000")
    assert parts.path.startswith("/") and not parts.path.startswith("//")
    assert url_has_allowed_host_and_scheme(location, allowed_hosts={"security.localhost:8000"})
    assert all(32 < ord(char) < 127 for char in location)


def test_the_middleware_leaves_other_portals_alone(routed_session):
    request = RequestFactory(HTTP_HOST=LEGACY_HOST).get("/timeline")
    request.portal = DEFENDER
    request.session = routed_session
    assert (
        FormerPortalRedirectionMiddleware(_unreachable_view)(request).status_code == HTTPStatus.OK
    )


# ---------------------------------------------------------------- the Security Center
def test_the_security_center_passes_through_while_endpoint_is_off(
    endpoint_client, contoso_analyst, contoso_admin, clock, switch
):
    switch(contoso_analyst.tenant, True, contoso_admin)  # Identity's switch: not Endpoint's
    clock.advance()
    sign_in(endpoint_client, contoso_analyst)
    for path in ("/", "/alerts?status=new", "/incidents", "/search?q=ws"):
        assert endpoint_client.get(path).status_code == HTTPStatus.OK, path


def test_each_workload_reads_its_own_state(contoso, contoso_admin, switch):
    switch(contoso, True, contoso_admin)
    assert get_state(contoso.pk, Workload.IDENTITY).enabled
    assert not get_state(contoso.pk, Workload.ENDPOINT).enabled
    assert {site: former.workload for site, former in FORMER_PORTALS.items()} == {
        LEGACY: "identity",
        ENDPOINT: "endpoint",
    }


@pytest.fixture
def endpoint_session(contoso_analyst, contoso_admin, clock, switch):
    """A Security Center session signed in after Endpoint's switch came On (Identity's Off)."""
    switch(contoso_analyst.tenant, True, contoso_admin, workload=Workload.ENDPOINT)
    clock.advance()
    session = SessionStore()
    session[SESSION_KEY] = str(contoso_analyst.pk)
    remember_sign_in(
        session, portal=ENDPOINT, tenant_id=contoso_analyst.tenant_id, when=clock.now()
    )
    return session


def test_the_same_middleware_routes_the_security_center_by_its_own_map(endpoint_session):
    request = RequestFactory(HTTP_HOST=ENDPOINT_HOST).get("/alerts", {"severity": "high"})
    request.portal = ENDPOINT
    request.session = endpoint_session
    response = FormerPortalRedirectionMiddleware(_unreachable_view)(request)
    assert_routed(response, "/alerts?service_source=endpoint&severity=high")
    request.portal = LEGACY  # Identity's switch is Off: the legacy portal keeps its sessions
    assert FormerPortalRedirectionMiddleware(_unreachable_view)(request).status_code == (
        HTTPStatus.OK
    )


@pytest.mark.parametrize("path", ["/signin", "/signout", "/healthz", "/favicon.ico", "/static/x"])
def test_the_security_centers_own_doors_always_pass(endpoint_session, path):
    request = RequestFactory(HTTP_HOST=ENDPOINT_HOST).get(path)
    request.portal = ENDPOINT
    request.session = endpoint_session
    response = FormerPortalRedirectionMiddleware(_unreachable_view)(request)
    assert response.status_code == HTTPStatus.OK
