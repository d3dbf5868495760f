"""Staged rollout in a browser: a pilot first, then everyone, then a scheduled switch-over."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from settings_ui.models import PortalRedirection, RedirectionChange
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

PAGE_PATH = "/preferences2/portal_redirection"
ADMIN = "admin@contoso.example"
ANALYST = "analyst@contoso.example"
OPERATOR = "operator@contoso.example"


def signs_in_to_the_legacy_portal(new_context, portals, email: str):
    """A new sign-in to the legacy portal, in a browser of its own; returns the page."""
    page = new_context().new_page()
    sign_in(page, portals.legacy, email, path="/signin?next=/timeline")
    return page


def expect_routed(page, portals) -> None:
    expect(page).to_have_url(portals.defender + "/alerts")


def expect_kept(page, portals) -> None:
    expect(page).to_have_url(portals.legacy + "/timeline")
    expect(page.get_by_role("heading", name="Security alerts timeline")).to_be_visible()


def save_scope(admin, *, pilot: str | None) -> None:
    rollout = admin.get_by_role("region", name="Staged rollout")
    if pilot is None:
        rollout.get_by_role("radio", name="Everyone").check()
    else:
        rollout.get_by_role("radio", name="Pilot group").check()
        rollout.get_by_label("Pilot accounts").fill(pilot)
    rollout.get_by_role("button", name="Save scope").click()


def test_pilot_then_everyone_then_a_scheduled_switch_over(new_context, portals, demo, monkeypatch):
    admin = new_context().new_page()
    sign_in(admin, portals.defender, ADMIN, path=f"/signin?next={PAGE_PATH}")
    rollout = admin.get_by_role("region", name="Staged rollout")

    # 1. A pilot of analyst@, then On.
    save_scope(admin, pilot=ANALYST)
    expect(rollout).to_contain_text("Once On, routes the pilot group only: 1 account.")
    switch = admin.get_by_role("switch", name="Automatic redirection")
    switch.click()
    admin.get_by_role("dialog").get_by_role("button", name="Enable").click()
    expect(switch).to_be_checked()
    expect(rollout).to_contain_text("Routes the pilot group only: 1 account.")

    # 2. A new sign-in of analyst@ is routed; one of operator@ is not.
    expect_routed(signs_in_to_the_legacy_portal(new_context, portals, ANALYST), portals)
    operator_before = signs_in_to_the_legacy_portal(new_context, portals, OPERATOR)
    expect_kept(operator_before, portals)
    admin.reload()
    expect(admin.locator('[data-stat="routed-pilot"]')).to_have_text("1")

    # 3. Everyone: the pilot's count and its field go.
    save_scope(admin, pilot=None)
    expect(rollout).to_contain_text("Routes everyone in your organization.")
    expect(admin.locator('[data-stat="routed-pilot"]')).to_have_count(0)
    expect(admin.locator('[data-stat="routed"]')).to_have_text("1")
    expect(rollout.get_by_label("Pilot accounts")).to_be_hidden()

    # 4. operator@'s older session stays put; a new operator@ sign-in is routed.
    operator_before.reload()
    expect_kept(operator_before, portals)
    expect_routed(signs_in_to_the_legacy_portal(new_context, portals, OPERATOR), portals)

    # 5. Off, then On scheduled a minute ahead: nothing runs at that minute, yet it routes.
    switch.click()
    admin.get_by_role("dialog").get_by_role("button", name="Disable").click()
    expect(switch).not_to_be_checked()
    # The details (and the forms in them) are swapped in afresh after a change: wait for them.
    expect(admin.get_by_role("region", name="Last change")).to_contain_text("Turned Off")
    on_at = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=2)
    rollout.get_by_label("Turn On at (UTC)").fill(on_at.strftime("%Y-%m-%dT%H:%M"))
    rollout.get_by_role("button", name="Schedule", exact=True).click()
    expect(rollout).to_contain_text("Turns On at")
    assert PortalRedirection.objects.get(tenant=demo["contoso"]).scheduled_on_at == on_at
    expect_kept(signs_in_to_the_legacy_portal(new_context, portals, OPERATOR), portals)

    # The server's clock moves past the scheduled minute instead of the test waiting for it.
    real_now, ahead = timezone.now, on_at - timezone.now() + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: real_now() + ahead)
    expect_routed(signs_in_to_the_legacy_portal(new_context, portals, OPERATOR), portals)
    admin.reload()
    expect(switch).to_be_checked()
    history = admin.get_by_role("region", name="Recent changes")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Schedule")
    assert not RedirectionChange.objects.filter(source="schedule").exists(), "no job ran"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_unknown_pilot_email_is_refused_with_the_reason(new_context, portals, demo, javascript):
    admin = new_context(java_script_enabled=javascript).new_page()
    sign_in(admin, portals.defender, ADMIN, path=f"/signin?next={PAGE_PATH}")
    save_scope(admin, pilot="ghost@contoso.example")
    rollout = admin.get_by_role("region", name="Staged rollout")
    expect(rollout.get_by_role("alert")).to_contain_text(
        "Not an account of Contoso: ghost@contoso.example."
    )
    expect(rollout).to_contain_text("Once On, routes everyone in your organization.")
    assert not RedirectionChange.objects.exists()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_pilot_field_shows_only_while_pilot_group_is_chosen(
    new_context, portals, demo, javascript
):
    admin = new_context(java_script_enabled=javascript).new_page()
    sign_in(admin, portals.defender, ADMIN, path=f"/signin?next={PAGE_PATH}")
    rollout = admin.get_by_role("region", name="Staged rollout")
    pilot_field = rollout.get_by_label("Pilot accounts")
    expect(rollout.get_by_role("radio", name="Everyone")).to_be_checked()
    expect(pilot_field).to_be_hidden()
    rollout.get_by_role("radio", name="Pilot group").check()
    expect(pilot_field).to_be_visible()
    rollout.get_by_role("radio", name="Everyone").check()
    expect(pilot_field).to_be_hidden()
