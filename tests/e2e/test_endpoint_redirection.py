"""Endpoint's Automatic redirection in a browser: the Security Center's sign-ins and its switch.

The Security Center is Endpoint's former portal, with a switch of its own (Settings, then
Endpoints, General, Portal redirection), separate from Identity's.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.models import Alert, ServiceSource
from settings_ui.models import ChangeSource, Feedback, PortalRedirection
from settings_ui.services import set_portal_redirection
from tests.e2e.conftest import assert_signed_in_without_asking, complete_sign_in, sign_in

pytestmark = pytest.mark.e2e

ADMIN = "admin@contoso.example"
ANALYST = "analyst@contoso.example"
ANALYST_NAME = "Nestor Wilke"
PAGE_PATHS = {
    "identity": "/preferences2/portal_redirection",
    "endpoint": "/preferences2/portal_redirection?workload=endpoint",
}


def the_switch(page):
    return page.get_by_role("switch", name="Automatic redirection")


def expect_switch(page, *, on: bool) -> None:
    """The switch says its state to assistive technology and, beside it, in words."""
    switch = the_switch(page)
    expect(switch).to_be_checked(checked=on)
    word = "On" if on else "Off"
    expect(switch.locator("xpath=..")).to_contain_text(re.compile(rf"\b{word}\b"))


def open_switch_page(page, portals, workload: str):
    """The admin, in a browser of their own, on one workload's Portal redirection page."""
    sign_in(page, portals.defender, ADMIN, path=f"/signin?next={PAGE_PATHS[workload]}")
    expect(page).to_have_url(portals.defender + PAGE_PATHS[workload])
    expect(page.get_by_role("heading", name="Portal redirection", level=1)).to_be_visible()
    return page


def admin_turns_on(page) -> None:
    expect_switch(page, on=False)
    the_switch(page).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Enable").click()
    expect(dialog).to_be_hidden()
    expect_switch(page, on=True)


def enabled(tenant, workload: str) -> bool:
    row = PortalRedirection.objects.filter(tenant=tenant, workload=workload).first()
    return bool(row and row.enabled)


def endpoint_alert(tenant) -> Alert:
    return (
        Alert.objects.for_tenant(tenant)
        .filter(service_source=ServiceSource.ENDPOINT)
        .order_by("-detected_at", "pk")
        .first()
    )


def banner(page):
    return page.get_by_role("complementary", name="Microsoft 365 Defender portal")


def sign_in_fresh(new_context, origin: str, path: str):
    """A new browser (no directory session) opens ``path`` and signs in as the analyst."""
    page = new_context().new_page()
    page.goto(origin + path)
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    complete_sign_in(page, ANALYST)
    return page


# ------------------------------------------------------------------ a. never ejected
def test_a_security_center_session_open_before_enabling_keeps_browsing_it(
    new_context, portals, demo
):
    alert = endpoint_alert(demo["contoso"])
    deep_link = f"/alerts/{alert.pk}"
    analyst = new_context().new_page()
    sign_in(analyst, portals.endpoint, ANALYST, path=f"/signin?next={deep_link}")
    expect(analyst).to_have_url(portals.endpoint + deep_link)
    # Off: the banner only invites the analyst to try the Defender portal.
    expect(banner(analyst)).not_to_contain_text("now uses the Microsoft 365 Defender portal")

    admin_turns_on(open_switch_page(new_context().new_page(), portals, "endpoint"))
    assert enabled(demo["contoso"], "endpoint") is True

    # The open session stays on the Security Center, told that its next sign-in moves it.
    analyst.reload()
    expect(analyst).to_have_url(portals.endpoint + deep_link)
    expect(analyst.get_by_role("heading", name=alert.title, level=1)).to_be_visible()
    expect(banner(analyst)).to_contain_text("now uses the Microsoft 365 Defender portal")
    expect(banner(analyst)).to_contain_text("sign in again and you go to the Defender portal")
    link = banner(analyst).get_by_role("link", name=re.compile("Defender portal"))
    expect(link).to_have_attribute("href", portals.defender + deep_link)

    rail = analyst.get_by_role("navigation", name="Portal")
    rail.get_by_role("link", name="Alerts queue").click()
    expect(analyst).to_have_url(portals.endpoint + "/alerts")
    expect(analyst.get_by_role("heading", name="Alerts queue", level=1)).to_be_visible()
    rail.get_by_role("link", name="Incidents").click()
    expect(analyst).to_have_url(portals.endpoint + "/incidents")
    expect(banner(analyst)).to_contain_text("now uses the Microsoft 365 Defender portal")


