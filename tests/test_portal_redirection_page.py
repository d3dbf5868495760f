"""The Portal redirection page: who sees what, the no-script form flow, feedback and messages."""

from __future__ import annotations

import re
from datetime import timedelta
from http import HTTPStatus
from uuid import uuid4

import pytest
from django.test import Client

from accounts.models import DirectoryRole
from settings_ui.models import ChangeSource, Feedback, PortalRedirection, RedirectionChange
from settings_ui.services import set_portal_redirection
from tests.conftest import DEFENDER_HOST, sign_in
from tests.factories import RoleAssignmentFactory, SignInSessionFactory, UserFactory
from web.templating import iso_utc

pytestmark = pytest.mark.django_db

PAGE = "/preferences2/portal_redirection"

# Every kind of account the page must tell apart; only the first two may change the switch.
CHANGERS = ("global_administrator", "security_administrator")
VIEWERS = (*CHANGERS, "security_operator", "security_reader", "global_reader")
OUTSIDERS = ("no_role", "admin_of_another_tenant", "staff_without_tenant")
ACCOUNT_KINDS = (*VIEWERS, *OUTSIDERS)


def make_account(kind: str, contoso, fabrikam):
    """An account of the given kind; its home tenant is Contoso unless it has none."""
    if kind == "staff_without_tenant":
        return UserFactory(email="support@defender.example", tenant=None, is_staff=True)
    if kind == "admin_of_another_tenant":
        user = UserFactory(email="guest@contoso.example", tenant=contoso)
        RoleAssignmentFactory(user=user, tenant=fabrikam, role=DirectoryRole.GLOBAL_ADMINISTRATOR)
        return user
    roles = [] if kind == "no_role" else [DirectoryRole(kind)]
    return UserFactory(email=f"{kind}@contoso.example", tenant=contoso, roles=roles)


def switch_tag(page: str) -> str:
    match = re.search(r'<button[^>]*role="switch"[^>]*>', page)
    assert match, "the page has no switch"
    return match.group(0)


def stored_state(tenant) -> tuple[bool, int]:
    row = PortalRedirection.objects.filter(tenant=tenant).first()
    return (bool(row and row.enabled), RedirectionChange.objects.filter(tenant=tenant).count())


@pytest.fixture
def signed_in(defender_client, contoso, fabrikam):
    def sign_in_as(kind: str):
        user = make_account(kind, contoso, fabrikam)
        sign_in(defender_client, user)
        return user

    return sign_in_as


# ------------------------------------------------------------------ who sees what
@pytest.mark.parametrize("kind", ACCOUNT_KINDS)
def test_page_for_every_kind_of_account(kind, signed_in, defender_client):
    signed_in(kind)
    response = defender_client.get(PAGE)
    page = response.content.decode()
    if kind in OUTSIDERS:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert "You don't have access to this page" in page
        assert 'role="switch"' not in page
        return
    assert response.status_code == HTTPStatus.OK
    switch = switch_tag(page)
    assert 'aria-checked="false"' in switch
    assert ">Automatic redirection</span>" in page
    if kind in CHANGERS:
        assert "disabled" not in switch
        assert "<dialog" in page
    else:
        assert "disabled" in switch
        assert 'aria-describedby="redirection-readonly"' in switch
        assert 'id="redirection-readonly"' in page
        assert "Only a Global Administrator or a Security Administrator of Contoso" in page
        assert "<dialog" not in page


def test_anonymous_is_sent_to_sign_in(defender_client):
    response = defender_client.get(PAGE)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/signin")


def test_page_content_navigation_and_feedback_link(signed_in, defender_client):
    signed_in("global_administrator")
    page = defender_client.get(PAGE).content.decode()
    assert "<h1>Portal redirection</h1>" in page
    breadcrumb = page[
        page.index('class="breadcrumb"') : page.index("</nav>", page.index("breadcrumb"))
    ]
    for step in ("Settings", "Identities", "General"):
        assert f">{step}</a>" in breadcrumb
    assert '<li aria-current="page">Portal redirection</li>' in breadcrumb
    assert 'href="/settings" title="Settings" aria-current="page"' in page
    assert "Active sessions are not ended." in page
    assert "after their next sign-in" in page
    feedback = '<a href="/feedback?from=%2Fpreferences2%2Fportal_redirection">Give feedback</a>'
    assert feedback in page
    assert 'id="redirection-state"' in page and ">Off</span>" in page


def test_page_has_no_inline_script_or_style(signed_in, defender_client):
    signed_in("global_administrator")
    page = defender_client.get(PAGE).content.decode()
    assert "<style" not in page
    assert ' style="' not in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag
    assert "js/portal-redirection.js" in page
    assert "css/settings.css" in page


