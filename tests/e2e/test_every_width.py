"""Every page of the three portals at a phone's and a laptop's width, light and dark.

Each page, with the demo data in its busiest state, must fit its width (no sideways
scrolling) and pass axe-core with no serious or critical finding; the collapsed navigation
must work by keyboard alone.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.busiest_demo import LONG_EMAIL
from tests.e2e.conftest import (
    FOCUS_INDICATOR,
    serious_violations,
    sign_in,
    tab_until_focused,
)
from tests.e2e.every_page import PAGE_PATH, PORTALS, demo_objects, pages_of

pytestmark = pytest.mark.e2e

ADMIN = "admin@contoso.example"
NARROW, WIDE = 390, 1366
HEIGHT = 800
# The dark scheme at one width: its colours are the same at every width.
VIEWS = [(NARROW, "light"), (WIDE, "light"), (NARROW, "dark")]
SCROLL_WIDTH = "document.documentElement.scrollWidth"
# A collapsed rail keeps its words for assistive technology, in a box too small to see.
SHOWN = "element => element.getBoundingClientRect().width > 1"


def rail_label_shown(rail, label: str) -> bool:
    return rail.get_by_text(label, exact=True).evaluate(SHOWN)


def view_id(view) -> str:
    width, scheme = view
    return f"{width}px-{scheme}"


def problems_on(page, width: int) -> list[str]:
    found = []
    scroll_width = page.evaluate(SCROLL_WIDTH)
    if scroll_width > width:
        found.append(f"{page.url}: {scroll_width} px wide in a {width} px window")
    report = serious_violations(page)
    if report:
        found.append(f"{page.url}:\n{report}")
    return found


def open_view(new_context, width: int, scheme: str):
    context = new_context(viewport={"width": width, "height": HEIGHT}, color_scheme=scheme)
    return context.new_page()


@pytest.mark.parametrize("view", VIEWS, ids=view_id)
@pytest.mark.parametrize("portal", PORTALS)
def test_every_page_fits_the_width_and_passes_axe(
    new_context, portals, demo, busiest, portal, view
):
    width, scheme = view
    origin = getattr(portals, portal)
    page = open_view(new_context, width, scheme)
    sign_in(page, origin, ADMIN)
    found = []
    for path in pages_of(portal, demo_objects(demo)):
        page.goto(origin + path)
        if path == PAGE_PATH:  # the busiest state is there: long emails, a schedule
            expect(page.get_by_role("region", name="Recent changes")).to_contain_text(LONG_EMAIL)
            expect(page.get_by_text(re.compile(r"^Turns Off at"))).to_be_visible()
        found += problems_on(page, width)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("view", VIEWS, ids=view_id)
def test_the_directory_sign_in_page_fits_the_width_and_passes_axe(new_context, portals, demo, view):
    width, scheme = view
    page = open_view(new_context, width, scheme)
    page.goto(portals.defender + "/signin")  # both portals sign in on the directory's page
    expect(page).to_have_url(re.compile(re.escape(portals.directory) + r"/signin"))
    found = problems_on(page, width)
    page.get_by_role("button", name="Next").click()  # the email empty
    expect(page.get_by_role("alert")).to_contain_text("Enter your email.")
    found += problems_on(page, width)
    assert not found, "\n".join(found)


def test_the_collapsed_rail_works_by_keyboard_on_a_phone(new_context, portals, demo):
    page = open_view(new_context, NARROW, "light")
    sign_in(page, portals.defender, ADMIN)
    menu = page.get_by_role("button", name="Navigation")
    rail = page.get_by_role("navigation", name="Portal")
    expect(menu).to_have_attribute("aria-expanded", "false")
    assert not rail_label_shown(rail, "Incidents")

    # Collapsed, each icon is a named link a keyboard reaches, sees and follows.
    alerts = rail.get_by_role("link", name="Alerts")
    tab_until_focused(page, alerts)
    assert alerts.evaluate(FOCUS_INDICATOR), "the focused rail link shows no visible focus"
    box = alerts.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW
    page.keyboard.press("Enter")
    expect(page).to_have_url(portals.defender + "/alerts")
    expect(page.get_by_role("heading", name="Alerts", level=1)).to_be_visible()

    # The menu button opens the rail over the page with focus on its first item (not five
    # Tabs away, past the header), and Escape closes it again, back on the button.
    tab_until_focused(page, menu)
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    assert rail_label_shown(rail, "Incidents")
    assert page.evaluate(SCROLL_WIDTH) <= NARROW
    home = rail.get_by_role("link", name="Home")
    expect(home).to_be_focused()
    assert home.evaluate(FOCUS_INDICATOR), "the first item has the focus but does not show it"
    page.keyboard.press("Tab")
    expect(rail.get_by_role("link", name="Incidents")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    assert not rail_label_shown(rail, "Incidents")

    # Again from the button: Enter opens it on Home, Escape brings focus back.
    page.keyboard.press("Enter")
    expect(home).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_focused()


def test_the_rail_collapses_and_expands_on_a_laptop(new_context, portals, demo):
    page = open_view(new_context, WIDE, "light")
    sign_in(page, portals.defender, ADMIN)
    menu = page.get_by_role("button", name="Navigation")
    rail = page.get_by_role("navigation", name="Portal")
    assert rail_label_shown(rail, "Identities")
    wide_rail = rail.bounding_box()["width"]
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "false")
    assert not rail_label_shown(rail, "Identities")
    assert rail.bounding_box()["width"] < wide_rail / 3
    with page.expect_navigation():
        rail.get_by_role("link", name="Identities").click()
    expect(page.get_by_role("heading", name="Identities", level=1)).to_be_visible()


def test_the_rail_opened_by_keyboard_on_a_laptop_starts_at_its_first_item(
    new_context, portals, demo
):
    page = open_view(new_context, WIDE, "light")
    sign_in(page, portals.defender, ADMIN)
    menu = page.get_by_role("button", name="Navigation")
    rail = page.get_by_role("navigation", name="Portal")
    tab_until_focused(page, menu)
    page.keyboard.press("Enter")  # collapse it
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")  # and open it again
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(rail.get_by_role("link", name="Home")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()


def test_the_header_keeps_search_name_and_sign_out_inside_a_phone(new_context, portals, demo):
    for origin in (portals.defender, portals.legacy, portals.endpoint):
        page = open_view(new_context, NARROW, "light")
        sign_in(page, origin, ADMIN)
        search = page.get_by_role("search").get_by_role("searchbox")
        assert search.bounding_box()["width"] >= NARROW / 2, "the header search is a sliver"
        # Typed text is readable: never the colour of the box it is typed in.
        colours = search.evaluate(
            "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
        )
        assert colours[0] != colours[1], f"search text is {colours[0]} on {colours[1]}"
        # The name and Sign out stay in the bar: initials and an icon, their words still read.
        header = page.get_by_role("banner")
        assert header.evaluate("e => e.scrollWidth <= e.clientWidth")
        expect(header.get_by_text("Megan Bowen", exact=True)).to_have_count(1)
        sign_out = header.get_by_role("button", name="Sign out")
        expect(sign_out).to_be_visible()
        box = sign_out.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW
        with page.expect_navigation():
            sign_out.click()
        expect(page).to_have_url(re.compile(r"/signedout\?portal="))


def test_the_legacy_toolbar_by_keyboard_and_pages_that_stay_in_place(new_context, portals, demo):
    page = open_view(new_context, NARROW, "light")
    sign_in(page, portals.legacy, ADMIN, path="/signin?next=/timeline")
    toolbar = page.get_by_role("navigation", name="Portal")
    health = toolbar.get_by_role("link", name="Health center")
    before = health.bounding_box()
    tab_until_focused(page, health)
    assert health.evaluate(FOCUS_INDICATOR)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Health center", level=1)).to_be_visible()
    expect(health).to_have_attribute("aria-current", "page")
    assert health.bounding_box() == before, "the toolbar moved when its item became current"

    # A long user principal name wraps inside its card instead of running out of it.
    identity = demo_objects(demo)["identity"]
    page.goto(f"{portals.legacy}/user/{identity}")
    card = page.locator(".profile-card")
    upn = card.get_by_text(re.compile(r"@contoso\.example$"))
    assert card.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert upn.evaluate("e => e.scrollWidth <= e.clientWidth")


def test_the_settings_menu_folds_above_a_settings_page_on_a_phone(new_context, portals, demo):
    phone = open_view(new_context, NARROW, "light")
    sign_in(phone, portals.defender, ADMIN, path=f"/signin?next={PAGE_PATH}")
    menu = phone.get_by_role("navigation", name="Identities settings")
    entry = menu.get_by_role("link", name="Portal redirection")
    expect(entry).to_be_hidden()  # folded: the page comes first
    menu.get_by_text("Identities settings: Portal redirection").click()
    expect(entry).to_be_visible()
    expect(entry).to_have_attribute("aria-current", "page")

    laptop = open_view(new_context, WIDE, "light")
    sign_in(laptop, portals.defender, ADMIN, path=f"/signin?next={PAGE_PATH}")
    menu = laptop.get_by_role("navigation", name="Identities settings")
    expect(menu.get_by_role("link", name="Portal redirection")).to_be_visible()
    expect(menu.get_by_text("Identities settings: Portal redirection")).to_be_hidden()
