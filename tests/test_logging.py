"""Logs: one structured line per sign-in, change and (at debug) routed request; no secret."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from tests.conftest import DEFENDER_HOST, IDENTITY_HOST, LEGACY_HOST, through_directory
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG_PASSWORD = "Wrong-Horse-Staple-9"


def fields(message: str) -> dict[str, str]:
    """The key=value pairs of one structured line."""
    return dict(part.split("=", 1) for part in message.split()[1:] if "=" in part)


def lines(caplog, event: str) -> list[dict[str, str]]:
    return [
        fields(record.getMessage())
        for record in caplog.records
        if record.getMessage().split(" ", 1)[0] == event
    ]


def browser_sign_in(host: str, user, password: str = PASSWORD) -> Client:
    """Sign in as a browser does: through the directory's form, with its CSRF token."""
    client = Client(HTTP_HOST=host, enforce_csrf_checks=True)
    directory = client.directory = Client(HTTP_HOST=IDENTITY_HOST, enforce_csrf_checks=True)
    authorize = urlsplit(client.get("/signin")["Location"])
    form = urlsplit(directory.get(f"{authorize.path}?{authorize.query}")["Location"])
    directory.get(f"{form.path}?{form.query}")
    data = {
        "username": user.email,
        "password": password,
        "next": parse_qs(form.query)["next"][0],
        "csrfmiddlewaretoken": directory.cookies["csrftoken"].value,
    }
    through_directory(client, directory.post("/signin", data))
    return client


def secrets_of(*clients: Client) -> set[str]:
    found = {PASSWORD, WRONG_PASSWORD}
    for client in clients:
        for jar in (client.cookies, getattr(client, "directory", Client()).cookies):
            for name in ("sessionid", "csrftoken"):
                if name in jar:
                    found.add(jar[name].value)
    return found


def test_a_journey_logs_one_line_per_event_with_tenant_and_account_and_no_secret(
    caplog, contoso, contoso_admin
):
    caplog.set_level(logging.INFO)
    # Routed requests are traffic, not events: their line is written at LOG_LEVEL=DEBUG.
    caplog.set_level(logging.DEBUG, logger="portal.redirection")
    analyst = UserFactory(tenant=contoso)

    admin = browser_sign_in(DEFENDER_HOST, contoso_admin)
    response = admin.put(
        "/api/v1/portal-redirection",
        json.dumps({"enabled": True}),
        content_type="application/json",
        headers={"X-CSRFToken": admin.cookies["csrftoken"].value},
    )
    assert response.status_code == HTTPStatus.OK

    browser_sign_in(LEGACY_HOST, analyst, password=WRONG_PASSWORD)
    legacy = browser_sign_in(LEGACY_HOST, analyst)
    assert legacy.get("/timeline").status_code == HTTPStatus.FOUND

    tenant = str(contoso.pk)
    # Each account signs in to the directory with its password, then to the portal through it.
    expected = [
        ("directory", contoso_admin, "password"),
        ("defender", contoso_admin, "directory"),
        ("directory", analyst, "password"),
        ("legacy", analyst, "directory"),
    ]
    signed_in = lines(caplog, "sign_in")
    assert [
        (line["portal"], line["tenant"], line["account"], line["method"]) for line in signed_in
    ] == [(portal, tenant, str(user.pk), method) for portal, user, method in expected]
    assert all(line["sign_in_session"].isdigit() for line in signed_in)
    [change] = lines(caplog, "redirection_changed")
    assert (change["tenant"], change["actor"], change["enabled"]) == (
        tenant,
        str(contoso_admin.pk),
        "on",
    )
    assert lines(caplog, "redirection_routed") == [
        {"portal": "legacy", "tenant": tenant, "account": str(analyst.pk), "decision": "routed"}
    ]

    secrets = secrets_of(admin, legacy)
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        assert "\n" not in record.getMessage(), record.getMessage()
        leaked = [secret for secret in secrets if secret in text]
        assert not leaked, f"{record.name} logged a secret: {text}"


def test_a_failed_sign_in_logs_neither_the_password_nor_the_email_typed(caplog, contoso_analyst):
    caplog.set_level(logging.INFO)
    client = Client(HTTP_HOST=IDENTITY_HOST)
    client.post("/signin", {"username": contoso_analyst.email, "password": WRONG_PASSWORD})
    assert caplog.records, "the failure is logged"
    for record in caplog.records:
        assert WRONG_PASSWORD not in record.getMessage()
        assert contoso_analyst.email not in record.getMessage()
