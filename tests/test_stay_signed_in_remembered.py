""" "Stay signed in?" with "Don't show this again": the browser keeps its answer, and its later
sign-ins skip the page and apply that answer after the password."""

from __future__ import annotations

import logging
import re
import time
from http import HTTPStatus
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client

from accounts.session_keys import STAYS_SIGNED_IN
from directory.views import STAY_ANSWER_COOKIE, STAY_ANSWER_SALT, STAY_ANSWER_SECONDS
from tests.conftest import IDENTITY_HOST, LEGACY_HOST, directory_of, through_directory
from tests.factories import PASSWORD
from tests.test_signin_steps import (
    INCORRECT,
    NEXT,
    UNKNOWN,
    email_step,
    password_step,
    same_page,
)

pytestmark = pytest.mark.django_db

SESSION = settings.SESSION_COOKIE_NAME


def directory() -> Client:
    return Client(HTTP_HOST=IDENTITY_HOST)


def to_stay_page(client: Client, user) -> str:
    """Email and password; the page "Stay signed in?" as shown, or fail if it is skipped."""
    email_step(client, user.email)
    answer = password_step(client, PASSWORD)
    assert urlsplit(answer["Location"]).path == "/signin/stay", "the page is shown"
    return client.get(answer["Location"]).content.decode()


def answer_stay(client: Client, stay: str, dont_show_again: bool):
    fields = {"stay": stay, "next": NEXT}
    if dont_show_again:
        fields["dont_show_again"] = "yes"
    answer = client.post("/signin/stay", fields)
    assert answer.status_code == HTTPStatus.FOUND and answer["Location"] == NEXT
    return answer


def later_sign_in(client: Client, user):
    """The same browser signing in again once its directory session has gone (closed, ended)."""
    del client.cookies[SESSION]
    email_step(client, user.email)
    return password_step(client, PASSWORD)


def test_the_page_offers_dont_show_this_again_as_a_labelled_checkbox(contoso_analyst):
    page = to_stay_page(directory(), contoso_analyst)
    box = re.search(
        r'<input type="checkbox" id="([^"]+)" name="dont_show_again" value="yes">', page
    )
    assert box, "an unticked checkbox, in the form both buttons send"
    assert f'<label for="{box.group(1)}">Don\'t show this again</label>' in page
    form = page.split('<form method="post"', 1)[1].split("</form>", 1)[0]
    assert 'name="dont_show_again"' in form and ">Yes</button>" in form


@pytest.mark.parametrize(("stay", "persistent"), [("yes", True), ("no", False)])
def test_a_remembered_answer_skips_the_page_and_is_applied(contoso_analyst, stay, persistent):
    client = directory()
    to_stay_page(client, contoso_analyst)
    answer_stay(client, stay, dont_show_again=True)

    answer = later_sign_in(client, contoso_analyst)
    assert answer.status_code == HTTPStatus.FOUND
    assert answer["Location"] == NEXT, "straight on, no Stay signed in? page"
    assert client.session["_auth_user_id"] == str(contoso_analyst.pk)
    assert client.session[STAYS_SIGNED_IN] is persistent
    cookie = answer.cookies[SESSION]
    if persistent:
        assert cookie["expires"] and int(cookie["max-age"]) > 0, "Yes: outlives the browser"
    else:
        assert not cookie["expires"] and not cookie["max-age"], "No: a browser-session cookie"
    # It stays remembered: the sign-in after that skips the page too.
    assert later_sign_in(client, contoso_analyst)["Location"] == NEXT


def test_the_email_and_password_posted_at_once_skip_the_page_too(contoso_analyst):
    client = directory()
    to_stay_page(client, contoso_analyst)
    answer_stay(client, "yes", dont_show_again=True)
    del client.cookies[SESSION]
    answer = client.post(
        "/signin", {"username": contoso_analyst.email, "password": PASSWORD, "next": NEXT}
    )
    assert answer["Location"] == NEXT
    assert int(answer.cookies[SESSION]["max-age"]) > 0


@pytest.mark.parametrize("stay", ["yes", "no"])
def test_left_unticked_nothing_is_remembered(contoso_analyst, stay):
    client = directory()
    to_stay_page(client, contoso_analyst)
    answer = answer_stay(client, stay, dont_show_again=False)
    assert STAY_ANSWER_COOKIE not in answer.cookies
    assert STAY_ANSWER_COOKIE not in client.cookies
    answer = later_sign_in(client, contoso_analyst)
    assert urlsplit(answer["Location"]).path == "/signin/stay", "asked again"
    assert client.session[STAYS_SIGNED_IN] is False, "until answered, ends with the browser"


