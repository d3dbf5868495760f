"""The Portal redirection page in a browser: admins turn it On and Off, others may only look."""

from __future__ import annotations

import re
from http import HTTPStatus

import pytest
from playwright.sync_api import expect

from settings_ui.models import ChangeSource, Feedback, PortalRedirection, RedirectionChange
from tests.e2e.conftest import sign_in, support_sees_feedback

pytestmark = pytest.mark.e2e

PAGE_PATH = "/preferences2/portal_redirection"
ADMIN = "admin@contoso.example"


def the_switch(page):
    return page.get_by_role("switch", name="Automatic redirection")


def expect_switch(page, *, on: bool) -> None:
    """The switch says its state to assistive technology and, beside it, in words."""
    switch = the_switch(page)
    expect(switch).to_be_checked(checked=on)
    word = "On" if on else "Off"
    expect(switch.locator("xpath=..")).to_contain_text(re.compile(rf"\b{word}\b"))


def open_page_by_links(page, portals) -> None:
    """Settings, then Identities, then Portal redirection in its menu, as an admin would."""
    page.get_by_role("navigation", name="Portal").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Identities").click()
    expect(page.get_by_role("heading", name="Identities", level=1)).to_be_visible()
    menu = page.get_by_role("navigation", name="Identities settings")
    menu.get_by_role("link", name="Portal redirection").click()
    expect(page).to_have_url(portals.defender + PAGE_PATH)
    expect(page.get_by_role("heading", name="Portal redirection", level=1)).to_be_visible()


def stored_state(tenant) -> bool:
    return PortalRedirection.objects.get(tenant=tenant).enabled


# ------------------------------------------------------------------ journey 1: with JavaScript
def test_admin_turns_it_on_and_off_without_leaving_the_page(page, new_context, portals, demo):
    sign_in(page, portals.defender, ADMIN)
    open_page_by_links(page, portals)
    expect_switch(page, on=False)
    # Survives only while the document does: a full reload would wipe it.
    page.evaluate("window.__samePage = true")

    the_switch(page).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Enable").click()
    expect(dialog).to_be_hidden()
    expect_switch(page, on=True)
    expect(page.get_by_role("region", name="Last change")).to_contain_text(f"Turned On by {ADMIN}")
    assert page.evaluate("window.__samePage === true"), "turning it On reloaded the page"
    assert page.url == portals.defender + PAGE_PATH
    assert stored_state(demo["contoso"]) is True
    change = RedirectionChange.objects.get(tenant=demo["contoso"])
    assert (change.actor.email, change.source, change.new_value) == (ADMIN, ChangeSource.WEB, True)
    expect(page.get_by_role("region", name="Last change")).to_contain_text("Settings page")

    page.reload()
    expect_switch(page, on=True)

    message = "The alert timeline filters are missing in the new portal."
    page.evaluate("window.__samePage = true")
    the_switch(page).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Enable")).to_have_count(0)
    dialog.get_by_role("textbox").fill(message)
    dialog.get_by_role("button", name="Disable").click()
    expect(dialog).to_be_hidden()
    expect_switch(page, on=False)
    expect(page.get_by_role("region", name="Last change")).to_contain_text(f"Turned Off by {ADMIN}")
    assert page.evaluate("window.__samePage === true"), "turning it Off reloaded the page"
    assert stored_state(demo["contoso"]) is False
    assert Feedback.objects.get().message == message

    support_sees_feedback(new_context, portals, message, ADMIN)


