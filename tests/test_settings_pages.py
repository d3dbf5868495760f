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
        "Microsoft Defender XDR",
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
    general = page[page.index('id="group-general"') : page.index("</section>")]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', general) == [
        ("/settings/identities/health", "Health issues"),
        ("/preferences2/portal_redirection", "Portal redirection"),
        ("/settings/identities/about", "About"),
    ]
    assert '<a href="/settings">Settings</a>' in page  # the breadcrumb leads back
    assert re.search(r'<a href="/settings"[^>]*aria-current="page">', page)  # the rail


def test_no_access_page_explains_a_missing_tenant(defender_client, contoso, fabrikam):
    sign_in(defender_client, make_account("staff_without_tenant", contoso, fabrikam))
    page = defender_client.get("/settings").content.decode()
    assert "doesn't belong to an organization" in page
