"""Accessibility in a browser: the switch by keyboard alone, and axe-core on the key pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.models import Alert, ServiceSource
from settings_ui.models import ChangeSource, RedirectionChange
from settings_ui.services import set_portal_redirection
from tests.e2e.conftest import (
    DEMO_PASSWORD,
    FOCUS_INDICATOR,
    assert_no_serious_violations,
    sign_in,
    tab_until_focused,
)

pytestmark = pytest.mark.e2e

PAGE_PATH = "/preferences2/portal_redirection"
ADMIN = "admin@contoso.example"
FOCUS_IS_INSIDE = "container => container.contains(document.activeElement)"


def the_switch(page):
    return page.get_by_role("switch", name="Automatic redirection")


# ------------------------------------------------------------------ keyboard
def test_the_switch_works_by_keyboard_alone(page, portals, demo):
    sign_in(page, portals.defender, ADMIN, path=f"/signin?next={PAGE_PATH}")
    switch = the_switch(page)
    tab_until_focused(page, switch)
    assert switch.evaluate(FOCUS_INDICATOR), "the focused switch shows no visible focus"

    page.keyboard.press("Space")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Enable")).to_be_visible()
    assert dialog.evaluate(FOCUS_IS_INSIDE), "focus did not move into the dialog"

    # Focus stays in the dialog however far the user tabs, both ways.
    tabbable = dialog.locator("button:visible, a[href]:visible, textarea:visible, input:visible")
    rounds = tabbable.count() * 2 + 1
    for key in ["Tab"] * rounds + ["Shift+Tab"] * rounds:
        page.keyboard.press(key)
        assert dialog.evaluate(FOCUS_IS_INSIDE), f"{key} moved focus out of the open dialog"

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(switch).not_to_be_checked()
    expect(switch).to_be_focused()
    assert not RedirectionChange.objects.exists()

    # The whole change, still by keyboard: Space on the switch, Enter on Enable.
    page.keyboard.press("Space")
    expect(dialog.get_by_role("button", name="Enable")).to_be_visible()
    dialog.get_by_role("button", name="Enable").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(switch).to_be_checked()
    expect(switch).to_be_focused()


# ------------------------------------------------------------------ axe-core
@pytest.mark.parametrize("portal", ["defender", "legacy"])
def test_sign_in_page_has_no_serious_violations(page, portals, demo, portal):
    page.goto(getattr(portals, portal) + "/signin")
    assert_no_serious_violations(page, f"{portal} sign-in page")
    page.get_by_label("Email").fill("analyst@contoso.example")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("Password")).to_be_visible()
    assert_no_serious_violations(page, f"{portal} password step")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_no_serious_violations(page, f"{portal} sign-in page with an error")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Stay signed in?")).to_be_visible()
    assert_no_serious_violations(page, f"{portal} stay signed in step")


def test_portal_redirection_page_has_no_serious_violations(new_context, portals, demo):
    page = new_context().new_page()
    sign_in(page, portals.defender, ADMIN, path=f"/signin?next={PAGE_PATH}")
    expect(the_switch(page)).not_to_be_checked()
    assert_no_serious_violations(page, "Portal redirection, Off")

    the_switch(page).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert_no_serious_violations(page, "Portal redirection, Enable dialog open")
    page.get_by_role("dialog").get_by_role("button", name="Enable").click()
    expect(the_switch(page)).to_be_checked()
    assert_no_serious_violations(page, "Portal redirection, On")

    the_switch(page).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert_no_serious_violations(page, "Portal redirection, Disable dialog open")

    reader = new_context().new_page()
    sign_in(reader, portals.defender, "reader@contoso.example", path=f"/signin?next={PAGE_PATH}")
    expect(the_switch(reader)).to_be_disabled()
    assert_no_serious_violations(reader, "Portal redirection, read-only for a Security Reader")


def test_portal_redirection_confirm_page_without_javascript_has_no_serious_violations(
    new_context, portals, demo
):
    # axe needs JavaScript to run; the page it checks is the one a no-script browser gets.
    page = new_context().new_page()
    sign_in(page, portals.defender, ADMIN)
    page.goto(portals.defender + PAGE_PATH + "?turn=off")
    expect(page.get_by_role("button", name="Disable")).to_be_visible()
    assert_no_serious_violations(page, "Portal redirection, Turn off confirm page")


def test_browsing_pages_have_no_serious_violations(new_context, portals, demo):
    legacy = new_context().new_page()
    sign_in(legacy, portals.legacy, "analyst@contoso.example", path="/signin?next=/timeline")
    set_portal_redirection(demo["contoso"], True, actor=demo[ADMIN], source=ChangeSource.WEB)
    legacy.reload()
    expect(
        legacy.get_by_role("complementary", name="Microsoft 365 Defender portal")
    ).to_be_visible()
    assert_no_serious_violations(legacy, "legacy timeline with the banner")
    alert = (
        Alert.objects.for_tenant(demo["contoso"])
        .filter(service_source=ServiceSource.IDENTITY)
        .order_by("-detected_at", "pk")
        .first()
    )
    legacy.goto(portals.legacy + f"/securityAlert/{alert.pk}")
    expect(legacy.get_by_role("heading", name=alert.title, level=1)).to_be_visible()
    assert_no_serious_violations(legacy, "legacy alert")

    defender = new_context().new_page()
    sign_in(defender, portals.defender, "analyst@contoso.example", path="/signin?next=/alerts")
    expect(defender.get_by_role("heading", name="Alerts", level=1)).to_be_visible()
    assert_no_serious_violations(defender, "Defender alerts")
    defender.goto(portals.defender + f"/alerts/{alert.pk}")
    expect(defender.get_by_role("heading", name=alert.title, level=1)).to_be_visible()
    assert_no_serious_violations(defender, "Defender alert")
