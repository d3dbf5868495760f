"""Sign-in and sign-out on both portals: session rows, key rotation, messages, `next`."""

from http import HTTPStatus

import pytest

from accounts.models import SignInSession
from accounts.signin import TENANT_ID, signed_in_at
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["defender", "legacy"])
def portal_client(request, defender_client, legacy_client):
    return {"defender": defender_client, "legacy": legacy_client}[request.param], request.param


def test_sign_in_page_has_email_password_and_button(portal_client):
    client, _ = portal_client
    page = client.get("/signin").content.decode()
    assert ">Email</label>" in page
    assert ">Password</label>" in page
    assert ">Sign in</button>" in page


def test_sign_in_records_a_session_and_rotates_the_key(portal_client, contoso_analyst):
    client, portal = portal_client
    client.get("/signin")
    before = client.cookies.get("sessionid")
    sign_in(client, contoso_analyst)
    key = client.cookies["sessionid"].value
    assert before is None or before.value != key
    row = SignInSession.objects.get()
    assert (row.user, row.tenant, row.portal, row.session_key) == (
        contoso_analyst,
        contoso_analyst.tenant,
        portal,
        key,
    )
    assert row.is_active
    assert row.ip_address == "127.0.0.1"
    session = client.session
    assert session[TENANT_ID] == contoso_analyst.tenant_id
    assert abs((signed_in_at(session) - row.signed_in_at).total_seconds()) < 1


def test_a_session_key_planted_before_sign_in_is_not_kept(portal_client, contoso_analyst):
    client, _ = portal_client
    client.get("/signin")
    client.session.save()
    planted = client.session.session_key
    sign_in(client, contoso_analyst)
    assert client.cookies["sessionid"].value != planted


def test_sign_out_is_post_only_and_ends_the_session_row(portal_client, contoso_analyst):
    client, _ = portal_client
    sign_in(client, contoso_analyst)
    assert client.get("/signout").status_code == HTTPStatus.METHOD_NOT_ALLOWED
    response = client.post("/signout")
    assert response.url == "/signin"
    row = SignInSession.objects.get()
    assert not row.is_active
    assert row.end_reason == SignInSession.EndReason.SIGNED_OUT
    assert client.get("/").status_code == HTTPStatus.FOUND


@pytest.mark.parametrize(
    "email, password",
    [("analyst@contoso.example", "wrong"), ("nobody@contoso.example", "correct-horse-battery")],
)
def test_bad_credentials_get_one_message_that_names_neither_part(
    portal_client, contoso_analyst, email, password
):
    client, _ = portal_client
    response = client.post("/signin", {"username": email, "password": password})
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "The email or password is incorrect" in page
    assert f'value="{email}"' in page, "the email is kept in the form"
    assert not SignInSession.objects.exists()


def test_inactive_account_gets_the_same_message(defender_client, contoso):
    user = UserFactory(tenant=contoso, is_active=False)
    response = defender_client.post(
        "/signin", {"username": user.email, "password": "correct-horse-battery"}
    )
    assert "The email or password is incorrect" in response.content.decode()


def test_email_is_matched_without_regard_to_case(defender_client, contoso_analyst):
    response = defender_client.post(
        "/signin", {"username": "Analyst@Contoso.EXAMPLE", "password": "correct-horse-battery"}
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
    assert defender_client.get("/signin").status_code == HTTPStatus.FOUND
