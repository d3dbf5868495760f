"""The directory's endpoints answer a malformed or unsupported request with a client error.

Nobody needs to be signed in to reach them, so a server error here is anyone's to cause.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from directory.provider import portal_client_secret
from tests.conftest import IDENTITY_HOST

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
