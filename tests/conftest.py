"""Fixtures shared by the whole suite: the sites' clients, accounts and sign-in."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import DirectoryRole
from settings_ui import state
from tests.factories import PASSWORD, TenantFactory, UserFactory
from tests.redirection import start_clock, switcher

DEFENDER_HOST = "security.localhost"
LEGACY_HOST = "portal.atp.localhost"
ENDPOINT_HOST = "securitycenter.localhost"
IDENTITY_HOST = "login.localhost"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with a cold cache, as after a deploy."""
    cache.clear()
    state.forget()
    yield
    cache.clear()
    state.forget()


@pytest.fixture
def clock(monkeypatch):
    """Time that moves only when the test says so (django.utils.timezone.now)."""
    return start_clock(monkeypatch)


@pytest.fixture
def switch(django_capture_on_commit_callbacks):
    """Turn a tenant's switch through the one writer, with its after-commit work run."""
    return switcher(django_capture_on_commit_callbacks)


# Django's test client keeps one cookie jar for every host, where a browser keeps host-only
# cookies per host: so one client per site, and a portal client's `directory` is the directory
# as that same browser sees it. Two portal clients share a directory only when a test says so
# (same_browser), as two tabs of one browser would.
@pytest.fixture
def defender_client() -> Client:
    return Client(HTTP_HOST=DEFENDER_HOST)


@pytest.fixture
def legacy_client() -> Client:
    return Client(HTTP_HOST=LEGACY_HOST)


@pytest.fixture
def endpoint_client() -> Client:
    return Client(HTTP_HOST=ENDPOINT_HOST)


def directory_of(client: Client) -> Client:
    """The directory's client of the browser ``client`` belongs to."""
    if getattr(client, "directory", None) is None:
        client.directory = Client(HTTP_HOST=IDENTITY_HOST)
    return client.directory


def same_browser(*clients: Client) -> None:
    """Make portal clients one browser: they share its directory session (single sign-on)."""
    shared = directory_of(clients[0])
    for client in clients[1:]:
        client.directory = shared


def sign_in(client: Client, user, password: str = PASSWORD, next_path: str | None = None):
    """Sign this account in to the portal this client talks to, as a browser would.

    The portal sends the browser to the directory; the directory asks for the password
    unless this browser is signed in there already; the portal's callback answers last.
    """
    query = {"next": next_path} if next_path is not None else {}
    response = through_directory(client, client.get("/signin", query), user.email, password)
    assert response.status_code == 302, "sign-in failed"
    return response


def hidden_next(response) -> str:
    """Where the directory's sign-in form goes back to, as the browser sends it."""
    page = response.content.decode()
    found = re.search(r'<input type="hidden" name="next" value="([^"]*)">', page)
    return unescape(found.group(1))


def answer_sign_in_step(
    directory: Client,
    path: str,
    next_path: str,
    email: str,
    password: str,
    stay: str = "no",
    dont_show_again: bool = False,
):
    """Answer the directory's sign-in step at ``path`` as a person would; None on other pages."""
    answers = {
        "/signin": {"username": email},
        "/signin/password": {"password": password},
        "/signin/stay": {"stay": stay, **({"dont_show_again": "yes"} if dont_show_again else {})},
    }
    if path not in answers:
        return None
    token = directory.cookies.get("csrftoken")  # as the page's form carries it
    csrf = {"csrfmiddlewaretoken": token.value} if token else {}
    return directory.post(path, {**answers[path], "next": next_path, **csrf})


def through_directory(
    client: Client,
    response,
    email: str = "",
    password: str = PASSWORD,
    stay: str = "no",
    dont_show_again: bool = False,
):
    """Follow a portal's answer through the directory and back to the portal's callback.

    Goes through the directory's sign-in steps if they are shown (``email``, ``password``,
    then ``stay`` to "Stay signed in?", with "Don't show this again" ticked if
    ``dont_show_again``), and returns the portal's answer to the callback (or the first answer
    that is not a hop).
    """
    directory = directory_of(client)
    site = directory
    for _ in range(15):
        if response.status_code != 302:
            return response
        location = urlsplit(response["Location"])
        if location.hostname not in (None, IDENTITY_HOST):
            if site is directory:
                return client.get(location.path + (f"?{location.query}" if location.query else ""))
            return response
        if location.hostname == IDENTITY_HOST:
            site = directory
        if site is not directory:
            return response
        target = location.path + (f"?{location.query}" if location.query else "")
        response = directory.get(target)
        if response.status_code == 200:
            next_path = parse_qs(location.query).get("next", [""])[0]
            response = (
                answer_sign_in_step(
                    directory, location.path, next_path, email, password, stay, dont_show_again
                )
                or response
            )
    raise AssertionError("the sign-in went round in circles")


@pytest.fixture
def contoso(db):
    return TenantFactory(name="Contoso", domain="contoso.example")


@pytest.fixture
def fabrikam(db):
    return TenantFactory(name="Fabrikam", domain="fabrikam.example")


@pytest.fixture
def contoso_admin(contoso):
    return UserFactory(
        email="admin@contoso.example", tenant=contoso, roles=[DirectoryRole.GLOBAL_ADMINISTRATOR]
    )


@pytest.fixture
def contoso_analyst(contoso):
    return UserFactory(email="analyst@contoso.example", tenant=contoso)


@pytest.fixture
def fabrikam_admin(fabrikam):
    return UserFactory(
        email="admin@fabrikam.example", tenant=fabrikam, roles=[DirectoryRole.GLOBAL_ADMINISTRATOR]
    )
