"""Security headers on every page of the four sites, and templates that a strict CSP allows."""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse

from tests.conftest import directory_of, sign_in
from web.middleware import PortalCSPMiddleware

pytestmark = pytest.mark.django_db

# The pages' Jinja2 templates and, under admin/, the support console's Django ones.
TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"]

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}


def policy_of(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";"))
    return {words[0]: words[1:] for words in directives if words}


def expected_policy(portal: str) -> dict[str, list[str]]:
    if portal == "service":
        return EXPECTED_POLICY  # health checks and the start page: no form leaves them
    # Sign-in and sign-out forms redirect through the directory and the portals, and browsers
    # hold those redirects to form-action too.
    sites = [
        settings.DEFENDER_PORTAL_URL,
        settings.LEGACY_PORTAL_URL,
        settings.ENDPOINT_PORTAL_URL,
        settings.IDENTITY_URL,
    ]
    return {**EXPECTED_POLICY, "form-action": ["'self'", *sites]}


def assert_security_headers(response, portal: str) -> None:
    assert policy_of(response) == expected_policy(portal)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def clients(defender_client, legacy_client, endpoint_client) -> dict:
    return {"defender": defender_client, "legacy": legacy_client, "endpoint": endpoint_client}


@pytest.mark.parametrize("portal", ["defender", "legacy", "endpoint"])
def test_the_sign_in_page_carries_the_headers(portal, clients):
    client = clients[portal]
    assert_security_headers(client.get("/signin"), portal)  # on to the directory
    response = directory_of(client).get("/signin")
    assert response.status_code == HTTPStatus.OK
    assert_security_headers(response, "directory")


@pytest.mark.parametrize(
    "portal, path",
    [
        ("defender", "/"),
        ("defender", "/alerts"),
        ("legacy", "/timeline"),
        ("legacy", "/health"),
        ("endpoint", "/alerts"),
        ("endpoint", "/incidents"),
    ],
)
def test_signed_in_pages_carry_the_headers(portal, path, clients, contoso_analyst):
    client = clients[portal]
    sign_in(client, contoso_analyst)
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    assert_security_headers(response, portal)


def test_redirects_and_the_health_check_carry_the_headers(legacy_client, defender_client):
    assert_security_headers(legacy_client.get("/timeline"), "legacy")  # to the sign-in page
    assert_security_headers(defender_client.get("/healthz"), "defender")


def test_the_siem_api_carries_the_headers(endpoint_client):
    assert_security_headers(endpoint_client.get("/api/alerts"), "endpoint")  # a 401


def test_forms_may_end_on_the_configured_sites_and_issuer(settings, legacy_client):
    settings.DEFENDER_PORTAL_URL = "https://security.contoso-defender.example"
    settings.OIDC_ISSUER = "https://login.example.net/tenant/v2.0"
    legacy = policy_of(legacy_client.get("/healthz"))["form-action"]
    assert "https://security.contoso-defender.example" in legacy
    assert "https://login.example.net" in legacy


def test_the_lockout_page_carries_the_headers(settings, legacy_client, contoso_analyst):
    settings.AXES_FAILURE_LIMIT = 1
    response = directory_of(legacy_client).post(
        "/signin", {"username": contoso_analyst.email, "password": "not-the-password"}
    )
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert_security_headers(response, "directory")


def test_the_policy_allows_no_inline_script_or_style(defender_client):
    policy = policy_of(directory_of(defender_client).get("/signin"))
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]


# Markup that the policy above would block in a browser: inline script, style blocks and
# attributes, and event-handler attributes.
INLINE_CODE = {
    "an inline <script> (no src)": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "a <style> block": re.compile(r"<style\b", re.IGNORECASE),
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event-handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


@pytest.mark.parametrize(
    "template",
    sorted(path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")),
    ids=lambda path: str(path.relative_to(settings.BASE_DIR)),
)
def test_templates_hold_no_inline_code(template):
    text = template.read_text()
    found = [what for what, pattern in INLINE_CODE.items() if pattern.search(text)]
    assert not found, f"{template.name} has {', '.join(found)}; use static/js or static/css"


def test_the_legacy_policy_follows_a_changed_defender_address(legacy_client, settings):
    # Each portal's policy is built once; a new Defender address must still reach it.
    assert_security_headers(legacy_client.get("/signin"), "legacy")
    settings.DEFENDER_PORTAL_URL = "https://defender.example.net"
    policy = policy_of(legacy_client.get("/signin"))
    assert "https://defender.example.net" in policy["form-action"]


def test_an_answer_with_its_own_policy_keeps_it(rf):
    answer = HttpResponse()
    answer["Content-Security-Policy"] = "img-src https://images.example"
    request = rf.get("/")
    request.portal = "defender"
    response = PortalCSPMiddleware(lambda request: answer)(request)
    assert policy_of(response) == {"img-src": ["https://images.example"]}


def test_every_site_gets_the_policy_from_the_settings(settings, legacy_client):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'"]}
    }
    assert policy_of(legacy_client.get("/healthz"))["img-src"] == ["'self'"]
