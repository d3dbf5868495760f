"""Every notice, banner, badge and message of both portals is readable, light and dark.

The colours are measured as Chromium renders them (the text's computed colour over its
effective background: the element's own and its ancestors' backgrounds laid over one another),
on every page with the demo data in its busiest state, and the contrast ratio is worked out
here from the sRGB values, as WCAG 2 defines it. Each pair must reach AA for body text, 4.5:1.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.every_page import PAGE_PATH, PORTALS, demo_objects, pages_of

pytestmark = pytest.mark.e2e

ADMIN = "admin@contoso.example"
FABRIKAM_ADMIN = "admin@fabrikam.example"
AA = 4.5
# What the portals show as a notice: a box of its own colours that tells the reader something.
NOTICES = ", ".join(
    [
        ".notice",
        ".scheduled-change",
        ".announcement",
        ".readonly-reason",
        ".message",
        ".form-error",
        ".field-error",
        ".preview-answer",
        ".badge",
        ".redirection-banner",
        ".rollout-scope",
        "[role=status]",
        "[role=alert]",
    ]
)

# For each visible notice, every element in it that holds text of its own: that text's colour
# and the colour it sits on, as Chromium computed them (see the script's own comments).
RENDERED_COLOURS = (Path(__file__).parent / "rendered_colours.js").read_text()


def luminance(rgb) -> float:
    """WCAG 2 relative luminance of an sRGB colour given as 0-255 channels."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one, other) -> float:
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_ratio_is_worked_out_as_wcag_defines_it():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert contrast((119, 119, 119), (255, 255, 255)) == pytest.approx(4.48, abs=0.01)
    # The dark-mode schedule notice as it was: near-white on near-white.
    assert contrast((243, 242, 241), (239, 246, 252)) < 1.1


def unreadable_notices(page) -> tuple[list[str], int]:
    """Each notice text below AA on this page, and how many were measured."""
    measured = page.evaluate(RENDERED_COLOURS, NOTICES)
    failures = []
    for pair in measured:
        if pair["colour"] is None:
            failures.append(f"{page.url}: unreadable colour value {pair['raw']!r}")
            continue
        ratio = contrast(pair["colour"], pair["behind"])
        if ratio < AA:
            rgb = tuple(round(c) for c in pair["colour"][:3])
            behind = tuple(round(c) for c in pair["behind"][:3])
            failures.append(
                f"{page.url} [{pair['notice']}] {pair['text']!r}: "
                f"{ratio:.2f}:1, text {rgb} on {behind}"
            )
    return failures, len(measured)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("portal", PORTALS)
def test_every_notice_reaches_aa_contrast(new_context, portals, demo, busiest, portal, scheme):
    origin = getattr(portals, portal)
    context = new_context(viewport={"width": 1366, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    sign_in(page, origin, ADMIN)
    failures, measured = [], 0
    for path in pages_of(portal, demo_objects(demo)):
        page.goto(origin + path)
        if path == PAGE_PATH:
            # The busiest state is there to be measured: the schedule's notices among it.
            expect(page.get_by_text(re.compile(r"^Turns Off at"))).to_be_visible()
        found, count = unreadable_notices(page)
        failures += found
        measured += count
    if portal in ("legacy", "endpoint"):
        # Fabrikam has not switched: its former portals carry the quieter invitation banner.
        other = new_context(viewport={"width": 1366, "height": 800}, color_scheme=scheme)
        fabrikam = other.new_page()
        landing = "/timeline" if portal == "legacy" else "/alerts"
        sign_in(fabrikam, origin, FABRIKAM_ADMIN, path=f"/signin?next={landing}")
        expect(fabrikam.locator(".redirection-banner.quiet")).to_be_visible()
        found, count = unreadable_notices(fabrikam)
        failures += found
        measured += count
    assert measured, "no notice measured: the selector no longer finds the portal's notices"
    assert not failures, "\n".join(failures)
