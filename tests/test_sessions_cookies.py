"""Session cookies, the fixed lifetime of a sign-in, and `expire_sessions` ending its history."""

from __future__ import annotations

import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from accounts.management.commands.expire_sessions import end_expired_sign_ins
from accounts.models import Session, SignInSession, session_reference, sign_in_lifetime
from accounts.session_keys import signed_in_at
from tests.conftest import DEFENDER_HOST, LEGACY_HOST, sign_in, through_directory
from tests.factories import SignInSessionFactory

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ cookies
def test_the_session_cookie_is_http_only_and_same_site_lax(legacy_client, contoso_analyst):
    legacy_client.get("/signin")
    response = sign_in(legacy_client, contoso_analyst)
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"
    assert session_cookie["domain"] == "", "host-only: each portal keeps its own session"
    assert legacy_client.cookies["csrftoken"]["samesite"] == "Lax"


def test_secure_cookies_are_marked_secure(settings, defender_client, contoso_analyst):
    """Outside debug both cookies are Secure (the values are checked in test_deploy_check)."""
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    defender_client.get("/signin")
    response = sign_in(defender_client, contoso_analyst)
    assert response.cookies["sessionid"]["secure"] is True
    assert defender_client.cookies["csrftoken"]["secure"] is True


# ------------------------------------------------------------------ the lifetime of a sign-in
def test_a_sign_in_lasts_the_session_age_from_the_moment_of_sign_in(
    settings, legacy_client, contoso_analyst
):
    sign_in(legacy_client, contoso_analyst)
    session = legacy_client.session
    expected_end = signed_in_at(session) + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    row = Session.objects.get(session_key=session.session_key)
    assert abs((row.expire_date - expected_end).total_seconds()) < 1


def test_a_later_save_of_the_session_does_not_extend_the_sign_in(legacy_client, contoso_analyst):
    sign_in(legacy_client, contoso_analyst)
    key = legacy_client.session.session_key
    first_end = Session.objects.get(session_key=key).expire_date
    session = legacy_client.session
    session["seen_banner"] = True
    session.save()
    assert Session.objects.get(session_key=key).expire_date == first_end


# ------------------------------------------------------------------ a sign-in not finished
@pytest.mark.parametrize("portal", ["defender", "legacy"])
def test_a_sign_in_started_and_not_finished_keeps_its_session_ten_minutes(
    portal, defender_client, legacy_client
):
    client = {"defender": defender_client, "legacy": legacy_client}[portal]
    started = timezone.now()
    client.get("/signin")
    (row,) = Session.objects.all()
    assert row.expire_date <= started + timedelta(minutes=10, seconds=1)
    assert client.cookies["sessionid"]["max-age"] <= 10 * 60


def test_a_sign_in_finished_replaces_the_short_expiry_with_its_full_lifetime(
    settings, legacy_client, contoso_analyst
):
    legacy_client.get("/signin")
    sign_in(legacy_client, contoso_analyst)
    row = Session.objects.get(session_key=legacy_client.session.session_key)
    expected_end = signed_in_at(legacy_client.session) + timedelta(
        seconds=settings.SESSION_COOKIE_AGE
    )
    assert abs((row.expire_date - expected_end).total_seconds()) < 1


def test_a_sign_in_finished_after_its_ten_minutes_signs_no_one_in(
    legacy_client, contoso_analyst, clock
):
    started = legacy_client.get("/signin")
    clock.advance(10 * 60 + 1)
    response = through_directory(legacy_client, started, contoso_analyst.email)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert legacy_client.get("/timeline").status_code == HTTPStatus.FOUND


@pytest.mark.parametrize("command", ["expire_sessions", "clearsessions"])
def test_housekeeping_deletes_sign_ins_never_finished(command, clock):
    for host in (DEFENDER_HOST, LEGACY_HOST, DEFENDER_HOST):
        Client(HTTP_HOST=host).get("/signin")
    assert Session.objects.count() == 3
    clock.advance(10 * 60 + 1)
    call_command(command, stdout=io.StringIO())
    assert not Session.objects.exists()


