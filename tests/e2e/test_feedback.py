"""Give feedback from the legacy portal's banner; support reads it in the console."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from settings_ui.models import ChangeSource, Feedback
from settings_ui.services import set_portal_redirection
from tests.e2e.conftest import assert_no_serious_violations, sign_in, support_sees_feedback

pytestmark = pytest.mark.e2e

ANALYST = "analyst@contoso.example"


MIN_GAP = 8  # px between two controls, so neither is hit for the other


def assert_apart(one, other) -> None:
    a, b = one.bounding_box(), other.bounding_box()
    gap = max(
        b["x"] - (a["x"] + a["width"]),
        a["x"] - (b["x"] + b["width"]),
        b["y"] - (a["y"] + a["height"]),
        a["y"] - (b["y"] + b["height"]),
    )
    assert gap >= MIN_GAP, f"{one} and {other} are {gap:.0f} px apart"


def test_an_analyst_sends_feedback_from_the_banner_and_support_reads_it(new_context, portals, demo):
    analyst = new_context().new_page()
    sign_in(analyst, portals.legacy, ANALYST, path="/signin?next=/timeline%3Fseverity%3Dhigh")
    set_portal_redirection(
        demo["contoso"], True, actor=demo["admin@contoso.example"], source=ChangeSource.WEB
    )
    analyst.reload()
    banner = analyst.get_by_role("complementary", name="Microsoft 365 Defender portal")
    banner.get_by_role("link", name="Give feedback").click()
    expect(analyst).to_have_url(portals.legacy + "/feedback?from=%2Ftimeline%3Fseverity%3Dhigh")
    assert_apart(
        analyst.get_by_role("button", name="Send feedback"),
        analyst.get_by_role("link", name="Cancel"),
    )

    # Sent empty: an error summary, nothing stored.
    analyst.get_by_role("button", name="Send feedback").click()
    expect(analyst.get_by_role("alert")).to_contain_text("Write your feedback before sending it.")
    assert_no_serious_violations(analyst, "feedback form with errors")
    assert not Feedback.objects.exists()

    message = "Saved timeline filters are not in the Defender portal yet."
    analyst.get_by_label("A problem with the redirection").check()
    analyst.get_by_label("Your feedback").fill(message)
    analyst.get_by_role("button", name="Send feedback").click()
    expect(analyst.get_by_role("status")).to_contain_text("Your feedback was sent")
    analyst.get_by_role("link", name="Back to the page you came from").click()
    expect(analyst).to_have_url(portals.legacy + "/timeline?severity=high")

    stored = Feedback.objects.get()
    assert (stored.user.email, stored.portal, stored.category, stored.message) == (
        ANALYST,
        "legacy",
        Feedback.Category.REDIRECTION,
        message,
    )
    support_sees_feedback(new_context, portals, message, ANALYST)
