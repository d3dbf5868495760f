"""Staged rollout through every entry point: the page, the API, the command and the support
console agree with each other, and each refuses bad input with a clear message, changing nothing.
"""

from __future__ import annotations

import json
from datetime import timedelta
from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import DirectoryRole
from settings_ui.models import PilotAccount, PortalRedirection, RedirectionChange
from settings_ui.support import ensure_support_group
from tests.conftest import DEFENDER_HOST, sign_in
from tests.factories import SignInSessionFactory, UserFactory
from web.templating import iso_utc

pytestmark = pytest.mark.django_db

PAGE = "/preferences2/portal_redirection"
API = "/api/v1/portal-redirection"
ANALYST = "analyst@contoso.example"
OPERATOR = "operator@contoso.example"


@pytest.fixture
def accounts(contoso, contoso_analyst, fabrikam_admin):
    return {
        "analyst": contoso_analyst,
        "operator": UserFactory(
            email=OPERATOR, tenant=contoso, roles=[DirectoryRole.SECURITY_OPERATOR]
        ),
    }


@pytest.fixture
def admin_client(defender_client, contoso_admin, accounts):
    sign_in(defender_client, contoso_admin)
    return defender_client


@pytest.fixture
def support_client(db, contoso, accounts):
    group, _ = ensure_support_group()
    support = UserFactory(email="support@defender.example", tenant=None, is_staff=True)
    support.groups.add(group)
    client = Client(HTTP_HOST=DEFENDER_HOST)
    sign_in(client, support)
    return client


def patch(client, body: dict):
    return client.patch(API, json.dumps(body), content_type="application/json")


def command(*args) -> str:
    out = StringIO()
    call_command("portal_redirection", "contoso.example", *args, stdout=out)
    return out.getvalue()


def snapshot(tenant) -> tuple:
    """Everything a change could touch, to compare before and after a refusal."""
    row = PortalRedirection.objects.filter(tenant=tenant).values().first()
    members = sorted(PilotAccount.objects.values_list("user_id", "in_scope_since"))
    return (row, members, RedirectionChange.objects.count())


def future(minutes: int = 30) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


# ------------------------------------------------------------------ they agree
def test_a_pilot_and_schedule_set_through_the_api_read_the_same_everywhere(admin_client):
    on_at = future()
    response = patch(
        admin_client, {"scope": "pilot", "pilot_accounts": [ANALYST], "scheduled_on_at": on_at}
    )
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert (body["scope"], body["pilot_accounts"], body["enabled"]) == ("pilot", [ANALYST], False)
    assert body["scheduled_on_at"] == on_at and body["scheduled_off_at"] is None
    assert admin_client.get(API).json() == body

    status = command("--status").splitlines()
    assert status[0] == "Contoso (contoso.example): automatic redirection is Off"
    assert f"  scope: pilot group ({ANALYST})" in status
    assert f"  turns On at: {on_at}" in status

    page = admin_client.get(PAGE).content.decode().replace("<wbr>", "")  # emails' breaks
    assert "Once On, routes the pilot group only: 1 account." in page
    assert f"Pilot group: {ANALYST}" in page
    assert "Turns On at" in page and f'datetime="{iso_utc(parse_datetime(on_at))}"' in page


def test_the_command_sets_what_the_api_and_page_then_show(admin_client):
    output = command("--on", "--pilot", f"{OPERATOR},{ANALYST}")
    assert output.startswith("Contoso (contoso.example): automatic redirection is On\n")
    body = admin_client.get(API).json()
    assert (body["enabled"], body["scope"]) == (True, "pilot")
    assert body["pilot_accounts"] == [ANALYST, OPERATOR]

    command("--everyone")
    assert admin_client.get(API).json()["scope"] == "everyone"
    assert "Routes everyone in your organization." in admin_client.get(PAGE).content.decode()
    assert "  scope: everyone" in command("--status").splitlines()


