"""Back-channel logout: when a sign-in ends, every client it issued tokens to loses them, and a
client that registered a back-channel URI is sent a signed logout token naming that sign-in."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import KeySet
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_refresh_token_model,
)

from accounts.models import SignInSession, sign_in_lifetime
from directory.logout import BACK_CHANNEL_LOGOUT_EVENT, wait_for_deliveries
from directory.models import BackChannelLogout, SignInClient
from tests.conftest import DEFENDER_HOST, IDENTITY_HOST, sign_in
from tests.factories import UserFactory
from tests.test_single_sign_on import browser

pytestmark = pytest.mark.django_db

Application = get_application_model()
AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()
CLIENT_REDIRECT = "http://rp.example/callback"


class LogoutReceiver:
    """A client's back-channel logout endpoint: keeps every logout token posted to it."""

    def __init__(self):
        self.tokens: list[str] = []
        received = self.tokens

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                received.extend(parse_qs(body)["logout_token"])
                self.send_response(HTTPStatus.OK)
                self.send_header("Cache-Control", "no-store")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.server.server_address[1]}/backchannel-logout"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[LogoutReceiver]:
    listening = LogoutReceiver()
    yield listening
    listening.close()


def third_party_client(name: str = "Partner SIEM") -> tuple[Application, str]:
    secret = secrets.token_hex(32)
    client = Application.objects.create(
        name=name,
        client_id=f"partner-{secrets.token_hex(4)}",
        client_secret=secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        redirect_uris=CLIENT_REDIRECT,
        skip_authorization=True,
    )
    return client, secret


@pytest.fixture
def partner(receiver) -> tuple[Application, str]:
    client, secret = third_party_client()
    BackChannelLogout.objects.create(application=client, uri=receiver.uri)
    return client, secret


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what the ending transaction leaves for after its commit, as production does."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def operator(contoso):
    return UserFactory(email="operator@contoso.example", tenant=contoso)


