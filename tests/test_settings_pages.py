"""The Settings area and its Identities page: who may open them and what they lead to."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest

from tests.conftest import sign_in
from tests.test_portal_redirection_page import ACCOUNT_KINDS, VIEWERS, make_account

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/settings", "/settings/identities"])
@pytest.mark.parametrize("kind", ACCOUNT_KINDS)
def test_only_viewers_of_settings_may_open_them(kind, path, defender_client, contoso, fabrikam):
    sign_in(defender_client, make_account(kind, contoso, fabrikam))
    response = defender_client.get(path)
    if kind in VIEWERS:
        assert response.status_code == HTTPStatus.OK
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert "You don't have access to this page" in response.content.decode()


@pytest.mark.parametrize("path", ["/settings", "/settings/identities"])
def test_anonymous_is_sent_to_sign_in(path, defender_client):
    response = defender_client.get(path)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/signin")


def test_settings_lists_areas_with_identities_and_endpoints_live(
    defender_client, contoso, fabrikam
):
    sign_in(defender_client, make_account("security_reader", contoso, fabrikam))
    page = defender_client.get("/settings").content.decode()
    areas = re.findall(r'<span class="settings-area-name">([^<]+)</span>', page)
    assert areas == [
        "Microsoft 365 Defender",  # the portal's name in its 2022 era, as everywhere else
        "Endpoints",
        "Email &amp; collaboration",
        "Identities",
        "Cloud apps",
        "Device discovery",
    ]
    assert '<a href="/settings/identities"><span class="settings-area-name">Identities' in page
    assert '<a href="/settings/endpoints"><span class="settings-area-name">Endpoints' in page
    assert page.count("Not available") == 4  # listed as in the real portal, never a dead link
    assert re.search(r'<a href="/settings"[^>]*aria-current="page">', page)


def test_identities_lists_its_pages(defender_client, contoso, fabrikam):
    sign_in(defender_client, make_account("security_operator", contoso, fabrikam))
    page = defender_client.get("/settings/identities").content.decode()
    menu = page[
        page.index('<nav class="settings-menu"') : page.index("</nav>", page.index("settings-menu"))
    ]
    groups = re.findall(r'<span class="settings-menu-group-name">([^<]+)</span>', menu)
    assert groups == ["General", "Entity tags", "Actions and exclusions", "Notifications"]
    general = menu[menu.index('id="group-general"') : menu.index('id="group-entity-tags"')]
    assert re.findall(r"<li>(?:<a[^>]*>|<span[^>]*>)([^<]+)<", general) == [
        "Sensors",
        "Directory service accounts",
        "VPN",
        "Manage action accounts",
        "Portal redirection",
        "Health issues",
        "About",
    ]
    # Only the pages this portal builds are links; the others are named, never dead links.
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', menu) == [
        ("/preferences2/portal_redirection", "Portal redirection"),
        ("/settings/identities/health", "Health issues"),
        ("/settings/identities/about", "About"),
    ]
    assert '<a href="/settings">Settings</a>' in page  # the breadcrumb leads back
    assert re.search(r'<a href="/settings"[^>]*aria-current="page">', page)  # the rail


def test_portal_redirection_is_an_entry_of_the_identities_menu(defender_client, contoso, fabrikam):
    sign_in(defender_client, make_account("security_administrator", contoso, fabrikam))
    page = defender_client.get("/preferences2/portal_redirection").content.decode()
    menu = page[
        page.index('<nav class="settings-menu"') : page.index("</nav>", page.index("settings-menu"))
    ]
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', menu) == [
        "/preferences2/portal_redirection"
    ]
    for path in ("/settings/identities/health", "/settings/identities/about"):
        page = defender_client.get(path).content.decode()
        assert f'<a href="{path}" aria-current="page">' in page


def test_no_access_page_explains_a_missing_tenant(defender_client, contoso, fabrikam):
    sign_in(defender_client, make_account("staff_without_tenant", contoso, fabrikam))
    page = defender_client.get("/settings").content.decode()
    assert "doesn't belong to an organization" in page
