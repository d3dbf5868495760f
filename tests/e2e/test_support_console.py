"""The support console turns a tenant's switch only once support has confirmed it, with a reason."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_in_to_support_console

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def choose_action(page, label: str, tenant: str) -> None:
    page.get_by_role("row", name=tenant).get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action").select_option(label=label)
    page.get_by_role("button", name="Go").click()


def test_turning_a_switch_asks_which_one_and_why_and_the_audit_keeps_the_reason(
    page, portals, demo
):
    from playwright.sync_api import expect

    from settings_ui.models import RedirectionChange

    sign_in_to_support_console(page, portals)
    page.goto(portals.defender + "/admin/accounts/tenant/")
    choose_action(page, "Turn automatic redirection on…", "Contoso")

    # A page of its own: what it touches, which switch, and why; nothing has changed yet.
    expect(page.get_by_role("heading", name="Turn automatic redirection On?")).to_be_visible()
    expect(page.get_by_text("Contoso (contoso.example)")).to_be_visible()
    endpoint = page.get_by_role("radio", name="Endpoints (Microsoft Defender Security Center)")
    expect(page.get_by_text("sessions open on that portal now").first).to_be_visible()
    assert not RedirectionChange.objects.exists()

    endpoint.check()
    page.get_by_role("button", name="Enable").click()  # no reason: the browser asks for one
    assert not RedirectionChange.objects.exists()

    page.get_by_label("Reason").fill("Ticket 4711: Contoso asked to move Endpoint first")
    page.get_by_role("button", name="Enable").click()
    expect(
        page.get_by_text("Automatic redirection (Endpoints) is now On for Contoso.")
    ).to_be_visible()

    change = RedirectionChange.objects.get()
    assert (change.workload, change.new_value, change.source) == ("endpoint", True, "admin")
    assert change.reason == "Ticket 4711: Contoso asked to move Endpoint first"
    page.goto(portals.defender + "/admin/settings_ui/redirectionchange/")
    expect(page.get_by_text("Ticket 4711: Contoso asked to move Endpoint first")).to_be_visible()
