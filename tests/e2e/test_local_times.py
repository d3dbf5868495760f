"""Times in the reader's own zone: the server writes UTC, the page's script rewrites it."""

from __future__ import annotations

import re
import zoneinfo

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.every_page import PAGE_PATH

pytestmark = pytest.mark.e2e

ADMIN = "admin@contoso.example"
ZONE = "America/New_York"  # five hours behind UTC in December, four in summer
UTC_WORDS = re.compile(r"^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{2}:\d{2} UTC$")
TIMES = "main time[data-local='datetime']"


def test_times_read_in_the_readers_zone_and_keep_utc_in_their_title(
    new_context, portals, demo, busiest
):
    page = new_context(timezone_id=ZONE).new_page()
    sign_in(page, portals.defender, ADMIN, path=f"/signin?next={PAGE_PATH}")

    turns_off = page.locator(".scheduled-change").filter(has_text="Turns Off at").locator("time")
    expected = busiest.turns_off_at.astimezone(zoneinfo.ZoneInfo(ZONE))
    hour = expected.strftime("%-I:%M %p")
    expect(turns_off).to_contain_text(hour)
    expect(turns_off).to_contain_text(re.compile(r"EST|GMT-5"))
    assert UTC_WORDS.match(turns_off.get_attribute("title")), turns_off.get_attribute("title")
    assert turns_off.get_attribute("datetime").endswith("Z")

    # Every time on the page: rewritten, its UTC words kept on the same element.
    times = page.locator(TIMES)
    assert times.count() >= 8  # last change, schedule, turned On, the history
    for index in range(times.count()):
        time = times.nth(index)
        assert UTC_WORDS.match(time.get_attribute("title"))
        assert "UTC" not in time.inner_text()

    # The schedule's fields stay in UTC, as their labels say, and the page names the zone.
    off_field = page.get_by_label("Turn Off at (UTC)")
    expect(off_field).to_have_value(busiest.turns_off_at.strftime("%Y-%m-%d %H:%M"))
    expect(page.locator("#schedule-help")).to_contain_text("In UTC, on the 24-hour clock")
    expect(page.locator("#schedule-help")).to_contain_text(ZONE)


def test_times_swapped_in_after_a_change_are_rewritten_too(new_context, portals, demo, busiest):
    page = new_context(timezone_id=ZONE).new_page()
    sign_in(page, portals.defender, ADMIN, path=f"/signin?next={PAGE_PATH}")
    page.get_by_role("region", name="Staged rollout").get_by_role(
        "button", name="Cancel schedule"
    ).click()
    expect(page.locator(".scheduled-change")).to_have_count(0)
    last_change = page.get_by_role("region", name="Last change").locator("time").last
    expect(last_change).not_to_contain_text("UTC")
    assert UTC_WORDS.match(last_change.get_attribute("title"))


def test_the_legacy_timeline_splits_day_and_hour_in_the_readers_zone(new_context, portals, demo):
    page = new_context(timezone_id=ZONE).new_page()
    sign_in(page, portals.legacy, ADMIN, path="/signin?next=/timeline")
    first = page.locator("time.timeline-time").first
    expect(first.locator(".hour")).to_contain_text(re.compile(r"(AM|PM) (EST|EDT|GMT-[45])"))
    assert UTC_WORDS.match(first.get_attribute("title"))
