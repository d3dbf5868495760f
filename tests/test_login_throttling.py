"""Sign-in throttling: repeated failures pause sign-in for an account or an address."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client

from accounts.models import SignInSession
from tests.conftest import DEFENDER_HOST, LEGACY_HOST, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 5
WRONG_PASSWORD = "wrong-password"


@pytest.fixture(autouse=True)
def _throttling(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def attempt(client: Client, email: str, password: str | None = None, address="10.1.1.1"):
    data = {"username": email, "password": password or WRONG_PASSWORD}
    return client.post("/signin", data, REMOTE_ADDR=address)


def fail(client: Client, email: str, times: int, address="10.1.1.1") -> None:
    for _ in range(times):
        attempt(client, email, address=address)


def time_passes(minutes: int) -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def assert_paused(response) -> None:
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response["Retry-After"] == str(15 * 60)
    page = response.content.decode()
    assert "Sign-in paused" in page
    assert "paused for 15 minutes" in page


@pytest.mark.parametrize(
    "host, layout", [(DEFENDER_HOST, "topbar"), (LEGACY_HOST, "legacy-header")]
)
def test_the_fifth_failure_pauses_sign_in_with_a_page_in_the_portals_layout(
    contoso_analyst, host, layout
):
    client = Client(HTTP_HOST=host)
    for _ in range(LIMIT - 1):
        response = attempt(client, contoso_analyst.email)
        assert response.status_code == HTTPStatus.OK
        assert "The email or password is incorrect" in response.content.decode()
    response = attempt(client, contoso_analyst.email)
    assert_paused(response)
    assert f'class="{layout}"' in response.content.decode()


def test_while_paused_even_the_right_password_does_not_sign_in(legacy_client, contoso_analyst):
    fail(legacy_client, contoso_analyst.email, LIMIT)
    assert_paused(attempt(legacy_client, contoso_analyst.email, PASSWORD))
    assert not SignInSession.objects.exists()
    assert legacy_client.get("/timeline").status_code == HTTPStatus.FOUND, "still signed out"


def test_after_the_cool_off_the_right_password_signs_in(legacy_client, contoso_analyst):
    fail(legacy_client, contoso_analyst.email, LIMIT)
    time_passes(minutes=16)
    response = attempt(legacy_client, contoso_analyst.email, PASSWORD)
    assert response.status_code == HTTPStatus.FOUND
    assert SignInSession.objects.filter(user=contoso_analyst).exists()


def test_attempts_while_paused_do_not_extend_the_pause(legacy_client, contoso_analyst):
    fail(legacy_client, contoso_analyst.email, LIMIT)
    time_passes(minutes=10)
    assert_paused(attempt(legacy_client, contoso_analyst.email))
    time_passes(minutes=6)
    assert attempt(legacy_client, contoso_analyst.email, PASSWORD).status_code == HTTPStatus.FOUND


def test_failures_from_many_addresses_pause_that_account_only(legacy_client, contoso):
    target = UserFactory(tenant=contoso)
    bystander = UserFactory(tenant=contoso)
    for n in range(LIMIT):
        attempt(legacy_client, target.email, address=f"10.2.0.{n + 1}")
    assert_paused(attempt(legacy_client, target.email, PASSWORD, address="10.3.0.1"))
    response = attempt(legacy_client, bystander.email, PASSWORD, address="10.3.0.2")
    assert response.status_code == HTTPStatus.FOUND


def test_failures_over_many_accounts_pause_that_address_only(legacy_client, contoso_analyst):
    for n in range(LIMIT):
        attempt(legacy_client, f"guess{n}@contoso.example", address="10.4.0.1")
    assert_paused(attempt(legacy_client, contoso_analyst.email, PASSWORD, address="10.4.0.1"))
    response = attempt(legacy_client, contoso_analyst.email, PASSWORD, address="10.4.0.2")
    assert response.status_code == HTTPStatus.FOUND


def test_the_email_is_counted_whatever_its_case(legacy_client, contoso_analyst):
    spellings = ["Analyst@Contoso.example", "ANALYST@CONTOSO.EXAMPLE", " analyst@contoso.example"]
    for n in range(LIMIT):
        attempt(legacy_client, spellings[n % len(spellings)], address=f"10.5.0.{n + 1}")
    assert_paused(attempt(legacy_client, contoso_analyst.email, PASSWORD, address="10.5.1.1"))


def test_a_successful_sign_in_resets_the_count(legacy_client, contoso_analyst):
    fail(legacy_client, contoso_analyst.email, LIMIT - 1)
    assert attempt(legacy_client, contoso_analyst.email, PASSWORD).status_code == HTTPStatus.FOUND
    legacy_client.post("/signout")
    fail(legacy_client, contoso_analyst.email, LIMIT - 1)
    assert attempt(legacy_client, contoso_analyst.email, PASSWORD).status_code == HTTPStatus.FOUND


def test_the_record_of_failures_keeps_no_password(legacy_client, contoso_analyst):
    attempt(legacy_client, contoso_analyst.email, password="Tr0ub4dor&3")
    record = AccessAttempt.objects.get()
    assert record.username == contoso_analyst.email
    assert "Tr0ub4dor&3" not in record.post_data


def test_support_sees_the_paused_sign_in_in_the_console(legacy_client, defender_client):
    victim = "analyst@contoso.example"
    fail(legacy_client, victim, LIMIT)
    support = UserFactory(tenant=None, is_staff=True, is_superuser=True)
    sign_in(defender_client, support)
    page = defender_client.get("/admin/axes/accessattempt/").content.decode()
    assert victim in page
