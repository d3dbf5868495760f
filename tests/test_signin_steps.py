"""The directory's sign-in, step by step: Email, Password, Stay signed in?, and the signed-out
page a portal's sign-out lands on."""

from __future__ import annotations

import re
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from accounts.directory_client import PENDING_SIGN_IN_SECONDS
from accounts.models import Session
from directory.forms import PENDING_EMAIL
from tests.conftest import (
    DEFENDER_HOST,
    IDENTITY_HOST,
    LEGACY_HOST,
    directory_of,
    hidden_next,
    sign_in,
    through_directory,
)
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEXT = "/oauth2/authorize?client_id=x&state=y"
UNKNOWN = "nobody@contoso.example"
INCORRECT = "The email or password is incorrect. Check them and try again."


def directory(**extra) -> Client:
    return Client(HTTP_HOST=IDENTITY_HOST, **extra)


def email_step(client: Client, email: str, next_path: str = NEXT):
    return client.post("/signin", {"username": email, "next": next_path})


def password_step(client: Client, password: str, next_path: str = NEXT):
    return client.post("/signin/password", {"password": password, "next": next_path})


def next_of(response) -> str:
    return parse_qs(urlsplit(response["Location"]).query).get("next", [""])[0]


def same_page(response, email: str) -> str:
    """The page as any email would see it: the email and the per-request token taken out."""
    page = response.content.decode().replace(email, "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "TOKEN", page)


def test_the_email_step_asks_only_the_email_and_its_button_is_next():
    page = directory().get("/signin", {"next": NEXT}).content.decode()
    assert ">Email</label>" in page and ">Next</button>" in page
    assert 'type="password"' not in page
    assert hidden_next_value(page) == NEXT


def hidden_next_value(page: str) -> str:
    return re.search(r'name="next" value="([^"]*)"', page).group(1).replace("&amp;", "&")


def test_an_unknown_email_goes_on_to_the_password_step_as_a_known_one(contoso_analyst):
    known, unknown = directory(), directory()
    to_known = email_step(known, contoso_analyst.email)
    to_unknown = email_step(unknown, UNKNOWN)
    assert to_known.status_code == to_unknown.status_code == HTTPStatus.FOUND
    assert to_known["Location"] == to_unknown["Location"]
    assert urlsplit(to_known["Location"]).path == "/signin/password"
    assert next_of(to_known) == NEXT
    pages = known.get(to_known["Location"]), unknown.get(to_unknown["Location"])
    assert [page.status_code for page in pages] == [HTTPStatus.OK, HTTPStatus.OK]
    assert same_page(pages[0], contoso_analyst.email) == same_page(pages[1], UNKNOWN)
    assert ">Password</label>" in pages[0].content.decode()
    assert contoso_analyst.email in pages[0].content.decode(), "the email is shown"


def test_the_email_waits_in_the_session_not_in_the_url(contoso_analyst):
    client = directory()
    answer = email_step(client, contoso_analyst.email.upper())
    assert contoso_analyst.email not in answer["Location"].lower()
    assert client.session[PENDING_EMAIL] == contoso_analyst.email
    # An email never followed by a password leaves a session of minutes, not of a sign-in.
    assert client.session.get_expiry_age() <= PENDING_SIGN_IN_SECONDS


def test_a_wrong_password_and_an_unknown_email_get_the_same_message_and_page(contoso_analyst):
    wrong, unknown = directory(), directory()
    email_step(wrong, contoso_analyst.email)
    email_step(unknown, UNKNOWN)
    refused = password_step(wrong, "not-the-password"), password_step(unknown, PASSWORD)
    assert [page.status_code for page in refused] == [HTTPStatus.OK, HTTPStatus.OK]
    assert INCORRECT in refused[0].content.decode()
    assert same_page(refused[0], contoso_analyst.email) == same_page(refused[1], UNKNOWN)
    assert "_auth_user_id" not in wrong.session and "_auth_user_id" not in unknown.session


def test_the_password_step_needs_an_email_entered_in_this_browser(contoso_analyst):
    client = directory()
    answer = client.get("/signin/password", {"next": NEXT})
    assert answer.status_code == HTTPStatus.FOUND
    assert urlsplit(answer["Location"]).path == "/signin" and next_of(answer) == NEXT
    # A posted email is not read: only the one this browser entered at the first step.
    answer = client.post(
        "/signin/password", {"username": contoso_analyst.email, "password": PASSWORD}
    )
    assert urlsplit(answer["Location"]).path == "/signin"
    assert "_auth_user_id" not in client.session


def test_the_email_can_be_changed_from_the_password_step(contoso_analyst):
    client = directory()
    email_step(client, UNKNOWN)
    page = client.get("/signin/password", {"next": NEXT}).content.decode()
    change = re.search(r'<a href="([^"]*)">Use another email</a>', page).group(1)
    assert urlsplit(change.replace("&amp;", "&")).path == "/signin"
    email_step(client, contoso_analyst.email)
    answer = password_step(client, PASSWORD)
    assert urlsplit(answer["Location"]).path == "/signin/stay"
    assert client.session["_auth_user_id"] == str(contoso_analyst.pk)


def test_the_failure_limit_still_pauses_sign_in_step_by_step(settings, contoso_analyst):
    settings.SIGN_IN_FAILURE_LIMIT = 3
    client = directory()
    for _ in range(settings.SIGN_IN_FAILURE_LIMIT - 1):
        email_step(client, contoso_analyst.email)
        answer = password_step(client, "not-the-password")
        assert answer.status_code == HTTPStatus.OK and INCORRECT in answer.content.decode()
    email_step(client, contoso_analyst.email)
    paused = password_step(client, "not-the-password")
    assert paused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Sign-in paused" in paused.content.decode()
    # Counted per email and address: the right password does not sign in while paused.
    email_step(client, contoso_analyst.email.upper())
    assert password_step(client, PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session


def signed_in_directory(contoso_analyst, stay: str) -> tuple[Client, object]:
    client = directory()
    email_step(client, contoso_analyst.email)
    to_stay = password_step(client, PASSWORD)
    assert urlsplit(to_stay["Location"]).path == "/signin/stay"
    assert next_of(to_stay) == NEXT
    page = client.get(to_stay["Location"]).content.decode()
    assert "Stay signed in?" in page and ">Yes</button>" in page and ">No</button>" in page
    assert hidden_next_value(page) == NEXT
    answer = client.post("/signin/stay", {"stay": stay, "next": NEXT})
    assert answer.status_code == HTTPStatus.FOUND and answer["Location"] == NEXT
    return client, answer.cookies[settings.SESSION_COOKIE_NAME]


def test_yes_keeps_the_single_sign_on_until_the_sign_in_ends(contoso_analyst):
    _client, cookie = signed_in_directory(contoso_analyst, "yes")
    row = Session.objects.get(session_key=cookie.value)
    assert cookie["expires"] and int(cookie["max-age"]) > 0
    left = (row.expire_date - row.expire_date.now(row.expire_date.tzinfo)).total_seconds()
    assert abs(int(cookie["max-age"]) - left) < 5, "the cookie ends when the sign-in does"


def test_no_makes_the_single_sign_on_a_browser_session_cookie(contoso_analyst):
    client, cookie = signed_in_directory(contoso_analyst, "no")
    assert not cookie["expires"] and not cookie["max-age"]
    # The sign-in itself still ends at its fixed moment.
    row = Session.objects.get(session_key=cookie.value)
    assert row.expire_date is not None
    # Later saves of the session keep the answer.
    client.session.save()
    assert client.get("/signin/stay").status_code == HTTPStatus.OK


def test_until_answered_the_single_sign_on_ends_with_the_browser(contoso_analyst):
    client = directory()
    email_step(client, contoso_analyst.email)
    cookie = password_step(client, PASSWORD).cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]


def test_stay_signed_in_asks_only_a_signed_in_browser():
    answer = directory().get("/signin/stay", {"next": NEXT})
    assert urlsplit(answer["Location"]).path == "/signin" and next_of(answer) == NEXT


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil.example"])
def test_next_is_a_local_path_at_every_step(contoso_analyst, target):
    client = directory()
    assert next_of(email_step(client, contoso_analyst.email, target)) == ""
    assert urlsplit(password_step(client, PASSWORD, target)["Location"]).query == ""
    assert client.post("/signin/stay", {"stay": "no", "next": target})["Location"] == "/"


def test_the_whole_flow_works_with_plain_forms_and_csrf(contoso_analyst):
    """No JavaScript: each step is a form posted with its CSRF token, answered by a redirect."""
    portal = Client(HTTP_HOST=DEFENDER_HOST, enforce_csrf_checks=True)
    client = directory_of(portal)
    client.handler.enforce_csrf_checks = True
    response = client.get(portal.get("/signin")["Location"], follow=True)
    for fields in ({"username": contoso_analyst.email}, {"password": PASSWORD}, {"stay": "no"}):
        page = response.content.decode()
        form = re.search(r'<form method="post" action="([^"]*)"', page).group(1)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', page).group(1)
        assert client.post(form, fields).status_code == HTTPStatus.FORBIDDEN, "CSRF is checked"
        response = client.post(
            form, {**fields, "next": hidden_next(response), "csrfmiddlewaretoken": token}
        )
        assert response.status_code == HTTPStatus.FOUND
        if fields.get("stay"):
            break
        response = client.get(response["Location"])
    answer = through_directory(portal, response)
    assert answer.status_code == HTTPStatus.FOUND
    assert portal.get("/alerts").status_code == HTTPStatus.OK


@pytest.mark.parametrize(("portal_client_host", "portal"), [(LEGACY_HOST, "legacy")])
def test_a_portal_sign_out_lands_on_the_signed_out_page(
    contoso_analyst, portal_client_host, portal
):
    client = Client(HTTP_HOST=portal_client_host)
    sign_in(client, contoso_analyst)
    answer = client.post("/signout")
    location = urlsplit(answer["Location"])
    assert (location.hostname, location.path) == ("login.localhost", "/signedout")
    page = directory_of(client).get(location.path + "?" + location.query)
    text = page.content.decode()
    assert page.status_code == HTTPStatus.OK
    assert "You signed out of your account" in text
    assert "close all browser windows" in text
    assert 'href="http://portal.atp.localhost:8000/signin"' in text


@pytest.mark.parametrize(
    "portal", ["", "evil", "https://evil.example", "//evil.example", "directory"]
)
def test_the_signed_out_page_links_only_to_a_configured_portal(portal):
    text = directory().get("/signedout", {"portal": portal}).content.decode()
    links = re.findall(r'<a href="([^"]*)"', text)
    assert links == [f"{settings.DEFENDER_PORTAL_URL}/signin"]
    assert "evil" not in text


def test_the_support_console_log_out_lands_on_the_signed_out_page(contoso):
    support = UserFactory(email="support@defender.example", tenant=None, is_staff=True)
    support.is_superuser = True
    support.save()
    console = Client(HTTP_HOST=DEFENDER_HOST)
    sign_in(console, support, next_path="/admin/")
    assert console.get("/admin/").status_code == HTTPStatus.OK
    answer = console.post("/admin/logout/")
    assert answer["Location"] == "http://login.localhost:8000/signedout?portal=defender"
    assert console.get("/admin/").status_code == HTTPStatus.FOUND, "signed out"