# ------------------------------------------------------------------ b. a fresh sign-in is routed
def test_a_fresh_security_center_sign_in_lands_on_the_same_alert_in_defender(
    new_context, portals, demo
):
    set_portal_redirection(demo["contoso"], True, source=ChangeSource.CLI, workload="endpoint")
    alert = endpoint_alert(demo["contoso"])

    analyst = sign_in_fresh(new_context, portals.endpoint, f"/alerts/{alert.pk}")

    # One password: the directory signs the analyst in to the Defender portal on the way.
    assert_signed_in_without_asking(analyst, portals.defender, ANALYST_NAME)
    expect(analyst).to_have_url(portals.defender + f"/alerts/{alert.pk}")
    expect(analyst.get_by_role("heading", name=alert.title, level=1)).to_be_visible()

    # The Security Center's queue is the Defender queue of Endpoint's alerts.
    analyst.goto(portals.endpoint + "/alerts")
    expect(analyst).to_have_url(portals.defender + "/alerts?service_source=endpoint")
    expect(analyst.get_by_role("heading", name="Alerts", level=1)).to_be_visible()


# ------------------------------------------------------------------ c. two separate switches
FORMER_SITES = {
    # workload: (its former portal's Portals field, a page there, that page's heading)
    "identity": ("legacy", "/timeline", "Security alerts timeline"),
    "endpoint": ("endpoint", "/alerts", "Alerts queue"),
}


@pytest.mark.parametrize(
    ("turned_on", "other"),
    [("identity", "endpoint"), ("endpoint", "identity")],
    ids=["identity-on-endpoint-stays", "endpoint-on-identity-stays"],
)
def test_one_workloads_switch_leaves_the_other_alone(new_context, portals, demo, turned_on, other):
    admin = open_switch_page(new_context().new_page(), portals, turned_on)
    admin_turns_on(admin)
    assert enabled(demo["contoso"], turned_on) is True

    # The other former portal still serves a fresh sign-in...
    site, other_path, other_heading = FORMER_SITES[other]
    other_origin = getattr(portals, site)
    analyst = sign_in_fresh(new_context, other_origin, other_path)
    expect(analyst).to_have_url(other_origin + other_path)
    expect(analyst.get_by_role("heading", name=other_heading, level=1)).to_be_visible()
    # ...while the one switched routes the same account's sign-in there (single sign-on).
    site, turned_path, _ = FORMER_SITES[turned_on]
    analyst.goto(getattr(portals, site) + turned_path)
    expect(analyst).to_have_url(re.compile(re.escape(portals.defender) + r"/alerts(\?|$)"))

    # ...and its switch still reads Off on its own page.
    admin.goto(portals.defender + PAGE_PATHS[other])
    expect_switch(admin, on=False)
    assert enabled(demo["contoso"], other) is False


# ------------------------------------------------------------------ d. Disable & share feedback
def test_disable_and_share_feedback_stores_it_and_stops_routing_at_once(new_context, portals, demo):
    set_portal_redirection(demo["contoso"], True, source=ChangeSource.CLI, workload="endpoint")
    # While it is On, a fresh Security Center sign-in is routed...
    routed = sign_in_fresh(new_context, portals.endpoint, "/alerts")
    expect(routed).to_have_url(portals.defender + "/alerts?service_source=endpoint")

    admin = open_switch_page(new_context().new_page(), portals, "endpoint")
    expect_switch(admin, on=True)

    message = "Our device playbooks still open the Security Center's machine pages."
    the_switch(admin).click()
    dialog = admin.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Enable")).to_have_count(0)
    dialog.get_by_role("textbox").fill(message)
    dialog.get_by_role("button", name="Disable & share feedback").click()
    expect(dialog).to_be_hidden()
    expect_switch(admin, on=False)

    assert enabled(demo["contoso"], "endpoint") is False
    feedback = Feedback.objects.get()
    assert (feedback.workload, feedback.message, feedback.user.email) == (
        "endpoint",
        message,
        ADMIN,
    )

    # ...and right after the Off, a fresh one stays there.
    analyst = sign_in_fresh(new_context, portals.endpoint, "/alerts")
    expect(analyst).to_have_url(portals.endpoint + "/alerts")
    expect(analyst.get_by_role("heading", name="Alerts queue", level=1)).to_be_visible()
    analyst.reload()
    expect(analyst).to_have_url(portals.endpoint + "/alerts")
