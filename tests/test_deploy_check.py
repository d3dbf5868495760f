"""`manage.py check --deploy` under production settings, and what those settings turn on."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests import manage_process

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k3Q!vR8#zL1@pX6$wN4%tH9^bM2&cJ7*fD5(gS0)yA-uE=iO+lK_qW~rT|eY",
    "DEFENDER_PORTAL_URL": "https://security.contoso-defender.example",
    "LEGACY_PORTAL_URL": "https://portal.atp.contoso-defender.example",
    "ENDPOINT_PORTAL_URL": "https://securitycenter.contoso-defender.example",
    "IDENTITY_URL": "https://login.contoso-defender.example",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return manage_process.run_manage(*args, **{**PRODUCTION_ENV, **env})


def production_settings(*names: str, **env: str) -> dict:
    """The named settings as the production settings module computes them."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}))"
    )
    result = run_manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_prints_no_warning_under_production_settings():
    result = run_manage("check", "--deploy")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNINGS" not in output


def test_check_deploy_fails_without_a_secret_key():
    result = run_manage("check", "--deploy", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_https_portals_redirect_plain_http_except_the_health_check():
    values = production_settings("SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT")
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_REDIRECT_EXEMPT"] == ["^healthz$"]


def test_portals_published_over_http_are_not_redirected_and_the_check_says_so():
    """What `make serve` runs: http://*.localhost portals, where https would lead nowhere."""
    local = {
        "DEFENDER_PORTAL_URL": "http://security.localhost:8000",
        "IDENTITY_URL": "http://login.localhost:8000",
        "LEGACY_PORTAL_URL": "http://portal.atp.localhost:8000",
        "ENDPOINT_PORTAL_URL": "http://securitycenter.localhost:8000",
    }
    assert production_settings("SECURE_SSL_REDIRECT", **local)["SECURE_SSL_REDIRECT"] is False
    result = run_manage("check", "--deploy", "--fail-level", "ERROR", **local)
    assert result.returncode == 0
    assert "security.W008" in result.stdout + result.stderr


def test_the_ssl_redirect_can_be_turned_off_by_its_variable():
    values = production_settings("SECURE_SSL_REDIRECT", DJANGO_SECURE_SSL_REDIRECT="false")
    assert values["SECURE_SSL_REDIRECT"] is False


def test_production_cookies_and_transport_security():
    values = production_settings(
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_SAMESITE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_PROXY_SSL_HEADER",
    )
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_HSTS_SECONDS": 365 * 24 * 60 * 60,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


TRANSPORT = (
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
)


def test_debug_alone_changes_no_transport_security():
    """A debug run over https is as strict as production; only the portal URLs decide."""
    assert production_settings(*TRANSPORT, DJANGO_DEBUG="true") == production_settings(*TRANSPORT)


def test_each_transport_setting_has_its_own_variable():
    values = production_settings(
        *TRANSPORT,
        DJANGO_SECURE_COOKIES="false",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SECURE_HSTS_SECONDS="60",
    )
    assert values == {
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 60,
    }


def test_a_run_without_debug_over_plain_http_is_warned_about_its_cookies():
    local = {
        "DEFENDER_PORTAL_URL": "http://security.localhost:8000",
        "LEGACY_PORTAL_URL": "http://portal.atp.localhost:8000",
        "ENDPOINT_PORTAL_URL": "http://securitycenter.localhost:8000",
    }
    result = run_manage("check", **local)
    assert result.returncode == 0
    assert "portals.W001" in result.stderr
    secured = run_manage("check", DJANGO_SECURE_COOKIES="true", **local)
    assert "portals.W001" not in secured.stderr


def test_a_run_without_debug_is_warned_when_static_files_are_unhashed():
    result = run_manage("check", DJANGO_STATIC_MANIFEST="false")
    assert result.returncode == 0
    assert "portals.W002" in result.stderr
    assert "portals.W002" not in run_manage("check").stderr


@pytest.mark.parametrize("redis_url", ["", "redis://127.0.0.1:6390/0"], ids=["embedded", "redis"])
def test_sessions_live_in_the_database_whatever_the_cache(redis_url):
    assert production_settings("SESSION_ENGINE", REDIS_URL=redis_url)["SESSION_ENGINE"] == (
        "accounts.sessions"
    )
