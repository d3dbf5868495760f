"""Sign-in and sign-out through the directory, on every portal: rows, keys, messages, `next`."""

from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from accounts.models import SignInSession, session_reference
from accounts.session_keys import ROLES, TENANT_ID, signed_in_at
from accounts.views import next_hop
from tests.conftest import (
    IDENTITY_HOST,
    directory_of,
    hidden_next,
    same_browser,
    sign_in,
    through_directory,
)
from tests.factories import RoleAssignmentFactory, UserFactory
from web.hosts import PORTALS

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["defender", "legacy", "endpoint"])
def portal_client(request, defender_client, legacy_client, endpoint_client):
    clients = {"defender": defender_client, "legacy": legacy_client, "endpoint": endpoint_client}
    return clients[request.param], request.param


def test_a_portal_sends_the_browser_to_the_directory_with_state_nonce_and_pkce(portal_client):
    client, _ = portal_client
    location = urlsplit(client.get("/signin", {"next": "/alerts"})["Location"])
    query = parse_qs(location.query)
    assert location.hostname == IDENTITY_HOST and location.path == "/oauth2/authorize"
    assert query["code_challenge_method"] == ["S256"]
    assert {"state", "nonce", "code_challenge", "redirect_uri"} <= set(query)


def test_the_directory_sign_in_asks_the_email_then_the_password(portal_client):
    client, _ = portal_client
    authorize = urlsplit(client.get("/signin")["Location"])
    directory = directory_of(client)
    page = directory.get(authorize.path + "?" + authorize.query, follow=True)
    text = page.content.decode()
    assert ">Email</label>" in text and ">Next</button>" in text
    assert ">Password</label>" not in text
    page = directory.post(
        "/signin", {"username": "analyst@contoso.example", "next": hidden_next(page)}, follow=True
    )
    text = page.content.decode()
    assert ">Password</label>" in text and ">Sign in</button>" in text
    assert "analyst@contoso.example" in text


def test_sign_in_records_both_sessions_and_keeps_no_key(portal_client, contoso_admin):
    client, portal = portal_client
    sign_in(client, contoso_admin)
    key = client.cookies["sessionid"].value
    portal_row = SignInSession.objects.get(portal=portal)
    directory_row = SignInSession.objects.get(portal="directory")
    assert (portal_row.user, portal_row.tenant, portal_row.method) == (
        contoso_admin,
        contoso_admin.tenant,
        SignInSession.Method.DIRECTORY,
    )
    assert portal_row.session_ref == session_reference(key)
    assert key not in portal_row.session_ref
    assert portal_row.ip_address == "127.0.0.1"
    session = client.session
    assert session[TENANT_ID] == contoso_admin.tenant_id
    assert session[ROLES] == ["global_administrator"]
    assert abs((signed_in_at(session) - portal_row.signed_in_at).total_seconds()) < 1
    assert directory_row.is_active


def test_a_session_key_planted_before_sign_in_is_not_kept(portal_client, contoso_analyst):
    client, _ = portal_client
    client.get("/signin")
    planted = client.cookies["sessionid"].value
    sign_in(client, contoso_analyst)
    assert client.cookies["sessionid"].value != planted


def test_the_other_portal_signs_in_without_asking_again(
    defender_client, legacy_client, contoso_analyst
):
    same_browser(defender_client, legacy_client)
    sign_in(legacy_client, contoso_analyst)
    # No password given: the directory answers from its own session.
    response = through_directory(defender_client, defender_client.get("/signin"))
    assert response.status_code == HTTPStatus.FOUND
    assert defender_client.get("/alerts").status_code == HTTPStatus.OK


def test_sign_out_ends_this_portal_the_directory_and_every_other_portal(
    defender_client, legacy_client, endpoint_client, contoso_analyst
):
    same_browser(legacy_client, defender_client, endpoint_client)
    sign_in(legacy_client, contoso_analyst)
    for client in (defender_client, endpoint_client):
        through_directory(client, client.get("/signin"))
    assert legacy_client.get("/signout").status_code == HTTPStatus.METHOD_NOT_ALLOWED
    # Everything ends before the answer, which sends the browser to sign in again: no hop
    # through the directory or the other portal is needed for it.
    assert (
        legacy_client.post("/signout")["Location"]
        == "http://login.localhost:8000/signedout?portal=legacy"
    )
    assert not SignInSession.objects.active().exists()
    assert {row.end_reason for row in SignInSession.objects.all()} == {
        SignInSession.EndReason.SIGNED_OUT
    }
    for client in (legacy_client, defender_client, endpoint_client):
        assert client.get("/").status_code == HTTPStatus.FOUND
    # Signing in again asks for the password: the directory session is over.
    again = through_directory(legacy_client, legacy_client.get("/signin"))
    assert again.status_code == HTTPStatus.OK and "Sign in" in again.content.decode()


