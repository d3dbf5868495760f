"""Whole journeys across both portals: two sessions of one user, deep links through sign-in."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.conftest import DEFENDER_HOST, LEGACY_HOST, same_browser, sign_in, through_directory
from tests.factories import AlertFactory
from tests.redirection import landing

pytestmark = pytest.mark.django_db


DEFENDER_URL = "http://security.localhost:8000"


def test_two_sessions_of_one_user_before_and_after_the_switch(
    contoso, contoso_analyst, contoso_admin, clock, switch
):
    alert = AlertFactory(tenant=contoso, title="Suspected DCSync attack")
    laptop, desktop = Client(HTTP_HOST=LEGACY_HOST), Client(HTTP_HOST=LEGACY_HOST)
    sign_in(laptop, contoso_analyst)
    clock.advance(60)
    switch(contoso, True, contoso_admin)
    clock.advance(60)
    sign_in(desktop, contoso_analyst)

    # The session from before keeps browsing the legacy portal, page after page.
    for path in ("/timeline", f"/securityAlert/{alert.pk}", f"/user/{alert.identity_id}"):
        assert laptop.get(path).status_code == HTTPStatus.OK
    # The session from after lands on the Defender portal.
    response = desktop.get(f"/securityAlert/{alert.pk}")
    assert response.status_code == HTTPStatus.FOUND
    assert landing(response["Location"]) == f"{DEFENDER_URL}/alerts/{alert.pk}"

    # Off→On again later still leaves the first session alone.
    switch(contoso, False, contoso_admin)
    clock.advance(60)
    switch(contoso, True, contoso_admin)
    assert laptop.get("/timeline").status_code == HTTPStatus.OK

    # Signing out and in again is what moves it.
    laptop.post("/signout")
    clock.advance(60)
    sign_in(laptop, contoso_analyst)
    assert landing(laptop.get("/timeline")["Location"]) == f"{DEFENDER_URL}/alerts"


def test_a_deep_link_through_legacy_sign_in_ends_on_the_same_defender_page_signed_in(
    contoso, contoso_analyst, contoso_admin, clock, switch
):
    alert = AlertFactory(tenant=contoso, title="Suspected Golden Ticket usage")
    switch(contoso, True, contoso_admin)
    clock.advance()
    legacy = Client(HTTP_HOST=LEGACY_HOST)

    first = legacy.get(f"/securityAlert/{alert.pk}")
    assert first["Location"] == f"/signin?next=/securityAlert/{alert.pk}"
    signed_in = sign_in(legacy, contoso_analyst, next_path=f"/securityAlert/{alert.pk}")
    assert signed_in["Location"] == f"/securityAlert/{alert.pk}"
    routed = legacy.get(signed_in["Location"])
    target = urlsplit(landing(routed["Location"]))
    assert (target.netloc, target.path) == ("security.localhost:8000", f"/alerts/{alert.pk}")

    # The Defender portal signs the account in through the directory: no second password.
    defender = Client(HTTP_HOST=DEFENDER_HOST)
    same_browser(legacy, defender)
    asked = defender.get(target.path)
    assert asked["Location"] == f"/signin?next=/alerts/{alert.pk}"
    landed = through_directory(defender, defender.get(asked["Location"]))
    assert landed["Location"] == f"/alerts/{alert.pk}"
    page = defender.get(landed["Location"])
    assert page.status_code == HTTPStatus.OK
    assert "Suspected Golden Ticket usage" in page.content.decode()


def test_the_same_objects_open_in_both_portals_each_in_its_own_look(contoso, contoso_analyst):
    alert = AlertFactory(tenant=contoso, title="Honeytoken activity")
    legacy, defender = Client(HTTP_HOST=LEGACY_HOST), Client(HTTP_HOST=DEFENDER_HOST)
    sign_in(legacy, contoso_analyst)
    sign_in(defender, contoso_analyst)
    pairs = [
        (f"/securityAlert/{alert.pk}", f"/alerts/{alert.pk}", alert.title),
        (
            f"/user/{alert.identity_id}",
            f"/identities/{alert.identity_id}",
            alert.identity.display_name,
        ),
        (f"/computer/{alert.device_id}", f"/machines/{alert.device_id}", alert.device.name),
    ]
    for legacy_path, defender_path, name in pairs:
        old = legacy.get(legacy_path).content.decode()
        new = defender.get(defender_path).content.decode()
        assert name in old and name in new
        assert 'class="legacy"' in old and "Microsoft Defender for Identity" in old
        assert 'class="defender"' in new and "Microsoft 365 Defender" in new
        # The invitation on the legacy page links to exactly this Defender page.
        assert f'href="{DEFENDER_URL}{defender_path}"' in old
