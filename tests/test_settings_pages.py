"""The Settings area and its Identities page: who may open them and what they lead to."""

from __future__ import annotations

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


def test_settings_lists_areas_with_only_identities_live(defender_client, contoso, fabrikam):
    sign_in(defender_client, make_account("security_reader", contoso, fabrikam))
    page = defender_client.get("/settings").content.decode()
    assert '<a href="/settings/identities">Identities</a>' in page
    for area in ("Endpoints", "Email &amp; collaboration", "Cloud apps"):
        assert f'<span class="settings-area-name">{area}</span>' in page
        assert f">{area}</a>" not in page
    assert page.count("Not available") == 4
    assert '<a href="/settings" aria-current="page">Settings</a>' in page


def test_identities_lists_its_pages(defender_client, contoso, fabrikam):
    sign_in(defender_client, make_account("security_operator", contoso, fabrikam))
    page = defender_client.get("/settings/identities").content.decode()
    general = page[page.index('id="group-general"') : page.index("</section>")]
    assert '<a href="/preferences2/portal_redirection">Portal redirection</a>' in general
    assert '<a href="/settings/identities/about">About</a>' in page
    assert '<a href="/settings/identities/health">Health issues</a>' in page
    assert '<a href="/settings">Settings</a>' in page  # the breadcrumb leads back
    assert '<a href="/settings" aria-current="page">Settings</a>' in page  # the left nav


def test_no_access_page_explains_a_missing_tenant(defender_client, contoso, fabrikam):
    sign_in(defender_client, make_account("staff_without_tenant", contoso, fabrikam))
    page = defender_client.get("/settings").content.decode()
    assert "doesn't belong to an organization" in page
