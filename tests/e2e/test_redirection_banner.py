"""The legacy portal's banner in a browser: each account is told what its next sign-in really
does, by the same rule that routes it, and then that sign-in does exactly that."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from settings_ui.models import ChangeSource, Scope
from settings_ui.services import (
    RedirectionUpdate,
    change_portal_redirection,
    set_portal_redirection,
)
from tests.e2e.conftest import assert_signed_in_without_asking, complete_sign_in, sign_in

pytestmark = pytest.mark.e2e

PILOT = "analyst@contoso.example"
PILOT_NAME = "Nestor Wilke"
OUTSIDE = "operator@contoso.example"
OUTSIDE_NAME = "Adele Vance"

# The banner's words for each state (templates/shared/redirection_banner.html).
NOW_USES = "Your organization now uses the Microsoft 365 Defender portal."
PROMISE = "sign in again and you go to the Defender portal"
PILOT_FIRST = (
    "Your organization is moving to the Microsoft 365 Defender portal, a pilot group first."
)
STAYS = (
    "Your account is not in the pilot group, so you keep this portal, also after you sign in again."
)
INVITATION = "Try this page in the Defender portal"
MOVES_AT = "Your organization moves there from"


def signs_in_to_the_legacy_portal(new_context, portals, email: str):
    """A new sign-in to the legacy portal, in a browser of its own; returns the page."""
    page = new_context().new_page()
    sign_in(page, portals.legacy, email, path="/signin?next=/timeline")
    return page


def banner(page):
    return page.get_by_role("complementary", name="Microsoft 365 Defender portal")


def on_the_timeline(page, portals) -> None:
    expect(page).to_have_url(portals.legacy + "/timeline")
    expect(page.get_by_role("heading", name="Security alerts timeline")).to_be_visible()


def signs_out_and_in_again(page, portals, email: str) -> None:
    """Sign out of the legacy portal (which ends the directory session too), then open the
    timeline again and sign in with the password, as the banner tells the person to."""
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape(portals.directory) + r"/signedout\?"))
    page.goto(portals.legacy + "/timeline")
    expect(page).to_have_url(re.compile(re.escape(portals.directory) + r"/signin\?next="))
    complete_sign_in(page, email)


def expect_told_it_stays(page) -> None:
    """Outside the pilot: told it keeps this portal, never promised that a sign-in moves it."""
    expect(banner(page)).to_contain_text(PILOT_FIRST)
    expect(banner(page)).to_contain_text(STAYS)
    expect(banner(page)).not_to_contain_text(NOW_USES)
    expect(banner(page)).not_to_contain_text(PROMISE)
    expect(banner(page)).not_to_contain_text("takes you to the Defender portal")


def test_each_account_is_told_what_its_next_sign_in_really_does(new_context, portals, demo):
    contoso = demo["contoso"]
    # A pilot group of one, still Off: nobody is routed yet.
    change_portal_redirection(
        contoso,
        RedirectionUpdate(scope=Scope.PILOT, pilot_emails=(PILOT,)),
        source=ChangeSource.CLI,
    )

    # The pilot account signs in to the legacy portal before the switch, in its own browser.
    pilot = signs_in_to_the_legacy_portal(new_context, portals, PILOT)
    on_the_timeline(pilot, portals)
    # While Off the banner only invites; it promises nothing about the next sign-in.
    expect(banner(pilot)).to_contain_text(INVITATION)
    expect(banner(pilot)).not_to_contain_text(NOW_USES)

    set_portal_redirection(contoso, True, source=ChangeSource.CLI)

    # Its session from before the switch keeps the legacy portal and is told why and how long.
    pilot.reload()
    on_the_timeline(pilot, portals)
    expect(banner(pilot)).to_contain_text(NOW_USES)
    expect(banner(pilot)).to_contain_text(
        "This session stays here until you sign out; " + PROMISE + "."
    )
    expect(banner(pilot)).not_to_contain_text(STAYS)
    link = banner(pilot).get_by_role("link", name="Open this page in the Defender portal")
    expect(link).to_have_attribute("href", portals.defender + "/alerts")

    # An account outside the pilot signs in after the switch, in a second browser: it stays,
    # and the banner says so instead of the pilot's promise.
    outside = signs_in_to_the_legacy_portal(new_context, portals, OUTSIDE)
    on_the_timeline(outside, portals)
    expect_told_it_stays(outside)

    # The promise made to the pilot account is kept: signing in again lands on Defender.
    signs_out_and_in_again(pilot, portals, PILOT)
    expect(pilot).to_have_url(portals.defender + "/alerts")
    assert_signed_in_without_asking(pilot, portals.defender, PILOT_NAME)
    expect(banner(pilot)).to_have_count(0)

    # And what the other account was told holds too: a new sign-in keeps the legacy portal,
    # with the same words.
    signs_out_and_in_again(outside, portals, OUTSIDE)
    on_the_timeline(outside, portals)
    assert_signed_in_without_asking(outside, portals.legacy, OUTSIDE_NAME)
    expect_told_it_stays(outside)


def test_a_scheduled_on_for_a_pilot_group_is_announced_only_to_the_pilot(
    new_context, portals, demo, monkeypatch
):
    on_at = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=5)
    change_portal_redirection(
        demo["contoso"],
        RedirectionUpdate(scope=Scope.PILOT, pilot_emails=(PILOT,), scheduled_on_at=on_at),
        source=ChangeSource.CLI,
    )

    # Still Off: both are invited; only the pilot account is told it moves at that moment.
    pilot = signs_in_to_the_legacy_portal(new_context, portals, PILOT)
    on_the_timeline(pilot, portals)
    expect(banner(pilot)).to_contain_text(INVITATION)
    expect(banner(pilot)).to_contain_text(MOVES_AT)
    expect(banner(pilot).locator("time")).to_have_attribute(
        "datetime", on_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    outside = signs_in_to_the_legacy_portal(new_context, portals, OUTSIDE)
    on_the_timeline(outside, portals)
    expect(banner(outside)).to_contain_text(INVITATION)
    expect(banner(outside)).not_to_contain_text(MOVES_AT)
    expect(banner(outside)).not_to_contain_text(NOW_USES)

    # The server's clock moves past the scheduled minute instead of the test waiting for it:
    # what each was told holds for its next sign-in.
    real_now, ahead = timezone.now, on_at - timezone.now() + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: real_now() + ahead)
    expect(signs_in_to_the_legacy_portal(new_context, portals, PILOT)).to_have_url(
        portals.defender + "/alerts"
    )
    outside_again = signs_in_to_the_legacy_portal(new_context, portals, OUTSIDE)
    on_the_timeline(outside_again, portals)
    expect_told_it_stays(outside_again)