def test_page_shows_last_change_and_recent_history(signed_in, defender_client, contoso):
    admin = signed_in("global_administrator")
    secadmin = UserFactory(
        email="secadmin@contoso.example",
        tenant=contoso,
        roles=[DirectoryRole.SECURITY_ADMINISTRATOR],
    )
    set_portal_redirection(contoso, True, actor=admin, source=ChangeSource.WEB)
    set_portal_redirection(contoso, False, actor=secadmin, source=ChangeSource.API)
    set_portal_redirection(contoso, True, source=ChangeSource.CLI)
    page = defender_client.get(PAGE).content.decode().replace("<wbr>", "")  # emails' breaks
    assert 'aria-checked="true"' in switch_tag(page)
    last = page[page.index('class="last-change"') :]
    assert "Turned On" in last[:300] and "by no named account" in last[:300]
    history = page[page.index('class="history"') :]
    assert history.count("<tr>") == 4  # header and three changes, newest first
    assert history.index("Command line") < history.index("secadmin@contoso.example")
    assert history.index("secadmin@contoso.example") < history.index("admin@contoso.example")


def test_reading_the_page_writes_nothing(signed_in, defender_client, contoso):
    signed_in("security_reader")
    defender_client.get(PAGE)
    assert not PortalRedirection.objects.filter(tenant=contoso).exists()


def test_rollout_is_shown_while_on(signed_in, defender_client, contoso):
    admin = signed_in("global_administrator")
    SignInSessionFactory(
        user=UserFactory(tenant=contoso), session_ref=uuid4().hex
    )  # legacy, open before On
    set_portal_redirection(contoso, True, actor=admin, source=ChangeSource.WEB)
    SignInSessionFactory(
        user=UserFactory(tenant=contoso), session_ref=uuid4().hex
    )  # legacy, after On: routed
    page = defender_client.get(PAGE).content.decode()
    assert '<dd class="stat-value" data-stat="routed">1</dd>' in page
    assert 'data-stat="routed-pilot"' not in page  # the scope is everyone
    assert '<dd class="stat-value" data-stat="kept">1</dd>' in page
    assert "Signed in to the former portal before redirection reached them" in page


# ------------------------------------------------------------------ changing it (no script)
@pytest.mark.parametrize("kind", ACCOUNT_KINDS)
def test_form_post_for_every_kind_of_account(kind, signed_in, defender_client, contoso):
    signed_in(kind)
    response = defender_client.post(PAGE, {"enabled": "on"})
    if kind in CHANGERS:
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == PAGE
        assert stored_state(contoso) == (True, 1)
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert stored_state(contoso) == (False, 0)


@pytest.mark.parametrize("kind", ACCOUNT_KINDS)
def test_confirm_step_for_every_kind_of_account(kind, signed_in, defender_client):
    signed_in(kind)
    response = defender_client.get(PAGE, {"turn": "on"})
    if kind in CHANGERS:
        assert response.status_code == HTTPStatus.OK
        page = response.content.decode()
        assert "Turn on automatic redirection?" in page
        assert '<button type="submit" class="button primary">Enable</button>' in page
        assert f'<a class="button" href="{PAGE}">Cancel</a>' in page
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN


