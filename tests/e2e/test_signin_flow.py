"""The directory's sign-in in Chromium, by keyboard alone: Email, Password, Stay signed in?
(with "Don't show this again"), then the portal; the sign-out's landing page; and the next
sign-in in that browser, which skips Stay signed in?."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

ANALYST = "analyst@contoso.example"


def test_the_whole_sign_in_and_sign_out_by_keyboard(new_context, portals, demo):
    context = new_context()
    page = context.new_page()
    page.goto(portals.defender + "/alerts")

    expect(page).to_have_url(re.compile(re.escape(portals.directory) + r"/signin\?"))
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(ANALYST)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Next

    expect(page).to_have_url(re.compile(re.escape(portals.directory) + r"/signin/password\?"))
    expect(page.get_by_text(ANALYST, exact=True)).to_be_visible()
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Sign in

    expect(page.get_by_role("heading", name="Stay signed in?")).to_be_visible()
    dont_show_again = page.get_by_role("checkbox", name="Don't show this again")
    tab_to(page, dont_show_again)
    page.keyboard.press("Space")
    expect(dont_show_again).to_be_checked()
    yes = page.get_by_role("button", name="Yes")
    tab_to(page, yes)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()

    expect(page).to_have_url(portals.defender + "/alerts")
    expect(page.get_by_role("heading", name="Alerts", level=1)).to_be_visible()
    directory_host = re.sub(r"^https?://|:\d+$", "", portals.directory)
    single_sign_on = [
        cookie
        for cookie in context.cookies()
        if cookie["domain"].lstrip(".") == directory_host and cookie["name"] == "sessionid"
    ]
    assert single_sign_on and single_sign_on[0]["expires"] > 0, "Yes: it outlives the browser"
    (remembered,) = [cookie for cookie in context.cookies() if cookie["name"] == "stay_signed_in"]
    assert remembered["domain"] == directory_host, "host-only, the directory's"
    assert remembered["httpOnly"] and remembered["path"] == "/signin"
    assert remembered["expires"] > time.time() + 360 * 24 * 60 * 60, "kept about a year"

    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="You signed out of your account")).to_be_visible()
    expect(page.get_by_text("close all browser windows")).to_be_visible()
    page.get_by_role("link", name="Sign in again").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_label("Email")).to_be_visible()  # the sign-in has ended: asked again

    # Signing in again in this browser: its answer is remembered, so after the password it
    # goes straight on to the portal, and the single sign-on outlives the browser again.
    page.keyboard.type(ANALYST)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Next
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Sign in
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile("^" + re.escape(portals.defender) + "/"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    single_sign_on = [
        cookie
        for cookie in context.cookies()
        if cookie["domain"].lstrip(".") == directory_host and cookie["name"] == "sessionid"
    ]
    assert single_sign_on and single_sign_on[0]["expires"] > 0, "the remembered Yes applied"


def tab_to(page, target) -> None:
    """Move the keyboard focus forward to ``target``, as a person pressing Tab does."""
    for _ in range(10):
        if target.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def test_no_keeps_the_single_sign_on_for_this_browser_session_only(new_context, portals, demo):
    context = new_context()
    page = context.new_page()
    page.goto(portals.legacy + "/signin")
    page.get_by_label("Email").fill(ANALYST)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    with page.expect_navigation():
        page.get_by_role("button", name="No").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile("^" + re.escape(portals.legacy) + "/"))
    directory_host = re.sub(r"^https?://|:\d+$", "", portals.directory)
    single_sign_on = [
        cookie
        for cookie in context.cookies()
        if cookie["domain"].lstrip(".") == directory_host and cookie["name"] == "sessionid"
    ]
    assert single_sign_on and single_sign_on[0]["expires"] == -1, "No: a session cookie"