def tokens_for(directory: Client, client: Application, secret: str) -> dict:
    """The client's authorization code flow, through this browser's directory session."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": CLIENT_REDIRECT,
        "scope": "openid",
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
        "code_challenge": challenge.decode().rstrip("="),
        "code_challenge_method": "S256",
    }
    answer = directory.get("/oauth2/authorize?" + urlencode(query))
    assert answer.status_code == HTTPStatus.FOUND, answer.content[:500]
    code = parse_qs(urlsplit(answer["Location"]).query)["code"][0]
    return exchange(client, secret, code, verifier)


def exchange(client: Application, secret: str, code: str, verifier: str) -> dict:
    answer = Client(HTTP_HOST=IDENTITY_HOST).post(
        "/oauth2/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CLIENT_REDIRECT,
            "client_id": client.client_id,
            "client_secret": secret,
            "code_verifier": verifier,
        },
    )
    assert answer["Content-Type"] == "application/json", answer.content[:3000]
    return {"status": answer.status_code, **answer.json()}


def claims_of(token: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def verified(logout_token: str) -> jwt.Token:
    """The logout token, checked against the keys the directory publishes."""
    keys = KeySet.import_key_set(
        Client(HTTP_HOST=IDENTITY_HOST).get("/.well-known/jwks.json").json()
    )
    return jwt.decode(logout_token, keys, algorithms=["RS256"])


def signed_in_browser(user):
    clients = browser()
    sign_in(clients[DEFENDER_HOST], user)
    return clients


# ------------------------------------------------------------------ what the directory offers
def test_discovery_offers_back_channel_logout_with_the_sign_in():
    document = Client(HTTP_HOST=IDENTITY_HOST).get("/.well-known/openid-configuration").json()
    assert document["backchannel_logout_supported"] is True
    assert document["backchannel_logout_session_supported"] is True
    assert "end_session_endpoint" in document


# ------------------------------------------------------------------ a sign-out
def test_signing_out_of_a_portal_tells_the_client_of_that_sign_in(
    operator, partner, receiver, committed
):
    client, secret = partner
    clients = signed_in_browser(operator)
    issued = tokens_for(clients[IDENTITY_HOST], client, secret)
    assert issued["status"] == HTTPStatus.OK
    sid = claims_of(issued["id_token"])["sid"]

    with committed():
        clients[DEFENDER_HOST].post("/signout")
    wait_for_deliveries()

    [logout_token] = receiver.tokens
    token = verified(logout_token)
    assert token.header["typ"] == "logout+jwt"
    assert token.header["kid"] == jwt.decode(issued["id_token"], KeySet.import_key_set(
        Client(HTTP_HOST=IDENTITY_HOST).get("/.well-known/jwks.json").json()
    )).header["kid"]  # fmt: skip
    claims = token.claims
    assert claims["iss"] == claims_of(issued["id_token"])["iss"]
    assert claims["aud"] == client.client_id
    assert (claims["sub"], claims["sid"]) == (str(operator.pk), sid)
    assert claims["events"] == {BACK_CHANNEL_LOGOUT_EVENT: {}}
    assert "nonce" not in claims
    assert 0 < claims["exp"] - claims["iat"] <= 120
    # What the sign-in issued no longer works.
    assert not AccessToken.objects.filter(application=client).exists()
    assert not RefreshToken.objects.filter(application=client, revoked__isnull=True).exists()
    assert not SignInClient.objects.exists()


def test_the_sign_in_of_another_browser_is_neither_told_nor_revoked(
    operator, partner, receiver, committed
):
    client, secret = partner
    first, second = signed_in_browser(operator), signed_in_browser(operator)
    tokens_for(first[IDENTITY_HOST], client, secret)
    kept = tokens_for(second[IDENTITY_HOST], client, secret)

    with committed():
        first[DEFENDER_HOST].post("/signout")
    wait_for_deliveries()

    [logout_token] = receiver.tokens
    assert verified(logout_token).claims["sid"] != claims_of(kept["id_token"])["sid"]
    assert AccessToken.objects.filter(application=client).count() == 1
    # The second browser's sign-out still works, and tells the client in its turn.
    with committed():
        second[DEFENDER_HOST].post("/signout")
    wait_for_deliveries()
    assert verified(receiver.tokens[-1]).claims["sid"] == claims_of(kept["id_token"])["sid"]


def test_a_client_without_a_back_channel_uri_loses_its_tokens_and_is_sent_nothing(
    operator, receiver, committed
):
    client, secret = third_party_client("Quiet client")
    clients = signed_in_browser(operator)
    tokens_for(clients[IDENTITY_HOST], client, secret)

    with committed():
        clients[DEFENDER_HOST].post("/signout")
    wait_for_deliveries()

    assert receiver.tokens == []
    assert not AccessToken.objects.filter(application=client).exists()


def test_a_code_of_a_sign_in_that_has_ended_yields_no_tokens(operator, partner, committed):
    client, secret = partner
    clients = signed_in_browser(operator)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    answer = clients[IDENTITY_HOST].get(
        "/oauth2/authorize?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": client.client_id,
                "redirect_uri": CLIENT_REDIRECT,
                "scope": "openid",
                "code_challenge": challenge.decode().rstrip("="),
                "code_challenge_method": "S256",
            }
        )
    )
    code = parse_qs(urlsplit(answer["Location"]).query)["code"][0]
    with committed():
        clients[DEFENDER_HOST].post("/signout")  # before the client exchanges its code

    refused = exchange(client, secret, code, verifier)

    assert (refused["status"], refused["error"]) == (HTTPStatus.BAD_REQUEST, "invalid_grant")
    assert not AccessToken.objects.filter(application=client).exists()
    assert not SignInClient.objects.exists()


# ------------------------------------------------------------------ the other ends
def test_support_ending_an_accounts_sessions_tells_its_clients(
    operator, partner, receiver, committed
):
    client, secret = partner
    clients = signed_in_browser(operator)
    tokens_for(clients[IDENTITY_HOST], client, secret)
    with committed():
        operator.end_all_sessions(SignInSession.EndReason.ENDED_BY_SUPPORT)
    wait_for_deliveries()
    assert [verified(token).claims["sub"] for token in receiver.tokens] == [str(operator.pk)]


def test_deactivating_an_account_tells_its_clients(operator, partner, receiver, committed):
    client, secret = partner
    tokens_for(signed_in_browser(operator)[IDENTITY_HOST], client, secret)
    operator.is_active = False
    with committed():
        operator.save()
    wait_for_deliveries()
    assert len(receiver.tokens) == 1
    assert not AccessToken.objects.filter(application=client).exists()


def test_a_sign_in_that_expires_is_told_when_expire_sessions_records_it(
    operator, partner, receiver, committed
):
    client, secret = partner
    tokens_for(signed_in_browser(operator)[IDENTITY_HOST], client, secret)
    SignInSession.objects.update(signed_in_at=timezone.now() - sign_in_lifetime())
    with committed():
        call_command("expire_sessions")
    wait_for_deliveries()
    assert len(receiver.tokens) == 1
    assert not SignInClient.objects.exists()


def test_a_client_that_does_not_answer_never_holds_up_a_sign_out(operator, caplog, committed):
    client, secret = third_party_client("Down client")
    BackChannelLogout.objects.create(application=client, uri="http://127.0.0.1:9/logout")
    clients = signed_in_browser(operator)
    tokens_for(clients[IDENTITY_HOST], client, secret)
    with committed():
        assert clients[DEFENDER_HOST].post("/signout").status_code == HTTPStatus.FOUND
    wait_for_deliveries()
    assert "back_channel_logout_failed" in caplog.text


# ------------------------------------------------------------------ the support console
def test_the_console_registers_a_clients_back_channel_uri_but_not_the_portals(receiver, settings):
    admin_user = UserFactory(tenant=None, is_staff=True, is_superuser=True)
    console = Client(HTTP_HOST=DEFENDER_HOST)
    sign_in(console, admin_user)
    client, _ = third_party_client()
    page = console.get("/admin/directory/backchannellogout/add/")
    assert page.status_code == HTTPStatus.OK
    choices = page.context["adminform"].form.fields["application"].queryset
    assert client in choices
    assert not choices.filter(client_id=settings.OIDC_CLIENT_ID).exists()

    answer = console.post(
        "/admin/directory/backchannellogout/add/",
        {"application": client.pk, "uri": receiver.uri},
    )
    assert answer.status_code == HTTPStatus.FOUND
    assert BackChannelLogout.objects.get(application=client).uri == receiver.uri


def test_a_clients_logout_at_the_directory_ends_the_portals_of_that_sign_in(
    operator, partner, receiver, committed
):
    client, secret = partner
    first, second = signed_in_browser(operator), signed_in_browser(operator)
    issued = tokens_for(first[IDENTITY_HOST], client, secret)

    with committed():
        answer = first[IDENTITY_HOST].get(
            "/oauth2/logout?" + urlencode({"id_token_hint": issued["id_token"]})
        )
    wait_for_deliveries()

    assert answer.status_code == HTTPStatus.FOUND
    assert first[DEFENDER_HOST].get("/alerts").status_code == HTTPStatus.FOUND
    assert second[DEFENDER_HOST].get("/alerts").status_code == HTTPStatus.OK
    assert [verified(token).claims["sid"] for token in receiver.tokens] == [
        claims_of(issued["id_token"])["sid"]
    ]