def test_turning_on_without_script(signed_in, defender_client, contoso):
    admin = signed_in("global_administrator")
    page = defender_client.get(PAGE).content.decode()
    assert '<input type="hidden" name="turn" value="on">' in page
    response = defender_client.post(PAGE, {"enabled": "on"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(PAGE, HTTPStatus.FOUND)]
    assert "Automatic redirection is On." in page
    assert 'aria-checked="true"' in switch_tag(page)
    change = RedirectionChange.objects.get(tenant=contoso)
    assert (change.actor, change.source, change.old_value, change.new_value) == (
        admin,
        ChangeSource.WEB,
        False,
        True,
    )
    assert change.ip_address == "127.0.0.1"


def test_turning_off_offers_disable_and_stores_feedback(signed_in, defender_client, contoso):
    admin = signed_in("security_administrator")
    set_portal_redirection(contoso, True, actor=admin, source=ChangeSource.WEB)
    confirm = defender_client.get(PAGE, {"turn": "off"}).content.decode()
    assert '<button type="submit" class="button primary">Disable</button>' in confirm
    assert 'name="feedback"' in confirm
    response = defender_client.post(
        PAGE,
        {"enabled": "off", "feedback": "  The alert queue is missing a filter.  "},
        follow=True,
    )
    assert "Automatic redirection is Off." in response.content.decode()
    assert stored_state(contoso) == (False, 2)
    feedback = Feedback.objects.get()
    assert (
        feedback.category,
        feedback.portal,
        feedback.tenant,
        feedback.user,
        feedback.from_path,
        feedback.message,
    ) == ("redirection", "defender", contoso, admin, PAGE, "The alert queue is missing a filter.")


def test_turning_off_without_feedback_stores_none(signed_in, defender_client, contoso):
    admin = signed_in("global_administrator")
    set_portal_redirection(contoso, True, actor=admin, source=ChangeSource.WEB)
    defender_client.post(PAGE, {"enabled": "off", "feedback": ""})
    assert stored_state(contoso) == (False, 2)
    assert not Feedback.objects.exists()


def test_repeat_on_says_nothing_changed(signed_in, defender_client, contoso):
    signed_in("global_administrator")
    defender_client.post(PAGE, {"enabled": "on"})
    enabled_at = PortalRedirection.objects.get(tenant=contoso).enabled_at
    response = defender_client.post(PAGE, {"enabled": "on"}, follow=True)
    assert "Automatic redirection was already On. Nothing changed." in response.content.decode()
    assert stored_state(contoso) == (True, 1)
    assert PortalRedirection.objects.get(tenant=contoso).enabled_at == enabled_at


@pytest.mark.parametrize("data", [{}, {"enabled": "maybe"}, {"enabled": "true"}])
def test_bad_choice_is_refused(data, signed_in, defender_client, contoso):
    signed_in("global_administrator")
    response = defender_client.post(PAGE, data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Choose On or Off." in response.content.decode()
    assert stored_state(contoso) == (False, 0)


def test_too_long_feedback_is_refused_and_kept(signed_in, defender_client, contoso):
    admin = signed_in("global_administrator")
    set_portal_redirection(contoso, True, actor=admin, source=ChangeSource.WEB)
    text = "slow " * 401  # 2005 characters
    response = defender_client.post(PAGE, {"enabled": "off", "feedback": text})
    page = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Ensure this value has at most 2000 characters" in page
    assert text.strip() in page
    assert 'aria-invalid="true"' in page
    assert stored_state(contoso) == (True, 1)
    assert not Feedback.objects.exists()


def test_form_post_without_csrf_token_is_refused(contoso, fabrikam):
    client = Client(enforce_csrf_checks=True, HTTP_HOST=DEFENDER_HOST)
    sign_in(client, make_account("global_administrator", contoso, fabrikam))
    assert client.post(PAGE, {"enabled": "on"}).status_code == HTTPStatus.FORBIDDEN
    assert stored_state(contoso) == (False, 0)

    page = client.get(PAGE).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(PAGE, {"enabled": "on", "csrfmiddlewaretoken": token})
    assert response.status_code == HTTPStatus.FOUND
    assert stored_state(contoso) == (True, 1)


def test_the_pages_script_is_told_a_refused_token_means_the_page_expired(contoso, fabrikam):
    client = Client(enforce_csrf_checks=True, HTTP_HOST=DEFENDER_HOST)
    sign_in(client, make_account("global_administrator", contoso, fabrikam))
    client.get(PAGE)
    response = client.post(
        PAGE, {"enabled": "on", "csrfmiddlewaretoken": "x" * 64}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["expired"] is True
    assert response.json()["error"].startswith("This form has expired.")
    assert stored_state(contoso) == (False, 0)


def test_propagation_window_is_explained(signed_in, defender_client, contoso, settings):
    settings.REDIRECTION_PROPAGATION_SECONDS = 5400
    admin = signed_in("global_administrator")
    page = defender_client.get(PAGE).content.decode()
    assert "every account within 1\xa0hour, 30\xa0minutes." in page
    set_portal_redirection(contoso, True, actor=admin, source=ChangeSource.WEB)
    page = defender_client.get(PAGE).content.decode()
    enabled_at = PortalRedirection.objects.get(tenant=contoso).enabled_at
    every_account_by = iso_utc(enabled_at + timedelta(seconds=5400))
    assert "every account is routed from" in page
    assert f'<time datetime="{every_account_by}"' in page


# ------------------------------------------------------------------ changing it (page script)
def script_post(client: Client, data: dict):
    """What the page's script sends: the confirm form itself, asking for JSON."""
    return client.post(PAGE, data, headers={"Accept": "application/json"})


def test_the_pages_script_changes_it_as_the_settings_page(signed_in, defender_client, contoso):
    admin = signed_in("security_administrator")
    response = script_post(defender_client, {"enabled": "on"})
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"enabled": True, "message": "Automatic redirection is On."}
    change = RedirectionChange.objects.get(tenant=contoso)
    assert (change.actor, change.source) == (admin, ChangeSource.WEB)
    page = defender_client.get(PAGE).content.decode()
    assert "Automatic redirection is On." not in page.split("redirection-announcement")[0], (
        "no message left behind for the next page load"
    )


@pytest.mark.parametrize("kind", ["security_reader", "security_operator"])
def test_the_pages_script_is_refused_in_json_without_a_changing_role(
    kind, signed_in, defender_client, contoso
):
    signed_in(kind)
    response = script_post(defender_client, {"enabled": "on"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Global Administrator" in response.json()["error"]
    assert stored_state(contoso) == (False, 0)


def test_the_pages_script_gets_a_json_400_for_a_bad_choice(signed_in, defender_client, contoso):
    signed_in("global_administrator")
    response = script_post(defender_client, {"enabled": "maybe"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"error": "Choose On or Off."}
    assert stored_state(contoso) == (False, 0)


def test_a_role_taken_away_after_sign_in_changes_nothing(signed_in, defender_client, contoso):
    admin = signed_in("global_administrator")
    admin.role_assignments.all().delete()
    response = defender_client.post(PAGE, {"enabled": "on"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Only a Global Administrator or a Security Administrator" in response.content.decode()
    assert not RedirectionChange.objects.exists()
    api = defender_client.patch(
        "/api/v1/portal-redirection", {"enabled": True}, content_type="application/json"
    )
    assert api.status_code == HTTPStatus.FORBIDDEN
    assert not PortalRedirection.objects.filter(enabled=True).exists()