def test_the_page_without_script_sets_what_the_api_and_command_then_show(admin_client):
    response = admin_client.post(
        PAGE, {"action": "scope", "scope": "pilot", "pilot_accounts": f"{ANALYST}\n"}
    )
    assert response.status_code == HTTPStatus.FOUND
    on_at = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=2)
    admin_client.post(
        PAGE, {"action": "schedule", "scheduled_on_at": on_at.strftime("%Y-%m-%dT%H:%M")}
    )
    body = admin_client.get(API).json()
    assert (body["scope"], body["pilot_accounts"]) == ("pilot", [ANALYST])
    assert body["scheduled_on_at"] == on_at.isoformat()
    assert f"  turns On at: {on_at.isoformat()}" in command("--status").splitlines()

    admin_client.post(PAGE, {"action": "cancel_schedule"})
    assert admin_client.get(API).json()["scheduled_on_at"] is None
    assert "turns On" not in command("--status")


def test_the_command_schedules_and_cancels(accounts, contoso):
    on_at = future()
    assert f"  turns On at: {on_at}" in command("--on", "--at", on_at).splitlines()
    assert PortalRedirection.objects.get(tenant=contoso).enabled is False
    assert "turns On" not in command("--cancel-schedule")
    assert PortalRedirection.objects.get(tenant=contoso).scheduled_on_at is None


def test_the_support_console_sets_the_pilot_group(support_client, contoso, accounts):
    url = f"/admin/accounts/tenant/{contoso.pk}/rollout/"
    assert support_client.get(url).status_code == HTTPStatus.OK
    response = support_client.post(
        url, {"action": "scope", "scope": "pilot", "pilot_accounts": ANALYST}
    )
    assert response.status_code == HTTPStatus.FOUND
    changes = RedirectionChange.objects.order_by("id").values_list(
        "kind", "source", "old_text", "new_text"
    )
    assert list(changes) == [
        ("pilot", "admin", "", ANALYST),
        ("scope", "admin", "Everyone", "Pilot group"),
    ]
    assert command("--status").splitlines()[1] == f"  scope: pilot group ({ANALYST})"
    tenant_page = support_client.get(f"/admin/accounts/tenant/{contoso.pk}/change/")
    assert ANALYST in tenant_page.content.decode()


# ------------------------------------------------------------------ bad input, every door
BAD_INPUT = {
    # name: (API body, command args, page form, what the message says)
    "unknown email": (
        {"scope": "pilot", "pilot_accounts": ["ghost@contoso.example"]},
        ("--pilot", "ghost@contoso.example"),
        {"action": "scope", "scope": "pilot", "pilot_accounts": "ghost@contoso.example"},
        "Not an account of Contoso: ghost@contoso.example.",
    ),
    "another tenant's account": (
        {"scope": "pilot", "pilot_accounts": [ANALYST, "admin@fabrikam.example"]},
        ("--pilot", f"{ANALYST},admin@fabrikam.example"),
        {"action": "scope", "scope": "pilot", "pilot_accounts": "admin@fabrikam.example"},
        "Not an account of Contoso: admin@fabrikam.example.",
    ),
    "a time in the past": (
        {"scheduled_on_at": "2020-01-01T09:00:00Z"},
        ("--on", "--at", "2020-01-01T09:00Z"),
        {"action": "schedule", "scheduled_on_at": "2020-01-01T09:00"},
        "A scheduled time must be in the future.",
    ),
    "a pilot with no accounts": (
        {"scope": "pilot", "pilot_accounts": []},
        ("--pilot", ","),
        {"action": "scope", "scope": "pilot", "pilot_accounts": "  "},
        "Add at least one account to the pilot group.",
    ),
    "a time that is not a time": (
        {"scheduled_on_at": "next tuesday"},
        ("--on", "--at", "next tuesday"),
        {"action": "schedule", "scheduled_on_at": "next tuesday"},
        "Enter a date and time, like 2030-01-31 09:00 (UTC) or 2030-01-31T09:00Z.",
    ),
    "a time past the year 9999 in UTC": (
        {"scheduled_on_at": "9999-12-31T23:59:59-01:00"},
        ("--on", "--at", "9999-12-31T23:59:59-01:00"),
        {"action": "schedule", "scheduled_on_at": "9999-12-31T23:59:59-01:00"},
        "Enter a time between the years 1 and 9999.",
    ),
}

# Refusals of the form name the field they are about where the door has no field to show.
FORM_REFUSALS = {"Enter a date": "Turn On at (UTC): ", "Enter a time": "Turn On at (UTC): "}