# ------------------------------------------------------------------ journey 2: without JavaScript
def test_admin_turns_it_on_and_off_with_javascript_disabled(new_context, portals, demo):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, portals.defender, ADMIN)
    open_page_by_links(page, portals)
    expect_switch(page, on=False)

    the_switch(page).click()
    expect(page.get_by_role("heading", name="Turn on automatic redirection?")).to_be_visible()
    page.get_by_role("button", name="Enable").click()
    expect(page).to_have_url(portals.defender + PAGE_PATH)
    expect(page.get_by_role("status")).to_contain_text("Automatic redirection is On.")
    expect_switch(page, on=True)
    assert stored_state(demo["contoso"]) is True
    change = RedirectionChange.objects.get(tenant=demo["contoso"])
    assert (change.actor.email, change.source, change.new_value) == (ADMIN, ChangeSource.WEB, True)

    page.reload()
    expect_switch(page, on=True)

    message = "Our runbooks still link to the former portal."
    the_switch(page).click()
    expect(page.get_by_role("heading", name="Turn off automatic redirection?")).to_be_visible()
    expect(page.get_by_role("button", name="Enable")).to_have_count(0)
    page.get_by_role("main").get_by_role("textbox").fill(message)
    page.get_by_role("button", name="Disable").click()
    expect(page).to_have_url(portals.defender + PAGE_PATH)
    expect(page.get_by_role("status")).to_contain_text("Automatic redirection is Off.")
    expect_switch(page, on=False)
    assert stored_state(demo["contoso"]) is False
    assert Feedback.objects.get().message == message

    support_sees_feedback(new_context, portals, message, ADMIN)


def test_cancelling_without_javascript_changes_nothing(new_context, portals, demo):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, portals.defender, ADMIN, path=f"/signin?next={PAGE_PATH}")
    the_switch(page).click()
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(portals.defender + PAGE_PATH)
    expect_switch(page, on=False)
    assert not PortalRedirection.objects.filter(enabled=True).exists()
    assert not RedirectionChange.objects.exists()


# ------------------------------------------------------------------ journey 3: who may change it
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_security_reader_sees_the_switch_disabled_with_the_reason(
    new_context, portals, demo, javascript
):
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, portals.defender, "reader@contoso.example", path=f"/signin?next={PAGE_PATH}")
    expect(page).to_have_url(portals.defender + PAGE_PATH)
    switch = the_switch(page)
    expect(switch).to_be_disabled()
    expect_switch(page, on=False)
    # The reason is tied to the switch, so a screen reader hears it on reaching it.
    expect(switch).to_have_accessible_description(
        re.compile("Global Administrator.*Security Administrator")
    )
    expect(page.get_by_role("main")).to_contain_text("Security Administrator")
    switch.click(force=True)
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect_switch(page, on=False)
    assert not RedirectionChange.objects.exists()


def test_an_account_without_a_role_gets_the_no_access_page(page, portals, demo):
    sign_in(page, portals.defender, "analyst@contoso.example")
    response = page.goto(portals.defender + PAGE_PATH)
    assert response.status == HTTPStatus.FORBIDDEN
    expect(
        page.get_by_role("heading", name="You don't have access to this page", level=1)
    ).to_be_visible()
    expect(the_switch(page)).to_have_count(0)
    page.get_by_role("link", name="Go to the home page").click()
    expect(page).to_have_url(portals.defender + "/")


# A form whose CSRF token no longer holds (another sign-in in this browser rotated it):
# retrying cannot help, reloading does.
STALE_TOKENS = """() => document.querySelectorAll("input[name=csrfmiddlewaretoken]")
    .forEach(input => { input.value = "x".repeat(64); })"""


def test_an_expired_page_says_so_and_offers_a_reload(page, portals, demo):
    sign_in(page, portals.defender, ADMIN, path=f"/signin?next={PAGE_PATH}")
    page.evaluate(STALE_TOKENS)
    the_switch(page).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Enable").click()
    expect(dialog.get_by_role("alert")).to_contain_text("This page has expired")
    expect(dialog.get_by_role("alert")).not_to_contain_text("403")
    expect(dialog.get_by_role("button", name="Enable")).to_be_disabled()
    reload = dialog.get_by_role("button", name="Reload")
    expect(reload).to_be_focused()
    assert not RedirectionChange.objects.exists()

    with page.expect_navigation():
        reload.click()
    expect_switch(page, on=False)
    the_switch(page).click()
    dialog.get_by_role("button", name="Enable").click()
    expect_switch(page, on=True)
    assert stored_state(demo["contoso"]) is True

    # The staged-rollout forms too, once the page has swapped its fresh details in.
    expect(page.get_by_role("region", name="Last change")).to_contain_text("Turned On")
    page.evaluate(STALE_TOKENS)
    rollout = page.get_by_role("region", name="Staged rollout")
    rollout.get_by_role("button", name="Save scope").click()
    expect(rollout.get_by_role("alert")).to_contain_text("This page has expired")
    expect(rollout.get_by_role("button", name="Reload")).to_be_visible()
