"""Start-up refuses unsafe or ambiguous configuration, each with one clear message."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.manage_process import run_manage


def test_missing_secret_key_outside_debug_stops_start_up():
    result = run_manage("check", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_missing_signing_key_outside_debug_stops_start_up():
    result = run_manage(
        "check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 60, OIDC_RSA_PRIVATE_KEY=""
    )
    assert result.returncode != 0
    assert "OIDC_RSA_PRIVATE_KEY is not set" in result.stderr


def test_secret_key_given_outside_debug_starts():
    result = run_manage("check", DJANGO_DEBUG="false", DJANGO_SECRET_KEY="x" * 60)
    assert result.returncode == 0, result.stderr


def test_both_portals_on_one_host_fails_the_system_check():
    result = run_manage(
        "check",
        DJANGO_DEBUG="true",
        DEFENDER_PORTAL_URL="http://portal.example:8000",
        LEGACY_PORTAL_URL="http://portal.example:9000",
    )
    assert result.returncode != 0
    assert "portals.E001" in result.stderr


def test_the_check_runs_in_process_too(settings):
    settings.LEGACY_PORTAL_URL = settings.DEFENDER_PORTAL_URL
    with pytest.raises(SystemCheckError, match="share the host"):
        call_command("check")


@pytest.mark.parametrize("other", ["DEFENDER_PORTAL_URL", "LEGACY_PORTAL_URL", "IDENTITY_URL"])
def test_the_security_center_needs_a_host_of_its_own(settings, other):
    settings.ENDPOINT_PORTAL_URL = getattr(settings, other)
    pair = f"({other} and ENDPOINT_PORTAL_URL|ENDPOINT_PORTAL_URL and {other})"
    with pytest.raises(SystemCheckError, match=f"{pair} share the host"):
        call_command("check")


def test_portal_url_with_a_path_is_refused():
    result = run_manage("check", DJANGO_DEBUG="true", DEFENDER_PORTAL_URL="http://x.example/sub")
    assert result.returncode != 0
    assert "must be an origin only" in result.stderr


def test_a_run_without_debug_hashes_static_files_and_secures_cookies_over_https():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "from django.core.files.storage import storages; "
        "from whitenoise.storage import CompressedManifestStaticFilesStorage as hashed; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "isinstance(storages['staticfiles'], hashed))",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="x" * 60,
        DEFENDER_PORTAL_URL="https://security.example",
        LEGACY_PORTAL_URL="https://portal.atp.example",
        ENDPOINT_PORTAL_URL="https://securitycenter.example",
    )
    assert result.stdout.split() == ["True", "True", "True"]


def test_one_portal_over_plain_http_keeps_every_cookie_off_secure():
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE)",
        DJANGO_DEBUG="true",
        DEFENDER_PORTAL_URL="https://security.example",
        LEGACY_PORTAL_URL="https://portal.atp.example",
        ENDPOINT_PORTAL_URL="http://securitycenter.example",
    )
    assert result.stdout.split() == ["False"]
