"""Faults: an unreachable Redis costs nothing visible; an unreachable database answers 503."""

from __future__ import annotations

import logging
import socket
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.db.utils import InterfaceError, OperationalError, ProgrammingError
from django.test import Client

from accounts.models import SignInSession
from tests.conftest import DEFENDER_HOST, IDENTITY_HOST, LEGACY_HOST, sign_in
from tests.factories import UserFactory
from tests.redirection import landing
from tests.redis_link import use_redis

pytestmark = pytest.mark.django_db


def client_for(host: str) -> Client:
    # The server's answer is under test, not the exception: keep the client from re-raising it.
    return Client(HTTP_HOST=host, raise_request_exception=False)


# ------------------------------------------------------------------ Redis unreachable
@pytest.fixture
def broken_redis(settings):
    # A port bound but not listening refuses every connection, and is this test's own.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        use_redis(settings, f"redis://127.0.0.1:{closed.getsockname()[1]}/0")
        yield


def cache_warnings(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and record.name == "web.cache"
    ]


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
    assert (
        SignInSession.objects.get(user=early, portal="legacy").end_reason
        == SignInSession.EndReason.SIGNED_OUT
    )
    assert early_client.get("/timeline").status_code == HTTPStatus.FOUND
    assert early_client.get("/timeline")["Location"].startswith("/signin")

    # Many skipped cache calls, one warning: when the circuit opened.
    [warning] = cache_warnings(caplog)
    assert warning.startswith("cache unreachable, reading from the database for the next 30 s")


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
    client = client_for(IDENTITY_HOST)
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