@pytest.mark.parametrize(
    "age, active",
    [
        (timedelta(minutes=1), True),
        (timedelta(hours=7, minutes=59), True),
        (timedelta(hours=8, seconds=1), False),
        (timedelta(days=3), False),
    ],
)
def test_a_sign_in_older_than_its_lifetime_is_not_active(settings, contoso_analyst, age, active):
    settings.SESSION_COOKIE_AGE = 8 * 60 * 60
    row = SignInSessionFactory(user=contoso_analyst, signed_in_at=timezone.now() - age)
    assert row.is_active is active
    assert SignInSession.objects.active().filter(pk=row.pk).exists() is active
    assert row.has_expired is not active


def test_an_ended_sign_in_is_not_active_and_not_expired(contoso_analyst):
    row = SignInSessionFactory(user=contoso_analyst)
    row.end(SignInSession.EndReason.SIGNED_OUT)
    assert not row.is_active
    assert not row.has_expired
    assert not SignInSession.objects.active().exists()


# ------------------------------------------------------------------ expire_sessions
def test_expire_sessions_is_its_own_command_and_clearsessions_stays_djangos():
    """Nothing hangs on INSTALLED_APPS order: no app overrides a command of another."""
    commands = get_commands()
    assert commands["expire_sessions"] == "accounts"
    assert commands["clearsessions"] == "django.contrib.sessions"


def test_expire_sessions_deletes_expired_sessions_and_ends_their_sign_ins(
    legacy_client, defender_client, contoso_analyst, contoso_admin, capsys
):
    sign_in(legacy_client, contoso_analyst)
    sign_in(defender_client, contoso_admin)
    session = legacy_client.session
    expired_key = session.session_key
    session.set_expiry(timezone.now() - timedelta(seconds=1))  # its end has come
    session.save()

    SignInSession.objects.filter(session_ref=session_reference(expired_key)).update(
        signed_in_at=timezone.now() - sign_in_lifetime() - timedelta(seconds=1)
    )

    call_command("expire_sessions")

    assert not Session.objects.filter(session_key=expired_key).exists()
    expired = SignInSession.objects.get(session_ref=session_reference(expired_key))
    assert (expired.is_active, expired.end_reason) == (False, SignInSession.EndReason.EXPIRED)
    assert SignInSession.objects.get(user=contoso_admin, portal="defender").is_active
    assert "Sign-in sessions recorded as expired: 1" in capsys.readouterr().out
    # The browser's cookie now names nothing: it is asked to sign in again.
    assert legacy_client.get("/timeline").status_code == HTTPStatus.FOUND


def test_expire_sessions_keeps_the_reason_of_sign_ins_already_ended(legacy_client, contoso_analyst):
    sign_in(legacy_client, contoso_analyst)
    legacy_client.post("/signout")
    row = SignInSession.objects.get(portal="legacy")
    ended_at = row.ended_at
    call_command("expire_sessions")
    row.refresh_from_db()
    assert (row.end_reason, row.ended_at) == (SignInSession.EndReason.SIGNED_OUT, ended_at)


def test_expire_sessions_ends_a_sign_in_past_its_lifetime_even_if_its_session_lingers(
    settings, legacy_client, contoso_analyst
):
    sign_in(legacy_client, contoso_analyst)
    row = SignInSession.objects.get(portal="legacy")
    SignInSession.objects.filter(pk=row.pk).update(
        signed_in_at=timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)
    )
    call_command("expire_sessions")
    row.refresh_from_db()
    assert row.end_reason == SignInSession.EndReason.EXPIRED


def test_expire_sessions_walks_the_rows_in_batches(contoso_analyst, django_assert_num_queries):
    SignInSessionFactory.create_batch(
        5, user=contoso_analyst, signed_in_at=timezone.now() - sign_in_lifetime()
    )
    # Windows of 2, 2 and 1 rows: each costs one query to find its end, one to name the
    # directory sessions it ends (none here) and one UPDATE.
    with django_assert_num_queries(3 * 3):
        ended = end_expired_sign_ins(batch_size=2)
    assert ended == 5
    assert not SignInSession.objects.filter(ended_at__isnull=True).exists()


def test_expire_sessions_refuses_a_batch_size_below_one():
    with pytest.raises(CommandError, match="--batch-size must be a positive number"):
        call_command("expire_sessions", "--batch-size", "0")
