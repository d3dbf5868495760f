"""The directory's endpoints answer a malformed or unsupported request with a client error.

Nobody needs to be signed in to reach them, so a server error here is anyone's to cause.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.directory_client import DirectoryApp
from directory.provider import portal_client_secret
from tests.conftest import IDENTITY_HOST, directory_of, sign_in

pytestmark = pytest.mark.django_db

DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
GRANT_TYPES = [
    DEVICE_CODE,
    "authorization_code",
    "refresh_token",
    "password",
    "client_credentials",
    "implicit",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "urn:ietf:params:oauth:grant-type:token-exchange",
    "",
]
# URIs urllib cannot take apart: a port that is not a number or out of range, a broken host.
UNREADABLE_URIS = [
    "http://security.localhost:abc/",
    "http://security.localhost:-1/",
    "http://security.localhost:99999/",
    "http://[::1/",
    "http://[security.localhost]/",
]
URI_STARTS = ["http://security.localhost", "http://portal.atp.localhost:8000", "http://[", "//", ""]
URI_CHARACTERS = "0123456789:/[]@%?#.-abcx "
uris = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from(URI_STARTS),
    st.text(alphabet=URI_CHARACTERS, max_size=24),
)
FEW = hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def directory() -> Client:
    return Client(HTTP_HOST=IDENTITY_HOST)


def assert_oauth_error(response) -> None:
    assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.UNAUTHORIZED), response
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]


# ------------------------------------------------------------------ the token endpoint
@pytest.mark.parametrize("device_code", [None, "", "not-a-device-code"])
def test_a_device_code_grant_is_refused_as_a_grant_the_directory_does_not_offer(device_code):
    data = {"grant_type": DEVICE_CODE, "client_id": settings.OIDC_CLIENT_ID}
    if device_code is not None:
        data["device_code"] = device_code
    response = directory().post("/oauth2/token", data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["error"] == "unsupported_grant_type"


@FEW
@given(
    grant_type=st.one_of(st.sampled_from(GRANT_TYPES), st.text(max_size=20)),
    fields=st.dictionaries(
        st.sampled_from(["device_code", "code", "refresh_token", "redirect_uri", "client_id"]),
        st.one_of(st.text(max_size=12), uris),
    ),
    with_secret=st.booleans(),
)
def test_any_grant_type_gets_an_oauth_error_not_a_server_error(grant_type, fields, with_secret):
    data = {"grant_type": grant_type, **fields}
    if with_secret:
        data |= {"client_id": settings.OIDC_CLIENT_ID, "client_secret": portal_client_secret()}
    assert_oauth_error(directory().post("/oauth2/token", data))


# ------------------------------------------------------------------ RP-initiated logout
@pytest.fixture
def id_token(defender_client, contoso_analyst, monkeypatch) -> str:
    """An ID token the directory issued to the portals, as the portal's sign-in received it."""
    issued = []
    exchange = DirectoryApp.authorize_access_token

    def receiving(app, request, **kwargs):
        token = exchange(app, request, **kwargs)
        issued.append(token["id_token"])
        return token

    monkeypatch.setattr(DirectoryApp, "authorize_access_token", receiving)
    sign_in(defender_client, contoso_analyst)
    return issued[-1]


@pytest.mark.parametrize("uri", UNREADABLE_URIS)
@pytest.mark.parametrize("naming", ["client_id", "id_token_hint"])
def test_logout_refuses_a_post_logout_uri_it_cannot_read(defender_client, id_token, naming, uri):
    client = {"client_id": settings.OIDC_CLIENT_ID, "id_token_hint": id_token}
    query = {naming: client[naming], "post_logout_redirect_uri": uri}
    response = directory_of(defender_client).get("/oauth2/logout", query)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Location" not in response


def test_logout_refuses_a_client_it_does_not_know():
    query = {"client_id": "nobody", "post_logout_redirect_uri": "http://security.localhost/"}
    response = directory().get("/oauth2/logout", query)
    assert response.status_code == HTTPStatus.BAD_REQUEST


@FEW
@given(uri=uris, client_id=st.sampled_from([settings.OIDC_CLIENT_ID, "nobody", ""]))
def test_logout_answers_any_post_logout_uri_without_a_server_error(uri, client_id):
    query = {"client_id": client_id, "post_logout_redirect_uri": uri}
    response = directory().get("/oauth2/logout", query)
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, (uri, client_id)


# ------------------------------------------------------------------ the authorization endpoint
@FEW
@given(redirect_uri=st.one_of(st.sampled_from(UNREADABLE_URIS), uris))
def test_authorize_answers_any_redirect_uri_without_a_server_error(
    defender_client, contoso_analyst, redirect_uri
):
    if SESSION_KEY not in defender_client.session:
        sign_in(defender_client, contoso_analyst)  # the directory would answer this browser
    location = urlsplit(
        Client(HTTP_HOST=defender_client.defaults["HTTP_HOST"]).get("/signin")["Location"]
    )
    query = {name: values[0] for name, values in parse_qs(location.query).items()}
    for prompt in ("", "none"):
        asked = {**query, "redirect_uri": redirect_uri, "prompt": prompt}
        response = directory_of(defender_client).get(f"{location.path}?{urlencode(asked)}")
        assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR, redirect_uri
        assert "code=" not in response.get("Location", "")
