"""Open redirects: every place that redirects to a target taken from the request stays home.

Each such place is one `RedirectSurface`: how to hand it an untrusted target, and which
origin its answer may point at. A new endpoint that redirects (banner links, feedback `from`,
the directory's sign-in page) is one more entry in SURFACES; every bypass below is then tried
against it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from settings_ui.models import ChangeSource
from settings_ui.services import set_portal_redirection
from tests.conftest import DEFENDER_HOST, IDENTITY_HOST, LEGACY_HOST, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

BYPASSES = [
    "//evil.example",
    "//evil.example/alerts",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "https:evil.example",
    "http:///evil.example",
    "https:///evil.example",
    "https://evil.example",
    "HTTPS://EVIL.EXAMPLE/",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "\x01//evil.example",
    "\x00/alerts",
    "\n//evil.example",
    " //evil.example",
    "\t//evil.example",
    "/\n/evil.example",
    "/\t/evil.example",
    "/alerts\r\nSet-Cookie: planted=1",
    "javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://security.localhost@evil.example",
    "//security.localhost@evil.example",
    "https://evil.example#@security.localhost",
    "https://evil.example\\@security.localhost",
    "/\u2215\u2215evil.example",
    "\u2215\u2215evil.example",
    "//evil\u3002example",
    "/\uff0f\uff0fevil.example",
    "\uff0f\uff0fevil.example",
    "/\u2028/evil.example",
    "/\u200b/evil.example",
    "http://security.localhost/alerts",
    "http://portal.atp.localhost/timeline",
    "/" + "a" * 5000,
    "//" + "a" * 5000 + ".example",
]


def is_local_path(location: str) -> bool:
    """A target a browser can only read as a path on the site that answered."""
    return (
        location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and location.isascii()
        and location.isprintable()
        and " " not in location
    )


@dataclass(frozen=True)
class Context:
    tenant: object
    user: object


@dataclass(frozen=True)
class RedirectSurface:
    name: str
    send: Callable[[Context, str], object]  # hands the target over; returns the response
    default: str  # where it goes when it refuses a target ("" if it keeps it, made harmless)


def _sign_in_with_next(host: str):
    def send(context: Context, target: str):
        return sign_in(Client(HTTP_HOST=host), context.user, next_path=target)

    return send


def _routed_client(context: Context) -> Client:
    set_portal_redirection(context.tenant, True, source=ChangeSource.CLI)
    client = Client(HTTP_HOST=LEGACY_HOST)
    sign_in(client, context.user)
    return client


def _legacy_path(context: Context, target: str):
    # As a server hands it over: percent-decoded, as bytes read in ISO-8859-1.
    path = unquote_to_bytes(target).decode("iso-8859-1")
    routed = _routed_client(context).get(
        "/", PATH_INFO=path if path.startswith("/") else "/" + path
    )
    return _on_defender(routed)


def _legacy_query(name: str, path: str):
    def send(context: Context, target: str):
        return _on_defender(_routed_client(context).get(path, {name: target}))

    return send


def _on_defender(routed) -> dict[str, str]:
    """A routed answer names the Defender portal; after its origin must come a path there."""
    location = routed["Location"]
    assert location.startswith(settings.DEFENDER_PORTAL_URL + "/"), location
    return {"Location": location.removeprefix(settings.DEFENDER_PORTAL_URL)}


def _directory_sign_in_next(context: Context, target: str):
    """Every step of the directory's sign-in given ``target``; the last one's answer."""
    client = Client(HTTP_HOST=IDENTITY_HOST)
    client.post("/signin", {"username": context.user.email, "next": target})
    client.post("/signin/password", {"password": PASSWORD, "next": target})
    return client.post("/signin/stay", {"stay": "no", "next": target})


SURFACES = [
    RedirectSurface("sign-in next, Defender portal", _sign_in_with_next(DEFENDER_HOST), "/"),
    RedirectSurface("sign-in next, legacy portal", _sign_in_with_next(LEGACY_HOST), "/"),
    RedirectSurface("legacy route map, path", _legacy_path, "/"),
    RedirectSurface("legacy route map, search", _legacy_query("q", "/search"), ""),
    RedirectSurface("legacy route map, timeline filter", _legacy_query("status", "/timeline"), ""),
    RedirectSurface("directory sign-in next", _directory_sign_in_next, "/"),
]


@pytest.fixture
def context(contoso) -> Context:
    return Context(tenant=contoso, user=UserFactory(tenant=contoso))


@pytest.mark.parametrize("target", BYPASSES, ids=lambda t: ascii(t)[:40])
@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.name)
def test_no_bypass_leaves_the_portal(context, surface, target):
    location = surface.send(context, target)["Location"]
    assert is_local_path(location), location
    assert urlsplit(location).netloc == ""


@pytest.mark.parametrize("target", BYPASSES, ids=lambda t: ascii(t)[:40])
@pytest.mark.parametrize("surface", [s for s in SURFACES if s.default], ids=lambda s: s.name)
def test_a_refused_target_falls_back_to_the_default(context, surface, target):
    assert surface.send(context, target)["Location"] == surface.default


@pytest.mark.parametrize("surface", [*SURFACES[:2], SURFACES[-1]], ids=lambda s: s.name)
@pytest.mark.parametrize("target", ["/alerts", "/alerts/42?status=new", "/search?q=a%20b"])
def test_local_targets_are_still_honoured(context, surface, target):
    assert surface.send(context, target)["Location"] == target


# Targets built to look dangerous: a risky start followed by anything at all.
RISKY_STARTS = ["/", "//", "/\\", "\\", "http:", "https:", "javascript:", "\x00", " ", "\u2215"]
targets = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda start, rest: start + rest, st.sampled_from(RISKY_STARTS), st.text(max_size=40)
    ),
    st.sampled_from(BYPASSES),
)


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=targets)
def test_after_sign_in_the_browser_goes_to_a_local_path_whatever_next_says(context, target):
    for surface in SURFACES[:2]:
        location = surface.send(context, target)["Location"]
        assert is_local_path(location), (target, location)


REDIRECT_URI_BYPASSES = [
    "http://evil.example/signin/callback",
    "http://security.localhost:8000/signin/callback/../../evil",
    "http://security.localhost:8000/signin/callback?next=//evil.example",
    "http://security.localhost:8000/signin/callbackx",
    "http://security.localhost:8000/",
    "http://security.localhost:8000@evil.example/signin/callback",
    "https://security.localhost:8000/signin/callback",
    "http://security.localhost:8001/signin/callback",
    "//evil.example/signin/callback",
    "",
]


@pytest.mark.parametrize("redirect_uri", REDIRECT_URI_BYPASSES)
def test_the_directory_answers_only_registered_redirect_uris_exactly(
    defender_client, contoso_admin, redirect_uri
):
    from urllib.parse import parse_qs, urlencode

    sign_in(defender_client, contoso_admin)  # the directory knows this browser: it would answer
    authorize = urlsplit(Client(HTTP_HOST=DEFENDER_HOST).get("/signin")["Location"])
    query = {key: values[0] for key, values in parse_qs(authorize.query).items()}
    query["redirect_uri"] = redirect_uri
    response = defender_client.directory.get(f"{authorize.path}?{urlencode(query)}")
    location = response.get("Location", "")
    assert not location.startswith(redirect_uri or "//"), location
    assert "code=" not in location