@pytest.mark.parametrize("secure", [False, True])
def test_the_cookie_is_signed_http_only_and_the_directorys_alone(settings, contoso_analyst, secure):
    settings.SESSION_COOKIE_SECURE = secure
    client = directory()
    to_stay_page(client, contoso_analyst)
    cookie = answer_stay(client, "yes", dont_show_again=True).cookies[STAY_ANSWER_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["domain"] == "", "host-only: the directory's host, no portal's"
    assert cookie["path"] == "/signin", "sent to the sign-in's steps only"
    assert cookie["samesite"] == settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert bool(cookie["secure"]) is secure, "Secure whenever the session cookie is"
    assert int(cookie["max-age"]) == STAY_ANSWER_SECONDS == 365 * 24 * 60 * 60
    value = cookie.value
    answer, _signed_at, signature = value.split(":")
    assert answer == "yes" and signature, "the answer alone, signed: nothing of the account"


def signed_long_ago(answer: str) -> str:
    over_a_year_ago = time.time() - STAY_ANSWER_SECONDS - 60
    with mock.patch("django.core.signing.time.time", return_value=over_a_year_ago):
        return signing.get_cookie_signer(salt=STAY_ANSWER_COOKIE + STAY_ANSWER_SALT).sign(answer)


def forged(kind: str, genuine: str) -> str:
    if kind == "answer changed":
        return "no" + genuine.removeprefix("yes")
    if kind == "unsigned":
        return "yes"
    if kind == "signed for something else":
        return signing.get_cookie_signer(salt=STAY_ANSWER_COOKIE + "other").sign("yes")
    if kind == "older than a year":
        return signed_long_ago("yes")
    assert kind == "not an answer"
    return signing.get_cookie_signer(salt=STAY_ANSWER_COOKIE + STAY_ANSWER_SALT).sign("always")


@pytest.mark.parametrize(
    "kind",
    [
        "answer changed",
        "unsigned",
        "signed for something else",
        "older than a year",
        "not an answer",
    ],
)
def test_a_cookie_altered_forged_or_expired_is_ignored(contoso_analyst, kind):
    client = directory()
    to_stay_page(client, contoso_analyst)
    genuine = answer_stay(client, "yes", dont_show_again=True).cookies[STAY_ANSWER_COOKIE].value
    client.cookies[STAY_ANSWER_COOKIE] = forged(kind, genuine)
    answer = later_sign_in(client, contoso_analyst)
    assert urlsplit(answer["Location"]).path == "/signin/stay", "the page is shown"
    assert not answer.cookies[SESSION]["max-age"], "nothing applied: ends with the browser"


def test_the_answer_belongs_to_the_browser_and_outlasts_a_sign_out(contoso_analyst, contoso_admin):
    portal = Client(HTTP_HOST=LEGACY_HOST)
    signed_in = through_directory(
        portal, portal.get("/signin"), contoso_analyst.email, stay="yes", dont_show_again=True
    )
    assert signed_in.status_code == HTTPStatus.FOUND
    browser = directory_of(portal)
    assert portal.post("/signout").status_code == HTTPStatus.FOUND
    assert browser.cookies[STAY_ANSWER_COOKIE].value.startswith("yes:"), "kept at sign-out"

    # Another account in the same browser: the page is skipped and the answer is applied.
    # (Asked, the helper would have answered No: a browser-session cookie.)
    answer = through_directory(portal, portal.get("/signin"), contoso_admin.email, stay="no")
    assert answer.status_code == HTTPStatus.FOUND
    assert browser.session["_auth_user_id"] == str(contoso_admin.pk)
    assert browser.session[STAYS_SIGNED_IN] is True
    assert int(browser.cookies[SESSION]["max-age"]) > 0


def test_another_browser_is_still_asked(contoso_analyst):
    first = directory()
    to_stay_page(first, contoso_analyst)
    answer_stay(first, "yes", dont_show_again=True)
    to_stay_page(directory(), contoso_analyst)


def test_refusals_are_unchanged_by_a_remembered_answer(contoso_analyst):
    wrong, unknown = directory(), directory()
    for client in (wrong, unknown):
        to_stay_page(client, contoso_analyst)
        answer_stay(client, "yes", dont_show_again=True)
        del client.cookies[SESSION]
    email_step(wrong, contoso_analyst.email)
    email_step(unknown, UNKNOWN)
    refused = password_step(wrong, "not-the-password"), password_step(unknown, PASSWORD)
    assert [page.status_code for page in refused] == [HTTPStatus.OK, HTTPStatus.OK]
    assert INCORRECT in refused[0].content.decode()
    assert same_page(refused[0], contoso_analyst.email) == same_page(refused[1], UNKNOWN)
    assert "_auth_user_id" not in wrong.session and "_auth_user_id" not in unknown.session


def test_the_failure_limit_still_pauses_a_browser_that_remembers(settings, contoso_analyst):
    settings.SIGN_IN_FAILURE_LIMIT = 2
    client = directory()
    to_stay_page(client, contoso_analyst)
    answer_stay(client, "yes", dont_show_again=True)
    del client.cookies[SESSION]
    email_step(client, contoso_analyst.email)
    assert password_step(client, "not-the-password").status_code == HTTPStatus.OK
    email_step(client, contoso_analyst.email)
    assert password_step(client, "not-the-password").status_code == HTTPStatus.TOO_MANY_REQUESTS
    email_step(client, contoso_analyst.email)
    assert password_step(client, PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session


def stay_lines(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "accounts.signin" and record.getMessage().startswith("stay_signed_in ")
    ]


def test_a_skipped_page_logs_the_answer_as_the_page_does(caplog, contoso_analyst):
    caplog.set_level(logging.INFO, logger="accounts.signin")
    client = directory()
    to_stay_page(client, contoso_analyst)
    answer_stay(client, "no", dont_show_again=True)
    later_sign_in(client, contoso_analyst)
    who = f"tenant={contoso_analyst.tenant_id} account={contoso_analyst.pk}"
    assert stay_lines(caplog) == [
        f"stay_signed_in {who} answer=no asked=yes dont_show_again=yes",
        f"stay_signed_in {who} answer=no asked=no dont_show_again=yes",
    ]
