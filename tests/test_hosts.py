"""Host routing: one project, three portals and the directory, each host its own pages."""

from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse

from tests.conftest import DEFENDER_HOST, ENDPOINT_HOST, IDENTITY_HOST, LEGACY_HOST, sign_in
from web.hosts import ENDPOINT, PORTALS, URLCONFS, portal_for_host

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("host", [DEFENDER_HOST, LEGACY_HOST, ENDPOINT_HOST])
def test_each_portal_signs_in_through_the_directory_host_with_its_own_callback(host):
    authorize = urlsplit(Client(HTTP_HOST=host).get("/signin")["Location"])
    assert authorize.hostname == IDENTITY_HOST
    assert parse_qs(authorize.query)["redirect_uri"] == [f"http://{host}:8000/signin/callback"]


def test_every_site_is_told_apart_by_its_host():
    assert portal_for_host(ENDPOINT_HOST) == ENDPOINT
    assert {portal_for_host(host) for host in (DEFENDER_HOST, LEGACY_HOST, ENDPOINT_HOST)} == set(
        PORTALS
    )
    assert portal_for_host("localhost") == "service"


def test_the_directory_host_answers_its_discovery_document():
    response = Client(HTTP_HOST=IDENTITY_HOST).get("/.well-known/openid-configuration")
    document = response.json()
    assert document["issuer"] == "http://login.localhost:8000"
    assert document["end_session_endpoint"] == "http://login.localhost:8000/oauth2/logout"


def test_unknown_host_is_refused_with_400():
    response = Client(HTTP_HOST="evil.example").get("/signin")
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_portal_pages_need_a_signed_in_user(defender_client, legacy_client, endpoint_client):
    assert defender_client.get("/").url == "/signin?next=/"
    assert legacy_client.get("/timeline").url == "/signin?next=/timeline"
    assert endpoint_client.get("/alerts").url == "/signin?next=/alerts"


def test_each_portals_paths_are_its_own(endpoint_client, legacy_client, contoso_admin):
    sign_in(endpoint_client, contoso_admin)
    for path in ("/timeline", "/identities", "/settings", "/admin/"):
        assert endpoint_client.get(path).status_code == HTTPStatus.NOT_FOUND, path
    sign_in(legacy_client, contoso_admin)
    assert legacy_client.get("/api/alerts").status_code == HTTPStatus.NOT_FOUND


def test_legacy_paths_do_not_exist_on_the_defender_portal(defender_client, contoso_admin):
    sign_in(defender_client, contoso_admin)
    assert defender_client.get("/timeline").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "signed_in, other",
    [(DEFENDER_HOST, LEGACY_HOST), (DEFENDER_HOST, ENDPOINT_HOST), (ENDPOINT_HOST, LEGACY_HOST)],
)
def test_signing_in_to_one_portal_does_not_sign_in_to_another(contoso_analyst, signed_in, other):
    first = Client(HTTP_HOST=signed_in)
    sign_in(first, contoso_analyst)
    cookie = first.cookies["sessionid"]
    assert not cookie["domain"], "session cookies stay host-only"
    second = Client(HTTP_HOST=other)
    second.cookies["sessionid"] = cookie.value  # the same key carried across by hand
    response = second.get("/search")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/signin")


def test_start_page_lists_both_portals_and_demo_accounts_in_debug(settings):
    settings.DEBUG = True
    response = Client(HTTP_HOST="localhost").get("/")
    assert response.status_code == HTTPStatus.OK
    assert b"http://security.localhost:8000" in response.content
    assert b"http://portal.atp.localhost:8000" in response.content
    assert b"http://securitycenter.localhost:8000" in response.content
    assert (
        b'<a href="http://security.localhost:8000/admin/">Support console</a>' in response.content
    )
    assert b"reader@contoso.example" in response.content


def test_start_page_is_hidden_outside_debug(settings):
    settings.DEBUG = False
    assert Client(HTTP_HOST="localhost").get("/").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("host", [DEFENDER_HOST, LEGACY_HOST, ENDPOINT_HOST, "localhost"])
def test_health_check_answers_on_every_host(host):
    response = Client(HTTP_HOST=host).get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


@pytest.mark.parametrize(
    "host", [DEFENDER_HOST, LEGACY_HOST, ENDPOINT_HOST, IDENTITY_HOST, "localhost"]
)
def test_every_site_has_a_favicon_of_its_own(host, settings):
    settings.DEBUG = True
    response = Client(HTTP_HOST=host).get("/favicon.ico")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "image/x-icon"
    assert response.content.startswith(b"\x00\x00\x01\x00")  # an icon file, not a page


def test_a_routed_session_still_gets_the_favicon(
    contoso, contoso_admin, contoso_analyst, switch, clock
):
    switch(contoso, True, contoso_admin)
    clock.advance()
    legacy = Client(HTTP_HOST=LEGACY_HOST)
    sign_in(legacy, contoso_analyst)
    assert legacy.get("/timeline").status_code == HTTPStatus.FOUND
    assert legacy.get("/favicon.ico").status_code == HTTPStatus.OK


# ------------------------------------------------------------------ the way to sign in
@pytest.mark.parametrize(
    "host, path",
    [
        (DEFENDER_HOST, "/"),
        (DEFENDER_HOST, "/alerts/1?x=%2F%2Fevil.example"),
        (DEFENDER_HOST, "/search?q=é ü&next=//evil.example"),
        (LEGACY_HOST, "/timeline?severity=high&q=a b"),
        (LEGACY_HOST, "/securityAlert/1?#frag"),
        (LEGACY_HOST, "/search?q=%C3%A9"),
        (ENDPOINT_HOST, "/alerts?status=new&severity=high"),
        (ENDPOINT_HOST, "/machines/1?x=%2F%2Fevil.example"),
    ],
)
def test_a_signed_out_visit_is_answered_as_django_answers_it(settings, host, path):
    """The sign-in path is worked out once per site; the answer is Django's own, to the byte."""
    ours = Client().get(path, headers={"host": host})
    settings.MIDDLEWARE = [
        "django.contrib.auth.middleware.LoginRequiredMiddleware"
        if name == "accounts.middleware.SignInRequiredMiddleware"
        else name
        for name in settings.MIDDLEWARE
    ]
    djangos = Client().get(path, headers={"host": host})
    assert ours.status_code == djangos.status_code == 302
    assert ours["Location"] == djangos["Location"]
    assert ours["Location"].startswith("/signin?next=/")


# ------------------------------------------------------------------ each site's URLconf
def _named_patterns(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace != "admin":  # Django's own, tested by Django
                yield from _named_patterns(entry.url_patterns, inner)
        elif entry.name:
            yield f"{namespace}{entry.name}", entry


@pytest.mark.parametrize("urlconf", sorted(set(URLCONFS.values())))
def test_every_named_path_resolves_to_its_own_view(urlconf):
    """The order of a site's patterns is free only while no path is shared: none shadows."""
    named = list(_named_patterns(get_resolver(urlconf).url_patterns))
    assert named
    for name, pattern in named:
        kwargs = {key: 1 for key in pattern.pattern.converters}
        path = reverse(name, kwargs=kwargs, urlconf=urlconf)
        assert resolve(path, urlconf=urlconf).view_name == name, path
