"""The Security Center in a real browser: sign in through the directory, open the queue."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    assert_no_serious_violations,
    assert_signed_in_without_asking,
    complete_sign_in,
    sign_in,
)

pytestmark = pytest.mark.e2e

ANALYST = "analyst@contoso.example"
ANALYST_NAME = "Nestor Wilke"


def test_an_analyst_signs_in_and_works_the_alerts_queue(page, portals, demo):
    page.goto(portals.endpoint + "/alerts?severity=high")
    expect(page).to_have_url(re.compile(re.escape(portals.directory) + r"/signin\?next="))
    complete_sign_in(page, ANALYST)

    assert_signed_in_without_asking(page, portals.endpoint, ANALYST_NAME)
    expect(page).to_have_url(portals.endpoint + "/alerts?severity=high")
    expect(page).to_have_title("Alerts queue · Microsoft Defender Security Center")
    expect(page.get_by_role("heading", name="Alerts queue", level=1)).to_be_visible()
    queue = page.get_by_role("table")
    expect(queue.get_by_role("row").nth(1)).to_contain_text("High")
    rail = page.get_by_role("navigation", name="Portal")
    expect(rail.get_by_role("link", name="Alerts queue")).to_have_attribute("aria-current", "page")
    assert_no_serious_violations(page, "the Security Center's alerts queue")

    # An alert, then its device's timeline, then back to the queue from the rail.
    queue.get_by_role("row").nth(1).get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Alert details")).to_be_visible()
    page.get_by_role("definition").get_by_role("link").filter(has_text=re.compile("-WS")).click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator(".device-event").first).to_be_visible()
    rail.get_by_role("link", name="Alerts queue").click()
    expect(page).to_have_url(portals.endpoint + "/alerts")


def test_signing_in_to_the_defender_portal_then_the_security_center_asks_once(page, portals, demo):
    sign_in(page, portals.defender, ANALYST)
    page.goto(portals.endpoint + "/incidents")
    assert_signed_in_without_asking(page, portals.endpoint, ANALYST_NAME)
    expect(page.get_by_role("heading", name="Incidents", level=1)).to_be_visible()