@pytest.mark.parametrize("origin", ["defender", "legacy", "endpoint"])
def test_a_sign_out_visits_every_other_portal_once_and_ends_where_it_began(origin):
    hops, current = [], origin
    while (current := next_hop(origin, current)) is not None:
        hops.append(current)
    assert hops == [portal for portal in PORTALS if portal != origin]


@pytest.mark.parametrize("state", ["", "-", "elsewhere:abc", "abc", "security:abc"])
def test_a_front_channel_call_without_a_known_origin_ends_on_this_portals_sign_in(
    endpoint_client, state
):
    answer = endpoint_client.get("/signout/frontchannel", {"state": state})
    assert answer["Location"] == "http://securitycenter.localhost:8000/signin"


@pytest.mark.parametrize(
    "email, password",
    [("analyst@contoso.example", "wrong"), ("nobody@contoso.example", "correct-horse-battery")],
)
def test_bad_credentials_get_one_message_that_names_neither_part(
    portal_client, contoso_analyst, email, password
):
    client, _ = portal_client
    response = through_directory(client, client.get("/signin"), email, password)
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "The email or password is incorrect" in page
    assert f'value="{email}"' in page, "the email is kept in the form"
    assert not SignInSession.objects.exists()


def test_inactive_account_gets_the_same_message(defender_client, contoso):
    user = UserFactory(tenant=contoso, is_active=False)
    response = through_directory(defender_client, defender_client.get("/signin"), user.email)
    assert "The email or password is incorrect" in response.content.decode()


def test_email_is_matched_without_regard_to_case(defender_client, contoso_analyst):
    response = through_directory(
        defender_client, defender_client.get("/signin"), "Analyst@Contoso.EXAMPLE"
    )
    assert response.status_code == HTTPStatus.FOUND


def test_local_next_is_honoured(legacy_client, contoso_analyst):
    response = sign_in(legacy_client, contoso_analyst, next_path="/timeline?severity=high")
    assert response.url == "/timeline?severity=high"


@pytest.mark.parametrize(
    "next_path",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "http://security.localhost/"],
)
def test_off_site_next_is_ignored(legacy_client, contoso_analyst, next_path):
    response = sign_in(legacy_client, contoso_analyst, next_path=next_path)
    assert response.url == "/"


def test_signed_in_user_visiting_sign_in_goes_on(defender_client, contoso_analyst):
    sign_in(defender_client, contoso_analyst)
    assert defender_client.get("/signin")["Location"] == "/"


def alert_lines(response) -> list[str]:
    alert = response.content.decode().split('role="alert">', 1)[1].split("</div>", 1)[0]
    return [line for line in ("Enter your email.", "Enter your password.") if line in alert]


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({}, ["Enter your email."]),
        ({"password": "something"}, ["Enter your email."]),
        ({"username": "analyst@contoso.example", "password": ""}, ["Enter your password."]),
    ],
)
def test_empty_fields_are_named_in_a_message(contoso_analyst, fields, said):
    directory = Client(HTTP_HOST=IDENTITY_HOST)
    response = directory.post("/signin", fields)
    assert response.status_code == HTTPStatus.OK
    assert alert_lines(response) == said
    assert "_auth_user_id" not in directory.session


def test_an_empty_password_step_is_named_in_a_message(contoso_analyst):
    directory = Client(HTTP_HOST=IDENTITY_HOST)
    directory.post("/signin", {"username": contoso_analyst.email})
    response = directory.post("/signin/password", {})
    assert response.status_code == HTTPStatus.OK
    assert alert_lines(response) == ["Enter your password."]
    assert "_auth_user_id" not in directory.session


def test_sign_in_stores_the_accounts_roles_in_its_tenant(portal_client, contoso, fabrikam):
    client, _ = portal_client
    user = UserFactory(tenant=contoso, roles=["security_reader", "global_reader"])
    RoleAssignmentFactory(user=user, tenant=fabrikam, role="global_administrator")
    sign_in(client, user)
    assert client.session[ROLES] == ["global_reader", "security_reader"]  # home tenant only
