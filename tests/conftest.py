"""Fixtures shared by the whole suite: the two portals' clients, accounts and sign-in."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import DirectoryRole
from tests.factories import PASSWORD, TenantFactory, UserFactory
from tests.redirection import start_clock, switcher

DEFENDER_HOST = "security.localhost"
LEGACY_HOST = "portal.atp.localhost"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with a cold cache, as after a deploy."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock(monkeypatch):
    """Time that moves only when the test says so (django.utils.timezone.now)."""
    return start_clock(monkeypatch)


@pytest.fixture
def switch(django_capture_on_commit_callbacks):
    """Turn a tenant's switch through the one writer, with its after-commit work run."""
    return switcher(django_capture_on_commit_callbacks)


@pytest.fixture
def defender_client() -> Client:
    return Client(HTTP_HOST=DEFENDER_HOST)


@pytest.fixture
def legacy_client() -> Client:
    return Client(HTTP_HOST=LEGACY_HOST)


def sign_in(client: Client, user, password: str = PASSWORD, next_path: str | None = None):
    """Sign in through the portal's own sign-in form, as a browser would."""
    data = {"username": user.email, "password": password}
    if next_path is not None:
        data["next"] = next_path
    response = client.post("/signin", data)
    assert response.status_code == 302, "sign-in failed"
    return response


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
