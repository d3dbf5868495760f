"""Faults: an unreachable Redis costs nothing visible; an unreachable database answers 503."""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.db.utils import InterfaceError, OperationalError, ProgrammingError
from django.test import Client

import config.sessions
import settings_ui.state
from accounts.models import SignInSession
from tests.conftest import DEFENDER_HOST, LEGACY_HOST, sign_in
from tests.factories import UserFactory
from tests.redirection import landing

pytestmark = pytest.mark.django_db

CLOSED_REDIS_PORT = "redis://127.0.0.1:6390/0"


def client_for(host: str) -> Client:
    # The server's answer is under test, not the exception: keep the client from re-raising it.
    return Client(HTTP_HOST=host, raise_request_exception=False)


# ------------------------------------------------------------------ Redis unreachable
@pytest.fixture
def broken_redis(settings, monkeypatch):
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.PooledRedisCache",
            "LOCATION": CLOSED_REDIS_PORT,
            "OPTIONS": {"socket_connect_timeout": 0.05, "socket_timeout": 0.05},
        }
    }
    settings.SESSION_ENGINE = "config.sessions"
    settings.REDIRECTION_CACHE_SECONDS = 5
    # Each reader warns once a minute; start the minute with this test.
    monkeypatch.setattr(settings_ui.state.faults, "last_logged", -1e9)
    monkeypatch.setattr(config.sessions.faults, "last_logged", -1e9)


def cache_warnings(caplog) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in caplog.records:
        if record.levelno == logging.WARNING and "cache unreachable" in record.getMessage():
            counts[record.name] = counts.get(record.name, 0) + 1
    return counts


def test_with_redis_down_both_portals_work_from_the_database(
    broken_redis, switch, contoso, contoso_admin, caplog
):
    caplog.set_level(logging.WARNING)
    early = UserFactory(tenant=contoso)
    late = UserFactory(tenant=contoso)
    early_client, late_client = client_for(LEGACY_HOST), client_for(LEGACY_HOST)

    sign_in(early_client, early)
    switch(contoso, True, contoso_admin)
    sign_in(late_client, late)

    # A session signed in before the switch keeps the legacy portal, page after page.
    for path in ("/timeline", "/health", "/timeline"):
        assert early_client.get(path).status_code == HTTPStatus.OK

    # A session signed in after it is routed, in one hop, to the Defender portal.
    routed = late_client.get("/timeline")
    assert routed.status_code == HTTPStatus.FOUND
    target = urlsplit(landing(routed["Location"]))
    assert (target.hostname, target.path) == (DEFENDER_HOST, "/alerts")

    defender = client_for(DEFENDER_HOST)
    sign_in(defender, late)
    assert defender.get(target.path).status_code == HTTPStatus.OK

    # Signing out deletes the session from the database even though Redis is gone.
    assert early_client.post("/signout").status_code == HTTPStatus.FOUND
    assert SignInSession.objects.get(user=early).end_reason == SignInSession.EndReason.SIGNED_OUT
    assert early_client.get("/timeline").status_code == HTTPStatus.FOUND
    assert early_client.get("/timeline")["Location"].startswith("/signin")

    # Many failed cache calls, one warning per reader for the minute.
    assert cache_warnings(caplog) == {"settings_ui.state": 1, "config.sessions": 1}


def test_with_redis_down_the_health_check_names_the_cache_but_keeps_serving(
    broken_redis, legacy_client
):
    # Pages still work from the database, so a load balancer must not take the instance out.
    response = legacy_client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unreachable"}


def test_the_health_check_reports_ok_when_all_is_well(legacy_client):
    response = legacy_client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


# ------------------------------------------------------------------ database unreachable
def database_down(error_class=OperationalError):
    def refuse(execute, sql, params, many, context):
        raise error_class("could not connect to server: Connection refused")

    return connection.execute_wrapper(refuse)


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("error_class", [OperationalError, InterfaceError])
def test_a_signed_in_page_answers_503_while_the_database_is_down(
    settings, contoso_analyst, debug, error_class
):
    settings.DEBUG = debug
    client = client_for(LEGACY_HOST)
    sign_in(client, contoso_analyst)
    with database_down(error_class):
        response = client.get("/timeline")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Service unavailable" in page
    assert "Traceback" not in page
    assert "Connection refused" not in page
    assert "Content-Security-Policy" in response


def test_signing_in_while_the_database_is_down_answers_503(contoso_analyst):
    client = client_for(DEFENDER_HOST)
    with database_down():
        response = client.post(
            "/signin", {"username": contoso_analyst.email, "password": "anything"}
        )
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE


def test_with_the_database_down_the_health_check_names_it():
    client = client_for(LEGACY_HOST)
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json() == {"status": "unavailable", "database": "unreachable", "cache": "ok"}


def test_other_database_errors_stay_500s(settings, contoso_analyst):
    """The 503 page is for outages only: it must not hide a bug behind "try again later"."""
    settings.DEBUG = False
    client = client_for(LEGACY_HOST)
    sign_in(client, contoso_analyst)
    with database_down(ProgrammingError):
        response = client.get("/timeline")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