def one_line(message: str) -> str:
    prefix = next((p for start, p in FORM_REFUSALS.items() if message.startswith(start)), "")
    return prefix + message


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_the_api_refuses_with_400_and_changes_nothing(case, admin_client, contoso):
    body, _args, _form, message = case
    before = snapshot(contoso)
    response = patch(admin_client, body)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"error": one_line(message)}
    assert snapshot(contoso) == before


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_the_command_refuses_with_one_line_and_changes_nothing(case, accounts, contoso):
    _body, args, _form, message = case
    before = snapshot(contoso)
    with pytest.raises(CommandError) as refused:
        command(*args)
    assert str(refused.value) == one_line(message)
    assert snapshot(contoso) == before


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_the_page_redisplays_with_the_reason_and_changes_nothing(case, admin_client, contoso):
    _body, _args, form, message = case
    before = snapshot(contoso)
    response = admin_client.post(PAGE, form)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert snapshot(contoso) == before


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_the_support_console_refuses_and_changes_nothing(case, support_client, contoso):
    _body, _args, form, message = case
    before = snapshot(contoso)
    response = support_client.post(f"/admin/accounts/tenant/{contoso.pk}/rollout/", form)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()
    assert snapshot(contoso) == before


def test_readers_cannot_change_the_rollout(defender_client, contoso, accounts):
    reader = UserFactory(tenant=contoso, roles=[DirectoryRole.SECURITY_READER])
    sign_in(defender_client, reader)
    before = snapshot(contoso)
    assert patch(defender_client, {"scope": "everyone"}).status_code == HTTPStatus.FORBIDDEN
    page = defender_client.post(PAGE, {"action": "scope", "scope": "pilot", "pilot_accounts": ""})
    assert page.status_code == HTTPStatus.FORBIDDEN
    assert snapshot(contoso) == before


# ------------------------------------------------------------------ the rollout panel
def test_preview_says_yes_or_no_and_why(admin_client):
    command("--on", "--pilot", ANALYST)

    def answer(email: str) -> str:
        page = admin_client.get(PAGE, {"preview": email}).content.decode()
        return page.split('class="preview-answer"', 1)[1].split("</p>", 1)[0]

    assert "would be routed at next sign-in: yes." in answer(ANALYST)
    assert "pilot group" in answer(ANALYST)
    operator = answer(OPERATOR)
    assert "would be routed at next sign-in: no." in operator
    assert "pilot group only" in operator
    assert "is not an account of Contoso" in answer("admin@fabrikam.example")
    command("--everyone")
    assert "On for everyone" in answer(OPERATOR)


def test_panel_counts_pilot_and_others_through_each_accounts_turn(
    admin_client, accounts, contoso, clock
):
    command("--on", "--pilot", ANALYST)

    def legacy_session(user, at):
        SignInSessionFactory(user=user, signed_in_at=at)

    legacy_session(accounts["analyst"], clock.advance(5))  # pilot, routed
    legacy_session(accounts["operator"], clock.advance(5))  # outside the pilot
    widened = clock.advance(5)
    command("--everyone")
    legacy_session(accounts["operator"], widened - timedelta(seconds=1))  # before its turn: kept
    page = admin_client.get(PAGE).content.decode()
    stat = '<dd class="stat-value" data-stat="{}">{}</dd>'
    assert stat.format("routed", 1) in page  # everyone now: no count of the pilot apart
    assert 'data-stat="routed-pilot"' not in page
    assert stat.format("kept", 2) in page

    legacy_session(accounts["operator"], clock.advance(5))  # after the widening: routed
    page = admin_client.get(PAGE).content.decode()
    assert stat.format("routed", 2) in page


def test_history_shows_a_scheduled_on_taking_effect_at_its_time(admin_client, contoso, clock):
    on_at = clock.now() + timedelta(minutes=1)
    command("--on", "--at", on_at.isoformat(), "--actor", "admin@contoso.example")
    clock.current = on_at + timedelta(seconds=30)
    page = admin_client.get(PAGE).content.decode().replace("<wbr>", "")  # emails' breaks
    history = page.split('class="history"', 1)[1]
    first_row = history.split("<tr>", 3)[2]
    assert f'datetime="{iso_utc(on_at)}"' in first_row
    assert "Off → On" in first_row and "Schedule" in first_row
    assert "admin@contoso.example" in first_row
    assert admin_client.get(API).json()["enabled_at"] == on_at.isoformat()
    assert not RedirectionChange.objects.filter(source="schedule").exists(), "stored lazily"
