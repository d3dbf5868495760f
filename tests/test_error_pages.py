"""Error pages in each portal's own look, telling nothing; headers on them and on private pages."""

from __future__ import annotations

import re
from html import unescape
from http import HTTPStatus

import pytest
from django.db.utils import ProgrammingError
from django.test import Client

from settings_ui.support import ensure_support_group
from tests.conftest import DEFENDER_HOST, LEGACY_HOST, sign_in
from tests.factories import UserFactory
from tests.test_faults import database_down
from tests.test_security_headers import assert_security_headers

pytestmark = pytest.mark.django_db

# The layout's own mark: each portal's header, and the neutral page's body.
LOOK = {DEFENDER_HOST: 'class="topbar"', LEGACY_HOST: 'class="legacy-header"'}
PORTAL = {DEFENDER_HOST: "defender", LEGACY_HOST: "legacy"}
# What Django's own pages say, and what no page of ours may show.
LEAKS = ("Traceback", "URLconf", "Django", "DisallowedHost", "CSRF", "Using the URLconf", "Reason")
MISSING = {DEFENDER_HOST: "/alerts/999999", LEGACY_HOST: "/securityAlert/999999"}


def client_for(host: str, **options) -> Client:
    return Client(HTTP_HOST=host, raise_request_exception=False, **options)


def assert_error_page(response, status: HTTPStatus, look: str, heading: str) -> None:
    assert response.status_code == status
    page = response.content.decode()
    assert look in page
    shown = re.search(r'<h1 id="error-title">(.*?)</h1>', page)
    assert shown and unescape(shown.group(1)) == heading
    for leak in LEAKS:
        assert leak not in page, leak


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("host", [DEFENDER_HOST, LEGACY_HOST])
def test_a_deep_link_to_a_missing_object_gets_the_portals_404(settings, host, debug, contoso_admin):
    settings.DEBUG = debug
    client = client_for(host)
    sign_in(client, contoso_admin)
    response = client.get(MISSING[host])
    assert_error_page(response, HTTPStatus.NOT_FOUND, LOOK[host], "Page not found")
    if debug:  # django-csp leaves debug 404s alone; the other headers stay
        assert response["X-Frame-Options"] == "DENY"
    else:
        assert_security_headers(response, PORTAL[host])


@pytest.mark.parametrize("host", [DEFENDER_HOST, LEGACY_HOST])
def test_an_unknown_path_gets_the_portals_404(settings, host, contoso_admin):
    settings.DEBUG = False
    client = client_for(host)
    sign_in(client, contoso_admin)
    response = client.get("/no/such/page")
    assert_error_page(response, HTTPStatus.NOT_FOUND, LOOK[host], "Page not found")


@pytest.mark.parametrize("host", [DEFENDER_HOST, LEGACY_HOST])
def test_a_server_error_gets_the_portals_500_without_detail(settings, host, contoso_admin):
    settings.DEBUG = False
    client = client_for(host)
    sign_in(client, contoso_admin)
    with database_down(ProgrammingError):
        response = client.get(MISSING[host])
    assert_error_page(
        response, HTTPStatus.INTERNAL_SERVER_ERROR, LOOK[host], "Something went wrong"
    )
    assert "Connection refused" not in response.content.decode()


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("host", [DEFENDER_HOST, LEGACY_HOST])
def test_a_failed_csrf_check_gets_the_portals_page(settings, host, debug):
    settings.DEBUG = debug
    client = client_for(host, enforce_csrf_checks=True)
    response = client.post("/signin", {"username": "a@contoso.example", "password": "x"})
    assert_error_page(response, HTTPStatus.FORBIDDEN, LOOK[host], "This form has expired")
    assert_security_headers(response, PORTAL[host])


def test_a_console_page_support_may_not_open_gets_the_defender_403(settings, defender_client):
    settings.DEBUG = False
    support = UserFactory(tenant=None, is_staff=True)
    support.groups.add(ensure_support_group()[0])
    sign_in(defender_client, support)
    response = defender_client.get("/admin/auth/group/")
    assert_error_page(
        response, HTTPStatus.FORBIDDEN, LOOK[DEFENDER_HOST], "You don't have access to this page"
    )


def test_an_unknown_host_gets_a_neutral_400_with_every_header(settings):
    settings.DEBUG = False
    response = client_for("evil.example").get("/")
    assert_error_page(response, HTTPStatus.BAD_REQUEST, 'class="start"', "Bad request")
    assert "evil.example" not in response.content.decode()
    assert_security_headers(response, "service")


# ------------------------------------------------------------------ private pages
@pytest.mark.parametrize(
    "host, path",
    [
        (DEFENDER_HOST, "/alerts"),
        (DEFENDER_HOST, "/preferences2/portal_redirection"),
        (DEFENDER_HOST, "/api/v1/portal-redirection"),
        (DEFENDER_HOST, "/admin/"),
        (LEGACY_HOST, "/timeline"),
        (LEGACY_HOST, "/health"),
    ],
)
def test_pages_with_tenant_data_are_kept_by_no_cache(host, path, contoso_admin):
    client = Client(HTTP_HOST=host)
    contoso_admin.is_staff = True
    contoso_admin.is_superuser = True
    contoso_admin.save()
    sign_in(client, contoso_admin)
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
