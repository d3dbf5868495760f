"""Sign-in throttling: failures pause an account at one address, or a spraying address."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.test import Client

from accounts.models import SignInSession
from settings_ui.support import ensure_support_group
from tests.conftest import DEFENDER_HOST, LEGACY_HOST, directory_of, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 5
ADDRESS_LIMIT = 12
WRONG_PASSWORD = "wrong-password"
OFFICE = "10.1.1.1"
PAUSES = "/admin/directory/signinpause/"  # "Sign-in pauses", under the directory


@pytest.fixture(autouse=True)
def _throttling(settings, clock, monkeypatch):
    settings.SIGN_IN_FAILURE_LIMIT = LIMIT
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = ADDRESS_LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    # Axes stamps attempts with its own import of now(): the same frozen clock for both.
    monkeypatch.setattr("axes.handlers.proxy.now", clock.now)
    monkeypatch.setattr("axes.attempts.now", clock.now)


def attempt(client: Client, email: str, password: str | None = None, address=OFFICE):
    """One try on the directory's sign-in page, as the browser of ``client`` makes it."""
    data = {"username": email, "password": password or WRONG_PASSWORD}
    return directory_of(client).post("/signin", data, REMOTE_ADDR=address)


def fail(client: Client, email: str, times: int, address=OFFICE) -> None:
    for _ in range(times):
        attempt(client, email, address=address)


def signs_in(client: Client, email: str, address=OFFICE) -> bool:
    return attempt(client, email, PASSWORD, address=address).status_code == HTTPStatus.FOUND


def assert_paused(response, clock, minutes: int = 15) -> None:
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response["Retry-After"] == str(minutes * 60)
    page = response.content.decode()
    assert "Sign-in paused" in page
    until = (clock.now() + timedelta(minutes=minutes)).strftime("%H:%M")
    assert f"paused until {until} UTC, in {minutes} minutes" in page


@pytest.mark.parametrize("host", [DEFENDER_HOST, LEGACY_HOST])
def test_the_fifth_failure_pauses_sign_in_with_a_page_in_the_directorys_layout(
    contoso_analyst, host, clock
):
    client = Client(HTTP_HOST=host)
    for _ in range(LIMIT - 1):
        response = attempt(client, contoso_analyst.email)
        assert response.status_code == HTTPStatus.OK
        assert "The email or password is incorrect" in response.content.decode()
    response = attempt(client, contoso_analyst.email)
    assert_paused(response, clock)
    assert 'class="directory"' in response.content.decode()


def test_while_paused_even_the_right_password_does_not_sign_in(
    legacy_client, contoso_analyst, clock
):
    fail(legacy_client, contoso_analyst.email, LIMIT)
    clock.advance(60)
    assert_paused(attempt(legacy_client, contoso_analyst.email, PASSWORD), clock, minutes=14)
    assert not SignInSession.objects.exists()
    assert legacy_client.get("/timeline").status_code == HTTPStatus.FOUND, "still signed out"


def test_after_the_cool_off_the_right_password_signs_in(legacy_client, contoso_analyst, clock):
    fail(legacy_client, contoso_analyst.email, LIMIT)
    clock.advance(16 * 60)
    assert signs_in(legacy_client, contoso_analyst.email)
    assert SignInSession.objects.filter(user=contoso_analyst).exists()


def test_attempts_while_paused_do_not_extend_the_pause(legacy_client, contoso_analyst, clock):
    fail(legacy_client, contoso_analyst.email, LIMIT)
    clock.advance(10 * 60)
    assert_paused(attempt(legacy_client, contoso_analyst.email), clock, minutes=5)
    clock.advance(6 * 60)
    assert signs_in(legacy_client, contoso_analyst.email)


def test_made_up_emails_from_an_office_address_do_not_pause_the_accounts_behind_it(
    legacy_client, contoso_analyst, contoso_admin
):
    for n in range(LIMIT):
        attempt(legacy_client, f"guess{n}@contoso.example")
    fail(legacy_client, "nobody@contoso.example", LIMIT)  # that made-up email is paused there
    assert signs_in(legacy_client, contoso_analyst.email)
    assert signs_in(Client(HTTP_HOST=LEGACY_HOST), contoso_admin.email)


def test_one_accounts_failures_pause_that_account_at_that_address_only(
    legacy_client, contoso_analyst, contoso_admin, clock
):
    fail(legacy_client, contoso_analyst.email, LIMIT)
    assert_paused(attempt(legacy_client, contoso_analyst.email, PASSWORD), clock)
    assert signs_in(Client(HTTP_HOST=LEGACY_HOST), contoso_admin.email), "a colleague behind it"
    assert signs_in(Client(HTTP_HOST=LEGACY_HOST), contoso_analyst.email, address="10.9.9.9")


