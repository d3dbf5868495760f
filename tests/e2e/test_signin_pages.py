"""Both portals' sign-in pages in a real browser: labels, a wrong password, a good one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "portal, landing_heading",
    [("defender", "Home"), ("legacy", "Security alerts timeline")],
)
def test_sign_in_page_by_its_labels(page, portals, demo, portal, landing_heading):
    origin = getattr(portals, portal)
    page.goto(origin + "/signin")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_label("Email")).to_be_focused()

    page.get_by_label("Email").fill("analyst@contoso.example")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The email or password is incorrect")
    expect(page.get_by_text("analyst@contoso.example", exact=True)).to_be_visible()

    sign_in(page, origin, "analyst@contoso.example")
    expect(page).to_have_url(re.compile("^" + re.escape(origin) + "/"))
    expect(page.get_by_role("heading", name=landing_heading, level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_signing_in_to_one_portal_signs_in_to_the_other_without_asking(page, portals, demo):
    sign_in(page, portals.legacy, "analyst@contoso.example")
    page.goto(portals.defender + "/alerts")
    # Through the directory, which knows this browser: no form, straight to the page.
    expect(page).to_have_url(portals.defender + "/alerts")
    expect(page.get_by_role("heading", name="Alerts", level=1)).to_be_visible()
