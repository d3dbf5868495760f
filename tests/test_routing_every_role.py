"""Routed, every account lands on a Defender page it may open, whatever its directory role."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import DirectoryRole
from tests.conftest import DEFENDER_HOST, LEGACY_HOST, same_browser, sign_in, through_directory
from tests.factories import AlertFactory, UserFactory
from tests.redirection import landing

pytestmark = pytest.mark.django_db

ROLES = [*DirectoryRole.values, None]
LEGACY_PAGES = [
    "/",
    "/timeline?status=open&severity=high",
    "/securityAlert/{alert}",
    "/user/{identity}",
    "/computer/{device}",
    "/search?q=DC",
    "/health",
    "/configuration",
    "/about",
    "/no-such-page",
]
# Where each legacy page lands for an account that may open everything, and for one with no
# role: only Configuration's equivalent (Identities settings) refuses accounts without one.
NEAREST_WITHOUT_A_ROLE = {"/configuration": "/settings/identities/about"}


@pytest.fixture
def alert(contoso):
    return AlertFactory(tenant=contoso)


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "no-role")
@pytest.mark.parametrize("legacy_page", LEGACY_PAGES)
def test_each_role_lands_on_a_page_it_may_open(
    contoso, contoso_admin, alert, clock, switch, role, legacy_page
):
    switch(contoso, True, contoso_admin)
    clock.advance()
    account = UserFactory(tenant=contoso, roles=[role] if role else [])
    legacy = Client(HTTP_HOST=LEGACY_HOST)
    sign_in(legacy, account)
    path = legacy_page.format(alert=alert.pk, identity=alert.identity_id, device=alert.device_id)

    routed = legacy.get(path)

    assert routed.status_code == HTTPStatus.FOUND
    target = urlsplit(landing(routed["Location"]))
    assert f"{target.scheme}://{target.netloc}" == settings.DEFENDER_PORTAL_URL
    if role is None and urlsplit(path).path in NEAREST_WITHOUT_A_ROLE:
        assert target.path == NEAREST_WITHOUT_A_ROLE[urlsplit(path).path]
    # The Defender portal signs the account in through the directory: no second password.
    defender = Client(HTTP_HOST=DEFENDER_HOST)
    same_browser(legacy, defender)
    target_path = target.path + (f"?{target.query}" if target.query else "")
    arrived = through_directory(defender, defender.get(defender.get(target_path)["Location"]))
    assert arrived["Location"] == target_path
    page = defender.get(target_path)
    assert page.status_code == HTTPStatus.OK, (path, target_path, page.status_code)
