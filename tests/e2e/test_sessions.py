"""Open sessions: kept on the legacy portal after the switch; ended by sign-out or support."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import SignInSession
from portal.models import Alert, ServiceSource
from tests.e2e.conftest import (
    assert_signed_in_without_asking,
    complete_sign_in,
    sign_in,
    sign_in_to_support_console,
)

pytestmark = pytest.mark.e2e

ANALYST = "analyst@contoso.example"
ANALYST_NAME = "Nestor Wilke"
PAGE_PATH = "/preferences2/portal_redirection"


def legacy_banner(page):
    return page.get_by_role("complementary", name="Microsoft 365 Defender portal")


def admin_turns_redirection_on(page, portals) -> None:
    sign_in(page, portals.defender, "admin@contoso.example", path=f"/signin?next={PAGE_PATH}")
    switch = page.get_by_role("switch", name="Automatic redirection")
    expect(switch).not_to_be_checked()
    switch.click()
    page.get_by_role("dialog").get_by_role("button", name="Enable").click()
    expect(switch).to_be_checked()


# ------------------------------------------------------------------ journey 4
def test_a_session_open_before_enabling_keeps_the_legacy_portal_until_it_signs_in_again(
    new_context, portals, demo
):
    alert = (
        Alert.objects.for_tenant(demo["contoso"])
        .filter(service_source=ServiceSource.IDENTITY)
        .order_by("-detected_at", "pk")
        .first()
    )
    deep_link = f"/securityAlert/{alert.pk}"
    analyst = new_context().new_page()
    sign_in(analyst, portals.legacy, ANALYST, path=f"/signin?next={deep_link}")
    expect(analyst).to_have_url(portals.legacy + deep_link)
    expect(analyst.get_by_role("heading", name=alert.title, level=1)).to_be_visible()

    admin_turns_redirection_on(new_context().new_page(), portals)

    # Still the legacy portal, now telling the analyst what changed.
    analyst.reload()
    expect(analyst).to_have_url(portals.legacy + deep_link)
    expect(legacy_banner(analyst)).to_contain_text("now uses the Microsoft 365 Defender portal")
    analyst.get_by_role("navigation", name="Portal").get_by_role("link", name="Timeline").click()
    expect(analyst).to_have_url(portals.legacy + "/timeline")
    expect(legacy_banner(analyst)).to_be_visible()
    analyst.get_by_role("main").get_by_role("link", name=alert.title).first.click()
    expect(analyst).to_have_url(portals.legacy + deep_link)
    banner_link = legacy_banner(analyst).get_by_role("link", name=re.compile("Defender portal"))
    expect(banner_link).to_have_attribute("href", portals.defender + f"/alerts/{alert.pk}")

    # Signing out ends the directory session too: the next sign-in asks for the password.
    analyst.get_by_role("button", name="Sign out").click()
    expect(analyst).to_have_url(re.compile(re.escape(portals.directory) + r"/signedout\?"))

    analyst.goto(portals.legacy + deep_link)
    expect(analyst).to_have_url(re.compile(re.escape(portals.directory) + r"/signin\?next="))
    complete_sign_in(analyst, ANALYST)
    assert_signed_in_without_asking(analyst, portals.defender, ANALYST_NAME)
    expect(analyst).to_have_url(portals.defender + f"/alerts/{alert.pk}")
    expect(analyst.get_by_role("heading", name=alert.title, level=1)).to_be_visible()


# ------------------------------------------------------------------ journey 6
def test_support_ends_a_session_and_the_next_click_goes_to_sign_in(new_context, portals, demo):
    analyst = new_context().new_page()
    sign_in(analyst, portals.legacy, ANALYST, path="/signin?next=/timeline")
    expect(analyst).to_have_url(portals.legacy + "/timeline")

    support = new_context().new_page()
    sign_in_to_support_console(support, portals)
    support.get_by_role("link", name=re.compile(r"^Sign.in sessions$")).click()
    row = support.get_by_role("row").filter(has_text=ANALYST).filter(has_text="Legacy portal")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Active")
    row.get_by_role("checkbox").check()
    support.get_by_role("combobox", name=re.compile("^Action")).select_option(
        label="End selected sessions…"
    )
    support.get_by_role("button", name=re.compile("^(Go|Run)$")).click()
    # Nothing ends before support says why.
    expect(support.get_by_role("heading", name="End these sessions?")).to_be_visible()
    support.get_by_label("Reason").fill("Ticket 4711")
    support.get_by_role("button", name="End sessions").click()
    expect(support.get_by_text("Ended 1 session")).to_be_visible()
    expect(row).to_contain_text("Ended by support")

    analyst.get_by_role("navigation", name="Portal").get_by_role(
        "link", name="Health center"
    ).click()
    # The directory session ended too: the directory asks for the password again.
    expect(analyst).to_have_url(re.compile(re.escape(portals.directory) + r"/signin\?next="))
    expect(analyst.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    row = SignInSession.objects.get(user__email=ANALYST, portal="legacy")
    assert row.end_reason == SignInSession.EndReason.ENDED_BY_SUPPORT