def test_spraying_from_one_address_pauses_that_address_for_every_account(
    legacy_client, contoso_analyst, clock
):
    # Each email stays under its own limit; together they reach the address's.
    for n in range(ADDRESS_LIMIT):
        attempt(legacy_client, f"guess{n % 4}-{n // 4}@contoso.example")
    assert_paused(attempt(legacy_client, contoso_analyst.email, PASSWORD), clock)
    assert signs_in(Client(HTTP_HOST=LEGACY_HOST), contoso_analyst.email, address="10.4.0.2")


def test_the_email_is_counted_whatever_its_case(legacy_client, contoso_analyst, clock):
    spellings = ["Analyst@Contoso.example", "ANALYST@CONTOSO.EXAMPLE", " analyst@contoso.example"]
    for n in range(LIMIT):
        attempt(legacy_client, spellings[n % len(spellings)])
    assert_paused(attempt(legacy_client, contoso_analyst.email, PASSWORD), clock)


def test_a_successful_sign_in_resets_the_count(legacy_client, contoso_analyst):
    fail(legacy_client, contoso_analyst.email, LIMIT - 1)
    assert signs_in(legacy_client, contoso_analyst.email)
    directory_of(legacy_client).logout()
    fail(legacy_client, contoso_analyst.email, LIMIT - 1)
    assert signs_in(legacy_client, contoso_analyst.email)


def test_the_record_of_failures_keeps_no_password(legacy_client, contoso_analyst):
    attempt(legacy_client, contoso_analyst.email, password="Tr0ub4dor&3")
    record = AccessAttempt.objects.get()
    assert record.username == contoso_analyst.email
    assert "Tr0ub4dor&3" not in record.post_data


# ------------------------------------------------------------------ the support console
@pytest.fixture
def support_client(defender_client):
    support = UserFactory(email="support@defender.example", tenant=None, is_staff=True)
    support.groups.add(ensure_support_group()[0])
    sign_in(defender_client, support, next_path=None)
    return defender_client


def test_the_console_shows_true_figures_for_each_record(legacy_client, support_client, clock):
    fail(legacy_client, "analyst@contoso.example", LIMIT)
    fail(legacy_client, "reader@contoso.example", 2, address="10.7.7.7")
    page = support_client.get(PAUSES).content.decode()
    until = (clock.now() + timedelta(minutes=15)).strftime("%b %-d, %Y %H:%M")
    assert f"Paused until {until} UTC" in page  # as every other time in the console
    assert "3 more failures pause it" in page
    assert "Remaining" not in page


def test_support_lifts_a_pause_and_the_accounts_history_says_who(
    legacy_client, support_client, contoso_analyst
):
    fail(legacy_client, contoso_analyst.email, LIMIT)
    record = AccessAttempt.objects.get()
    response = support_client.post(
        PAUSES, {"action": "lift_pauses", "_selected_action": [record.pk]}, follow=True
    )
    assert "Lifted 1 sign-in pause" in response.content.decode()
    assert signs_in(legacy_client, contoso_analyst.email)

    entry = LogEntry.objects.get(object_id=str(contoso_analyst.pk))
    assert entry.user.email == "support@defender.example"
    assert f"from address {OFFICE}" in entry.get_change_message()
    history = support_client.get(f"/admin/accounts/user/{contoso_analyst.pk}/history/")
    assert "Lifted the sign-in pause" in history.content.decode()


def test_lifting_an_address_wide_pause_lets_everyone_behind_it_in(
    legacy_client, support_client, contoso_analyst
):
    for n in range(ADDRESS_LIMIT):
        attempt(legacy_client, f"guess{n}@contoso.example")
    record = AccessAttempt.objects.filter(username="guess0@contoso.example").get()
    support_client.post(PAUSES, {"action": "lift_pauses", "_selected_action": [record.pk]})
    assert not AccessAttempt.objects.exists()
    assert signs_in(legacy_client, contoso_analyst.email)


def test_support_cannot_delete_or_edit_the_records(legacy_client, support_client):
    fail(legacy_client, "analyst@contoso.example", 1)
    record = AccessAttempt.objects.get()
    assert "delete_selected" not in support_client.get(PAUSES).content.decode()
    support_client.post(f"{PAUSES}{record.pk}/change/", {"failures_since_start": 0})
    assert AccessAttempt.objects.get().failures_since_start == 1
