"""Signing in to the legacy portal with the switch On or Off, set through the one writer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from settings_ui.models import ChangeSource
from settings_ui.services import set_portal_redirection
from tests.e2e.conftest import assert_signed_in_without_asking, complete_sign_in

pytestmark = pytest.mark.e2e

ANALYST = "analyst@contoso.example"
ANALYST_NAME = "Nestor Wilke"


def switch_to(demo, *values: bool) -> None:
    for enabled in values:
        set_portal_redirection(
            demo["contoso"], enabled, actor=demo["admin@contoso.example"], source=ChangeSource.WEB
        )


def test_a_new_sign_in_is_routed_to_the_equivalent_defender_page(page, portals, demo):
    switch_to(demo, True)

    page.goto(portals.legacy + "/timeline?severity=high&status=closed")
    expect(page).to_have_url(re.compile(re.escape(portals.directory) + r"/signin\?next="))
    complete_sign_in(page, ANALYST)

    # The directory signs the analyst in to the Defender portal on the way: one password only.
    assert_signed_in_without_asking(page, portals.defender, ANALYST_NAME)
    expect(page).to_have_url(re.compile(re.escape(portals.defender) + r"/alerts\?"))
    assert sorted(page.url.split("?", 1)[1].split("&")) == ["severity=high", "status=resolved"]
    expect(page.get_by_role("heading", name="Alerts", level=1)).to_be_visible()


@pytest.mark.parametrize("history", [(), (True, False)], ids=["never-on", "on-then-off"])
def test_with_redirection_off_a_new_sign_in_stays_on_the_legacy_portal(
    page, portals, demo, history
):
    switch_to(demo, *history)

    page.goto(portals.legacy + "/timeline")
    complete_sign_in(page, ANALYST)

    expect(page).to_have_url(portals.legacy + "/timeline")
    expect(page.get_by_role("heading", name="Security alerts timeline")).to_be_visible()
    page.reload()
    expect(page).to_have_url(portals.legacy + "/timeline")
