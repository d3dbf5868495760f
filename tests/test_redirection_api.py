"""JSON API /api/v1/portal-redirection: roles, bodies, CSRF, methods; nothing changes on error."""

from __future__ import annotations

import json
from datetime import datetime
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client

from settings_ui.models import ChangeSource, Feedback, PortalRedirection, RedirectionChange
from settings_ui.services import set_portal_redirection
from tests.conftest import DEFENDER_HOST, sign_in
from tests.test_faults import database_down
from tests.test_portal_redirection_page import (
    ACCOUNT_KINDS,
    CHANGERS,
    VIEWERS,
    make_account,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/portal-redirection"


def send(client: Client, method: str, body, **extra):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return getattr(client, method)(API, data=data, content_type="application/json", **extra)


def snapshot(tenant) -> tuple:
    """Everything an API call could change, to compare before and after."""
    row = PortalRedirection.objects.filter(tenant=tenant).values().first()
    return (row, RedirectionChange.objects.count(), Feedback.objects.count())


@pytest.fixture
def admin(defender_client, contoso, fabrikam):
    user = make_account("global_administrator", contoso, fabrikam)
    sign_in(defender_client, user)
    return user


# ------------------------------------------------------------------ roles
@pytest.mark.parametrize("kind", ACCOUNT_KINDS)
def test_get_for_every_kind_of_account(kind, defender_client, contoso, fabrikam):
    sign_in(defender_client, make_account(kind, contoso, fabrikam))
    response = defender_client.get(API)
    if kind in VIEWERS:
        assert response.status_code == HTTPStatus.OK
        assert response.json() == {
            "tenant": "contoso.example",
            "workload": "identity",
            "enabled": False,
            "enabled_at": None,
            "updated_at": None,
            "updated_by": None,
            "scope": "everyone",
            "pilot_accounts": [],
            "scheduled_on_at": None,
            "scheduled_off_at": None,
        }
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert response.json()["error"]


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("kind", ACCOUNT_KINDS)
def test_write_for_every_kind_of_account(kind, method, defender_client, contoso, fabrikam):
    user = make_account(kind, contoso, fabrikam)
    sign_in(defender_client, user)
    response = send(defender_client, method, {"enabled": True})
    if kind in CHANGERS:
        assert response.status_code == HTTPStatus.OK
        body = response.json()
        assert (body["tenant"], body["enabled"], body["updated_by"]) == (
            "contoso.example",
            True,
            user.email,
        )
        change = RedirectionChange.objects.get()
        assert (change.actor, change.source) == (user, ChangeSource.API)
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert "error" in response.json()
        assert snapshot(contoso) == (None, 0, 0)


def test_admin_of_another_tenant_cannot_touch_either_tenant(defender_client, contoso, fabrikam):
    sign_in(defender_client, make_account("admin_of_another_tenant", contoso, fabrikam))
    assert send(defender_client, "put", {"enabled": True}).status_code == HTTPStatus.FORBIDDEN
    assert snapshot(contoso) == (None, 0, 0)
    assert snapshot(fabrikam) == (None, 0, 0)


def test_anonymous_gets_401_json(defender_client, contoso):
    responses = [defender_client.get(API)]
    responses += [send(defender_client, method, {"enabled": True}) for method in ("put", "patch")]
    for response in responses:
        assert response.status_code == HTTPStatus.UNAUTHORIZED
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"] == "Sign in to use this API."
    assert snapshot(contoso) == (None, 0, 0)


# ------------------------------------------------------------------ what it answers
def test_state_after_a_change_is_complete_and_iso(admin, defender_client):
    put = send(defender_client, "put", {"enabled": True}).json()
    got = defender_client.get(API)
    assert got["Cache-Control"].startswith("max-age=0")
    assert "no-store" in got["Cache-Control"]
    assert got.json() == put
    assert put["updated_by"] == admin.email
    enabled_at = datetime.fromisoformat(put["enabled_at"])
    assert enabled_at.tzinfo is not None
    assert datetime.fromisoformat(put["updated_at"]) == enabled_at


def test_off_keeps_enabled_at_of_the_last_on(admin, defender_client):
    on = send(defender_client, "patch", {"enabled": True}).json()
    off = send(defender_client, "patch", {"enabled": False}).json()
    assert off["enabled"] is False
    assert off["enabled_at"] == on["enabled_at"]
    assert off["updated_at"] > on["updated_at"]


def test_repeat_write_is_a_no_op(admin, defender_client, contoso):
    first = send(defender_client, "put", {"enabled": True}).json()
    again = send(defender_client, "put", {"enabled": True})
    assert again.status_code == HTTPStatus.OK
    assert again.json() == first
    assert RedirectionChange.objects.count() == 1


def test_off_with_feedback_is_stored(admin, defender_client, contoso):
    set_portal_redirection(contoso, True, actor=admin, source=ChangeSource.WEB)
    response = send(defender_client, "patch", {"enabled": False, "feedback": "Missing a filter"})
    assert response.status_code == HTTPStatus.OK
    feedback = Feedback.objects.get()
    assert (feedback.message, feedback.category, feedback.user, feedback.tenant) == (
        "Missing a filter",
        "redirection",
        admin,
        contoso,
    )
    assert feedback.from_path == "/preferences2/portal_redirection"


def test_audit_records_ip_and_user_agent(admin, defender_client):
    send(defender_client, "put", {"enabled": True}, HTTP_USER_AGENT="curl/8.5")
    change = RedirectionChange.objects.get()
    assert (change.ip_address, change.user_agent) == ("127.0.0.1", "curl/8.5")


# ------------------------------------------------------------------ refusals change nothing
BAD_BODIES = {
    "not json": b"enabled=false",
    "truncated json": b'{"enabled": false',
    "not utf-8": b'{"enabled": "\xff"}',
    "empty": b"",
    "array": b"[false]",
    "string": b'"off"',
    "missing enabled": b"{}",
    "string enabled": b'{"enabled": "false"}',
    "number enabled": b'{"enabled": 0}',
    "null enabled": b'{"enabled": null}',
    "unknown field": b'{"enabled": false, "reason": "x"}',
    "feedback not a string": b'{"enabled": false, "feedback": 5}',
    "feedback too long": json.dumps({"enabled": False, "feedback": "x" * 2001}).encode(),
    "feedback when turning on": b'{"enabled": true, "feedback": "x"}',
    "over 64 KB": json.dumps({"enabled": False, "feedback": " " * 70_000}).encode(),
    "nested too deeply": b'{"enabled": ' + b"[" * 2000,
    "lone surrogate in feedback": b'{"enabled": false, "feedback": "why \\ud800"}',
    "NUL in feedback": b'{"enabled": false, "feedback": "why \\u0000 not"}',
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
@pytest.mark.parametrize("method", ["put", "patch"])
def test_bad_body_is_refused_and_changes_nothing(body, method, admin, defender_client, contoso):
    set_portal_redirection(contoso, True, actor=admin, source=ChangeSource.WEB)
    before = snapshot(contoso)
    response = send(defender_client, method, body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert isinstance(response.json()["error"], str) and response.json()["error"]
    assert snapshot(contoso) == before


def test_error_message_names_the_problem(admin, defender_client):
    assert "64 KB" in send(defender_client, "put", BAD_BODIES["over 64 KB"]).json()["error"]
    unknown = send(defender_client, "put", BAD_BODIES["unknown field"]).json()["error"]
    assert "reason" in unknown
    assert "On or Off" in send(defender_client, "put", b'{"enabled": 1}').json()["error"]


def test_the_longest_feedback_fits_however_it_is_escaped(admin, defender_client, contoso):
    set_portal_redirection(contoso, True, actor=admin, source=ChangeSource.WEB)
    longest = "\U0001f600" * Feedback.MAX_MESSAGE_LENGTH  # each one an escaped surrogate pair
    body = json.dumps({"enabled": False, "feedback": longest}).encode()
    assert len(body) > 24_000
    assert send(defender_client, "patch", body).status_code == HTTPStatus.OK
    assert Feedback.objects.get().message == longest


@pytest.mark.parametrize("method", ["post", "delete"])
def test_other_methods_are_405(method, admin, defender_client, contoso):
    response = send(defender_client, method, {"enabled": True})
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert "error" in response.json()
    assert "PATCH" in response["Allow"]
    assert snapshot(contoso) == (None, 0, 0)


def test_csrf_is_enforced_on_writes(contoso, fabrikam):
    client = Client(enforce_csrf_checks=True, HTTP_HOST=DEFENDER_HOST)
    sign_in(client, make_account("global_administrator", contoso, fabrikam))
    client.get("/preferences2/portal_redirection")  # sets the CSRF cookie, as the page does
    token = client.cookies["csrftoken"].value

    for method in ("put", "patch"):
        refused = send(client, method, {"enabled": True})
        assert refused.status_code == HTTPStatus.FORBIDDEN
        assert "CSRF" in refused.json()["error"]
    assert snapshot(contoso) == (None, 0, 0)

    assert client.get(API).status_code == HTTPStatus.OK  # reads need no token
    accepted = send(client, "patch", {"enabled": True}, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == HTTPStatus.OK
    assert PortalRedirection.objects.get(tenant=contoso).enabled is True


def test_no_header_relabels_an_api_change_as_made_on_the_settings_page(
    defender_client, contoso_admin
):
    sign_in(defender_client, contoso_admin)
    response = defender_client.patch(
        "/api/v1/portal-redirection",
        json.dumps({"enabled": True}),
        content_type="application/json",
        headers={"X-Portal-Redirection-Page": "1", "Referer": "/preferences2/portal_redirection"},
    )
    assert response.status_code == HTTPStatus.OK
    assert RedirectionChange.objects.get().source == ChangeSource.API


def test_the_text_refusals_say_what_is_wrong(admin, defender_client):
    nested = send(defender_client, "put", BAD_BODIES["nested too deeply"]).json()["error"]
    assert nested == "The request body is nested too deeply."
    for name in ("lone surrogate in feedback", "NUL in feedback"):
        error = send(defender_client, "put", BAD_BODIES[name]).json()["error"]
        assert "not text" in error


@pytest.mark.postgres
def test_a_nul_never_reaches_postgresql(admin, defender_client, contoso):
    # PostgreSQL refuses NUL in text with a DataError, inside the switch's transaction.
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: other databases store NUL; set DATABASE_URL=postgres://...")
    set_portal_redirection(contoso, True, actor=admin, source=ChangeSource.WEB)
    before = snapshot(contoso)
    response = send(defender_client, "patch", BAD_BODIES["NUL in feedback"])
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert snapshot(contoso) == before
    assert PortalRedirection.objects.get(tenant=contoso).enabled is True


def test_while_the_database_is_down_the_api_answers_json_503(admin, contoso):
    client = Client(HTTP_HOST=DEFENDER_HOST, raise_request_exception=False)
    client.force_login(admin)
    with database_down():
        for method, body in (("get", None), ("patch", {"enabled": True})):
            response = client.get(API) if body is None else send(client, method, body)
            assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
            assert response["Content-Type"] == "application/json"
            assert response["Retry-After"] == "30"
            assert "try again" in response.json()["error"]
    assert snapshot(contoso) == (None, 0, 0)
