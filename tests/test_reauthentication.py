"""The directory's authorization endpoint and a new sign-in asked for: prompt and max_age.

A relying party may ask for the password again (`prompt=login`, or `max_age` shorter than
the directory session's sign-in) or for no page at all (`prompt=none`); OpenID Connect Core
3.1.2.1. Each is driven here through the real endpoint, as a browser follows it.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from accounts import views
from accounts.models import SignInSession
from tests.conftest import (
    DEFENDER_HOST,
    directory_of,
    same_browser,
    sign_in,
    through_directory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(defender_client, legacy_client, contoso_analyst, clock):
    """One browser signed in to the directory (through the legacy portal) a while ago."""
    same_browser(legacy_client, defender_client)
    sign_in(legacy_client, contoso_analyst)
    signed_in = int(clock.now().timestamp())
    clock.advance(600)
    return defender_client, signed_in


def authorization_request(client, **asked) -> str:
    """The Defender portal's authorization request, with `asked` added, as a local path."""
    location = urlsplit(client.get("/signin")["Location"])
    query = {name: values[0] for name, values in parse_qs(location.query).items()}
    return location.path + "?" + urlencode({**query, **asked})


def answer_to_the_portal(response) -> dict[str, list[str]]:
    """The query the directory sends back to the portal's callback."""
    assert response.status_code == HTTPStatus.FOUND, response
    location = urlsplit(response["Location"])
    assert (location.hostname, location.path) == (DEFENDER_HOST, "/signin/callback"), location
    return parse_qs(location.query)


@pytest.fixture(autouse=True)
def portal_received(monkeypatch) -> list[dict]:
    """The claims of every ID token a portal accepted, as its sign-in read them."""
    received = []
    accept = views.account_from_claims

    def reading(claims, **kwargs):
        received.append(dict(claims))
        return accept(claims, **kwargs)

    monkeypatch.setattr(views, "account_from_claims", reading)
    return received


def id_token_claims(received: list[dict]) -> dict:
    return received[-1]


@pytest.mark.parametrize("asked", [{"prompt": "login"}, {"max_age": "0"}, {"max_age": "60"}])
def test_a_new_sign_in_asked_for_shows_the_sign_in_page_to_a_signed_in_browser(browser, asked):
    client, _ = browser
    directory = directory_of(client)
    response = directory.get(authorization_request(client, **asked))
    assert urlsplit(response["Location"]).path == "/signin"
    page = directory.get(response["Location"])
    assert page.status_code == HTTPStatus.OK
    assert ">Email</label>" in page.content.decode()


@pytest.mark.parametrize("asked", [{"prompt": "login"}, {"max_age": "0"}, {"max_age": "60"}])
def test_no_code_comes_back_without_the_password(browser, asked):
    client, _ = browser
    response = directory_of(client).get(authorization_request(client, **asked))
    answer = through_directory(client, response, "analyst@contoso.example", "not-the-password")
    assert answer.status_code == HTTPStatus.OK
    assert "The email or password is incorrect" in answer.content.decode()
    assert client.get("/alerts").status_code == HTTPStatus.FOUND, "not signed in"


@pytest.mark.parametrize("asked", [{"prompt": "login"}, {"max_age": "0"}, {"max_age": "60"}])
def test_the_password_entered_again_signs_in_with_its_own_auth_time(
    browser, contoso_analyst, clock, asked, portal_received
):
    client, signed_in = browser
    response = directory_of(client).get(authorization_request(client, **asked))
    answer = through_directory(client, response, contoso_analyst.email)
    assert answer.status_code == HTTPStatus.FOUND
    assert client.get("/alerts").status_code == HTTPStatus.OK
    assert (
        id_token_claims(portal_received)["auth_time"] == int(clock.now().timestamp()) != signed_in
    )


def test_a_sign_in_within_max_age_is_answered_at_once_with_its_auth_time(browser, portal_received):
    client, signed_in = browser
    answer = answer_to_the_portal(
        directory_of(client).get(authorization_request(client, max_age="3600"))
    )
    assert "code" in answer
    client.get(f"/signin/callback?{urlencode({k: v[0] for k, v in answer.items()})}")
    assert id_token_claims(portal_received)["auth_time"] == signed_in


def test_a_new_sign_in_replaces_the_directory_sign_in_it_repeats(browser, contoso_analyst):
    client, _ = browser
    before = SignInSession.objects.get(portal="directory")
    response = directory_of(client).get(authorization_request(client, prompt="login"))
    through_directory(client, response, contoso_analyst.email)
    before.refresh_from_db()
    assert before.end_reason == SignInSession.EndReason.REPLACED
    assert SignInSession.objects.active().filter(portal="directory").count() == 1


@pytest.mark.parametrize("asked", [{}, {"prompt": "login"}, {"max_age": "0"}])
def test_a_browser_not_signed_in_enters_its_password_once(defender_client, contoso_analyst, asked):
    response = directory_of(defender_client).get(authorization_request(defender_client, **asked))
    answer = through_directory(defender_client, response, contoso_analyst.email)
    assert answer.status_code == HTTPStatus.FOUND
    assert defender_client.get("/alerts").status_code == HTTPStatus.OK


def test_prompt_none_without_a_directory_session_answers_login_required(defender_client):
    request = authorization_request(defender_client, prompt="none")
    state = parse_qs(urlsplit(request).query)["state"]
    answer = answer_to_the_portal(directory_of(defender_client).get(request))
    assert answer == {"error": ["login_required"], "state": state}


def test_prompt_none_with_a_directory_session_answers_with_a_code(browser):
    client, _ = browser
    answer = answer_to_the_portal(
        directory_of(client).get(authorization_request(client, prompt="none"))
    )
    assert "code" in answer and "error" not in answer


def test_prompt_none_with_a_sign_in_older_than_max_age_answers_login_required(browser):
    client, _ = browser
    answer = answer_to_the_portal(
        directory_of(client).get(authorization_request(client, prompt="none", max_age="60"))
    )
    assert answer["error"] == ["login_required"] and "code" not in answer
