"""The support console: who may open it, and what the Support group may and may not do."""

import uuid
from datetime import timedelta
from http import HTTPStatus
from importlib import import_module

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import DirectoryRole, Session, SignInSession, Tenant, User
from settings_ui.models import ChangeSource, Feedback, PortalRedirection, RedirectionChange
from settings_ui.services import set_portal_redirection
from settings_ui.state import get_state
from settings_ui.support import SUPPORT_GROUP, SUPPORT_PERMISSIONS, ensure_support_group
from tests.conftest import DEFENDER_HOST, sign_in
from tests.factories import SignInSessionFactory, TenantFactory, UserFactory
from web.admin_paging import CappedCountPaginator

pytestmark = pytest.mark.django_db

SESSIONS = "/admin/accounts/signinsession/"
TENANTS = "/admin/accounts/tenant/"
USERS = "/admin/accounts/user/"
CHANGES = "/admin/settings_ui/redirectionchange/"
FEEDBACK = "/admin/settings_ui/feedback/"


CONFIRMED = {"confirm": "End sessions", "reason": "Ticket 4711"}


def end_sessions(*rows: SignInSession, **form) -> dict:
    """The list's action on ``rows``, confirmed with a reason unless ``form`` says otherwise."""
    return {
        "action": "end_sessions",
        "_selected_action": [row.pk for row in rows],
        **CONFIRMED,
        **form,
    }


def session_row(**fields) -> SignInSession:
    return SignInSessionFactory(session_ref=uuid.uuid4().hex, **fields)


@pytest.fixture
def support(db):
    group, _ = ensure_support_group()
    user = UserFactory(email="support@defender.example", tenant=None, is_staff=True)
    user.groups.add(group)
    return user


@pytest.fixture
def support_client(defender_client, support):
    sign_in(defender_client, support)
    return defender_client


@pytest.fixture
def superuser_client(db):
    client = Client(HTTP_HOST=DEFENDER_HOST)
    sign_in(client, UserFactory(tenant=None, is_staff=True, is_superuser=True))
    return client


def test_anonymous_visitors_get_the_console_sign_in(defender_client):
    response = defender_client.get("/admin/")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith("/admin/login/")


@pytest.mark.parametrize("account", ["contoso_analyst", "contoso_admin"])
def test_tenant_accounts_cannot_open_the_console(request, defender_client, account):
    sign_in(defender_client, request.getfixturevalue(account))
    for url in ("/admin/", SESSIONS, TENANTS):
        response = defender_client.get(url)
        assert response.status_code == HTTPStatus.FOUND
        assert response.url.startswith("/admin/login/")


def test_the_console_is_not_on_the_legacy_portal(legacy_client, support):
    sign_in(legacy_client, support)
    assert legacy_client.get("/admin/").status_code == HTTPStatus.NOT_FOUND


# ------------------------------------------------------------------ the Support group
def granted(group: Group) -> set[tuple[str, str]]:
    return {
        (p.content_type.app_label, p.codename)
        for p in group.permissions.select_related("content_type")
        # Every view permission of the throttle's records comes on top of the list.
        if p.content_type.app_label != "axes" or not p.codename.startswith("view_")
    }


def test_migrate_alone_gives_support_its_group():
    """The test database is built by `migrate` only: no seed_demo has run."""
    assert granted(Group.objects.get(name=SUPPORT_GROUP)) == set(SUPPORT_PERMISSIONS)


def test_the_migrations_grant_what_the_group_is_meant_to_have():
    """A change of SUPPORT_PERMISSIONS needs a migration of its own: this says so."""
    granted_by = ("0005_support_group", "0008_support_siem_integrations")
    migrations = [import_module(f"settings_ui.migrations.{name}") for name in granted_by]
    assert {p for migration in migrations for p in migration.PERMISSIONS} == set(
        SUPPORT_PERMISSIONS
    )


def test_seed_demo_puts_a_lost_or_altered_group_back(settings):
    settings.DEBUG = True
    Group.objects.filter(name=SUPPORT_GROUP).delete()
    call_command("seed_demo", password="demo-password-1")
    group = Group.objects.get(name=SUPPORT_GROUP)
    group.permissions.add(Permission.objects.get(codename="delete_user"))
    call_command("seed_demo", password="demo-password-1")
    assert granted(group) == set(SUPPORT_PERMISSIONS)


def test_seed_demo_puts_support_in_a_group_with_exactly_its_permissions(settings):
    settings.DEBUG = True
    call_command("seed_demo", password="demo-password-1")
    call_command("seed_demo", password="demo-password-1")

    support = User.objects.get(email="support@defender.example")
    assert list(support.groups.values_list("name", flat=True)) == [SUPPORT_GROUP]
    assert granted(support.groups.get()) == set(SUPPORT_PERMISSIONS)
    assert not User.objects.get(email="analyst@contoso.example").groups.exists()


def test_the_group_is_corrected_back_to_its_permissions(support):
    group = support.groups.get()
    group.permissions.add(Permission.objects.get(codename="delete_user"))
    group.permissions.remove(Permission.objects.get(codename="change_feedback"))
    _, changed = ensure_support_group()
    assert changed
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert "delete_user" not in codenames
    assert "change_feedback" in codenames
    assert ensure_support_group()[1] is False


def test_support_also_sees_sign_in_lockouts_when_that_app_has_models(support):
    lockouts, _ = ContentType.objects.get_or_create(app_label="axes", model="accessattempt")
    view, _ = Permission.objects.get_or_create(
        content_type=lockouts, codename="view_accessattempt", defaults={"name": "Can view"}
    )
    delete, _ = Permission.objects.get_or_create(
        content_type=lockouts, codename="delete_accessattempt", defaults={"name": "Can delete"}
    )
    group, _ = ensure_support_group()
    assert group.permissions.filter(pk=view.pk).exists()
    assert not group.permissions.filter(pk=delete.pk).exists()


# ------------------------------------------------------------------ sign-in sessions
def test_support_ends_a_legacy_session_and_that_browser_is_signed_out(
    support_client, legacy_client, contoso_analyst, support
):
    sign_in(legacy_client, contoso_analyst)
    assert legacy_client.get("/timeline").status_code == HTTPStatus.OK
    row = SignInSession.objects.get(user=contoso_analyst, portal="legacy")
    listing = support_client.get(SESSIONS, {"portal__exact": "legacy"})
    page = listing.content.decode()
    assert "analyst@contoso.example" in page
    assert "End selected sessions" in page
    assert legacy_client.cookies["sessionid"].value not in page  # the key is a bearer secret
    assert row.session_ref not in page

    response = support_client.post(SESSIONS, end_sessions(row), follow=True)

    assert "Ended 1 session" in response.content.decode()
    row.refresh_from_db()
    assert row.end_reason == SignInSession.EndReason.ENDED_BY_SUPPORT
    assert row.ended_at is not None
    # The directory session ended with it: the browser is not signed straight back in.
    assert not SignInSession.objects.active().filter(user=contoso_analyst).exists()
    next_request = legacy_client.get("/timeline")
    assert next_request.status_code == HTTPStatus.FOUND
    assert next_request.url.startswith("/signin")
    entry = LogEntry.objects.get(object_id=str(row.pk))
    assert entry.user == support
    assert "Ticket 4711" in entry.get_change_message()


def test_an_ended_session_is_left_as_it_was(support_client, contoso_analyst):
    ended_at = timezone.now() - timedelta(hours=1)
    row = session_row(
        user=contoso_analyst, ended_at=ended_at, end_reason=SignInSession.EndReason.SIGNED_OUT
    )
    response = support_client.post(SESSIONS, end_sessions(row), follow=True)
    assert "1 session had already ended" in response.content.decode()
    row.refresh_from_db()
    assert (row.ended_at, row.end_reason) == (ended_at, SignInSession.EndReason.SIGNED_OUT)


def test_ending_sessions_asks_first_and_ends_nothing_until_confirmed(
    support_client, legacy_client, contoso_analyst
):
    sign_in(legacy_client, contoso_analyst)
    # The legacy portal's session and the directory session it came from: one sign-in.
    rows = [SignInSession.objects.get(user=contoso_analyst, portal="legacy")]

    page = support_client.post(
        SESSIONS, {"action": "end_sessions", "_selected_action": [rows[0].pk]}
    )

    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert "End these sessions?" in text
    assert str(rows[0]) in text
    assert "Touches 1 account" in text
    assert "1 browser, 2 open sessions" in " ".join(text.split())
    assert 'name="reason"' in text
    assert f'name="_selected_action" value="{rows[0].pk}"' in text
    assert SignInSession.objects.active().filter(user=contoso_analyst).count() == 2
    assert legacy_client.get("/timeline").status_code == HTTPStatus.OK
    assert not LogEntry.objects.exists()


def test_ending_sessions_without_a_reason_says_so_and_ends_nothing(
    support_client, legacy_client, contoso_analyst
):
    sign_in(legacy_client, contoso_analyst)
    row = SignInSession.objects.get(user=contoso_analyst, portal="legacy")

    page = support_client.post(SESSIONS, end_sessions(row, reason="  "))

    assert page.status_code == HTTPStatus.BAD_REQUEST
    assert "Say why: the reason is recorded with the end." in page.content.decode()
    row.refresh_from_db()
    assert row.is_active
    assert legacy_client.get("/timeline").status_code == HTTPStatus.OK


def test_confirming_ends_that_sign_in_and_deletes_its_sessions(
    support_client, legacy_client, contoso_analyst
):
    sign_in(legacy_client, contoso_analyst)
    key = legacy_client.cookies["sessionid"].value
    row = SignInSession.objects.get(user=contoso_analyst, portal="legacy")

    response = support_client.post(SESSIONS, end_sessions(row))

    assert response.status_code == HTTPStatus.FOUND
    assert not Session.objects.filter(session_key=key).exists()
    assert not Session.objects.filter(account=contoso_analyst).exists()
    row.refresh_from_db()
    assert row.end_reason == SignInSession.EndReason.ENDED_BY_SUPPORT


# ------------------------------------------------------------------ an account's sessions
def end_account_page(user: User) -> str:
    return f"{USERS}{user.pk}/end-sessions/"


def test_an_accounts_page_offers_to_end_its_sessions(support_client, contoso_analyst):
    page = support_client.get(f"{USERS}{contoso_analyst.pk}/change/").content.decode()
    assert "End all sessions of this account" in page
    assert end_account_page(contoso_analyst) in page


def test_ending_an_accounts_sessions_asks_first_then_ends_them_all(
    support_client, support, contoso_analyst
):
    browsers = [Client(HTTP_HOST=DEFENDER_HOST) for _ in range(2)]
    for browser in browsers:
        sign_in(browser, contoso_analyst)
    sessions = Session.objects.filter(account=contoso_analyst)
    assert sessions.count() == 4  # in each browser, the directory's and the portal's

    page = support_client.get(end_account_page(contoso_analyst))
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert "End all sessions of analyst@contoso.example?" in text
    assert "Touches 1 account" in text
    assert "2 browsers, 4 open sessions" in " ".join(text.split())
    refused = support_client.post(end_account_page(contoso_analyst), {"confirm": "End sessions"})
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert sessions.count() == 4

    response = support_client.post(end_account_page(contoso_analyst), CONFIRMED, follow=True)

    assert response.redirect_chain[-1][0] == f"{USERS}{contoso_analyst.pk}/change/"
    assert "signed out everywhere" in response.content.decode()
    assert not Session.objects.filter(account=contoso_analyst).exists()
    assert not SignInSession.objects.active().filter(user=contoso_analyst).exists()
    for browser in browsers:
        assert browser.get("/alerts").status_code == HTTPStatus.FOUND
    entry = LogEntry.objects.get(object_id=str(contoso_analyst.pk))
    assert (entry.user, "Ticket 4711" in entry.get_change_message()) == (support, True)


def test_ending_needs_the_support_groups_permission(defender_client, contoso_analyst):
    sign_in(defender_client, UserFactory(tenant=None, is_staff=True))  # staff, no group
    browser = Client(HTTP_HOST=DEFENDER_HOST)
    sign_in(browser, contoso_analyst)

    for method in ("get", "post"):
        answer = getattr(defender_client, method)(end_account_page(contoso_analyst), CONFIRMED)
        assert answer.status_code == HTTPStatus.FORBIDDEN
    assert Session.objects.filter(account=contoso_analyst).exists()


def test_a_superuser_ends_an_accounts_sessions(superuser_client, contoso_analyst):
    sign_in(Client(HTTP_HOST=DEFENDER_HOST), contoso_analyst)
    page = superuser_client.get(f"{USERS}{contoso_analyst.pk}/change/").content.decode()
    assert "End all sessions of this account" in page
    response = superuser_client.post(end_account_page(contoso_analyst), CONFIRMED)
    assert response.status_code == HTTPStatus.FOUND
    assert not Session.objects.filter(account=contoso_analyst).exists()


def test_sessions_filter_by_state_and_show_whether_they_are_routed(
    support_client, contoso, contoso_admin, contoso_analyst
):
    before = session_row(user=contoso_analyst, portal="legacy")
    set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    after = session_row(user=contoso_admin, portal="legacy")
    session_row(
        user=contoso_analyst,
        ended_at=timezone.now(),
        end_reason=SignInSession.EndReason.EXPIRED,
        user_agent="ended-one",
    )

    active = support_client.get(SESSIONS, {"active": "yes", "portal__exact": "legacy"})
    rows = active.context["cl"].result_list
    assert {row.pk for row in rows} == {before.pk, after.pk}
    page = active.content.decode()
    assert "Keeps the former portal" in page
    assert "Routed" in page
    routed = {row.pk: row.routed for row in rows}
    assert routed == {before.pk: False, after.pk: True}

    ended = support_client.get(SESSIONS, {"active": "no"})
    assert [row.user_agent for row in ended.context["cl"].result_list] == ["ended-one"]
    assert '<td class="field-state">Expired</td>' in ended.content.decode()


@pytest.mark.parametrize("who", ["support_client", "superuser_client"])
def test_sessions_cannot_be_added_edited_or_deleted(request, who):
    client = request.getfixturevalue(who)
    row = session_row()
    assert client.get(f"{SESSIONS}add/").status_code == HTTPStatus.FORBIDDEN
    assert client.get(f"{SESSIONS}{row.pk}/delete/").status_code == HTTPStatus.FORBIDDEN
    assert client.get(f"{SESSIONS}{row.pk}/change/").status_code == HTTPStatus.OK  # to read
    before = SignInSession.objects.values().get(pk=row.pk)
    response = client.post(f"{SESSIONS}{row.pk}/change/", {"portal": "defender", "end_reason": "x"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert SignInSession.objects.values().get(pk=row.pk) == before


# ------------------------------------------------------------------ accounts
def test_support_views_accounts_but_cannot_change_them_or_their_passwords(
    support_client, contoso_admin
):
    page = support_client.get(f"{USERS}{contoso_admin.pk}/change/")
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert "admin@contoso.example" in text
    assert "Global Administrator" in text  # the role assignments inline
    assert contoso_admin.password not in text  # never the hash
    password_url = f"{USERS}{contoso_admin.pk}/password/"
    assert support_client.get(password_url).status_code == HTTPStatus.FORBIDDEN
    response = support_client.post(
        password_url, {"password1": "a-new-password-9", "password2": "a-new-password-9"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    response = support_client.post(
        f"{USERS}{contoso_admin.pk}/change/", {"email": "taken@evil.example"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    contoso_admin.refresh_from_db()
    assert contoso_admin.email == "admin@contoso.example"
    assert contoso_admin.check_password("correct-horse-battery")
    assert support_client.get(f"{USERS}add/").status_code == HTTPStatus.FORBIDDEN


def test_accounts_list_shows_roles_and_filters_by_tenant_and_role(
    support_client, contoso, fabrikam_admin, contoso_analyst
):
    reader = UserFactory(
        email="reader@contoso.example", tenant=contoso, roles=[DirectoryRole.SECURITY_READER]
    )
    listing = support_client.get(USERS, {"q": "contoso"})
    assert "Security Reader" in listing.content.decode()

    by_tenant = support_client.get(USERS, {"tenant": "Contoso.example "})
    assert set(by_tenant.context["cl"].result_list) == {reader, contoso_analyst}
    by_role = support_client.get(USERS, {"role_assignments__role__exact": "security_reader"})
    assert list(by_role.context["cl"].result_list) == [reader]


# ------------------------------------------------------------------ tenants and redirection
def test_support_turns_redirection_on_only_through_the_audited_action(
    support_client, support, contoso, fabrikam, django_capture_on_commit_callbacks
):
    change_page = f"{TENANTS}{contoso.pk}/change/"
    response = support_client.post(change_page, {"name": "Renamed", "domain": contoso.domain})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert support_client.get("/admin/settings_ui/portalredirection/").status_code == (
        HTTPStatus.NOT_FOUND
    )
    assert not PortalRedirection.objects.filter(enabled=True).exists()
    assert get_state(contoso.pk).enabled is False  # now cached as Off

    listing = support_client.get(TENANTS, {"q": "contoso.example"})
    assert list(listing.context["cl"].result_list) == [contoso]
    assert "Turn automatic redirection on" in listing.content.decode()

    chosen = {"action": "turn_redirection_on", "_selected_action": [contoso.pk]}
    asked = support_client.post(TENANTS, chosen)
    assert asked.status_code == HTTPStatus.OK  # a page that asks first, changing nothing
    assert not RedirectionChange.objects.exists()
    page = asked.content.decode()
    assert "Contoso (contoso.example)" in page and "Fabrikam" not in page
    assert 'name="reason"' in page and 'name="workload"' in page

    unexplained = support_client.post(
        TENANTS, {**chosen, "confirm": "Enable", "workload": "identity"}
    )
    assert unexplained.status_code == HTTPStatus.BAD_REQUEST
    assert "Say why" in unexplained.content.decode()
    assert not RedirectionChange.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = support_client.post(
            TENANTS,
            {**chosen, "confirm": "Enable", "workload": "identity", "reason": "Ticket 4711"},
            follow=True,
            HTTP_USER_AGENT="console-browser",
        )

    assert "Automatic redirection (Identities) is now On for Contoso." in response.content.decode()
    change = RedirectionChange.objects.get()
    assert (change.tenant, change.actor, change.source) == (contoso, support, ChangeSource.ADMIN)
    assert (change.workload, change.reason) == ("identity", "Ticket 4711")
    assert (change.old_value, change.new_value) == (False, True)
    assert change.user_agent == "console-browser"
    assert get_state(contoso.pk).enabled is True  # the cache was invalidated
    assert get_state(fabrikam.pk).enabled is False

    again = support_client.post(
        TENANTS,
        {**chosen, "confirm": "Enable", "workload": "identity", "reason": "Twice"},
        follow=True,
    )
    assert "Already On (Identities), nothing changed: Contoso." in again.content.decode()
    assert RedirectionChange.objects.count() == 1


def test_staff_without_the_redirection_permission_cannot_run_the_action(defender_client, contoso):
    staff = UserFactory(tenant=None, is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_tenant"))
    sign_in(defender_client, staff)
    listing = defender_client.get(TENANTS)
    assert listing.status_code == HTTPStatus.OK
    assert "Turn automatic redirection on" not in listing.content.decode()
    defender_client.post(
        TENANTS, {"action": "turn_redirection_on", "_selected_action": [contoso.pk]}
    )
    assert not RedirectionChange.objects.exists()
    assert get_state(contoso.pk).enabled is False


def test_tenant_page_shows_state_roles_and_recent_changes(support_client, contoso, contoso_admin):
    set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    listing = support_client.get(TENANTS).content.decode()
    assert "On ·" in listing
    page = support_client.get(f"{TENANTS}{contoso.pk}/change/").content.decode()
    assert "admin@contoso.example" in page
    assert "Global Administrator" in page
    assert "Recent redirection changes" in page
    assert "Settings page" in page  # the change's source


def test_a_new_tenant_is_added_by_name_and_domain_alone(superuser_client):
    page = superuser_client.get(f"{TENANTS}add/")
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert 'name="domain"' in text
    assert "Automatic redirection" not in text, "a tenant not yet added has no switch"
    assert "Recent redirection changes" not in text
    response = superuser_client.post(
        f"{TENANTS}add/",
        {
            "name": "Northwind",
            "domain": "northwind.example",
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Tenant.objects.filter(domain="northwind.example").exists()


# ------------------------------------------------------------------ the audit
@pytest.mark.parametrize("who", ["support_client", "superuser_client"])
def test_nobody_adds_changes_or_deletes_changes(request, who, contoso, contoso_admin):
    client = request.getfixturevalue(who)
    set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    change = RedirectionChange.objects.get()
    listing = client.get(CHANGES, {"source__exact": "web", "turned": "on"})
    assert listing.status_code == HTTPStatus.OK
    assert list(listing.context["cl"].result_list) == [change]
    assert "delete_selected" not in listing.content.decode()
    assert client.get(f"{CHANGES}add/").status_code == HTTPStatus.FORBIDDEN
    assert client.get(f"{CHANGES}{change.pk}/delete/").status_code == HTTPStatus.FORBIDDEN
    client.post(f"{CHANGES}{change.pk}/delete/", {"post": "yes"})
    client.post(CHANGES, {"action": "delete_selected", "_selected_action": [change.pk]})
    client.post(f"{CHANGES}{change.pk}/change/", {"new_value": ""})
    assert RedirectionChange.objects.values_list("new_value", flat=True).get() is True


def test_changes_drill_down_by_date(support_client, contoso, contoso_admin):
    set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    today = timezone.now()
    response = support_client.get(
        CHANGES, {"changed_at__year": today.year, "changed_at__month": today.month}
    )
    assert len(response.context["cl"].result_list) == 1
    response = support_client.get(CHANGES, {"changed_at__year": today.year - 1})
    assert len(response.context["cl"].result_list) == 0


# ------------------------------------------------------------------ feedback
def test_support_triages_feedback_but_never_rewrites_it(support_client, contoso_analyst):
    feedback = Feedback.objects.create(
        user=contoso_analyst,
        tenant=contoso_analyst.tenant,
        portal="legacy",
        category=Feedback.Category.REDIRECTION,
        message="Sent to the wrong alert.",
    )
    response = support_client.post(
        f"{FEEDBACK}{feedback.pk}/change/",
        {"status": "triaged", "message": "Rewritten by support", "category": "other"},
    )
    assert response.status_code == HTTPStatus.FOUND
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.TRIAGED
    assert feedback.message == "Sent to the wrong alert."
    assert feedback.category == Feedback.Category.REDIRECTION

    support_client.post(FEEDBACK, {"action": "mark_closed", "_selected_action": [feedback.pk]})
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.CLOSED
    assert support_client.get(f"{FEEDBACK}add/").status_code == HTTPStatus.FORBIDDEN
    assert support_client.get(f"{FEEDBACK}{feedback.pk}/delete/").status_code == (
        HTTPStatus.FORBIDDEN
    )


# session + account + the group's permissions (2) + the capped count + the page + the page's
# redirection states and their pilot groups: rows' accounts, tenants, states and pilots are
# read once per page, never per row. The tenant filter is a typed-in domain, so it reads no
# tenant list.
SESSION_LIST_QUERIES = 8
SESSION_LISTS = [
    {},
    {"p": "2"},
    {"portal__exact": "legacy"},
    {"active": "yes"},
    {"active": "no", "portal__exact": "legacy"},
    {"tenant": "tenant0.example"},
    {"tenant": "tenant0.example", "portal__exact": "legacy", "active": "yes"},
    {"q": "user4@tenant1.example"},
]


def test_session_lists_cost_the_same_few_queries_however_many_rows(
    support_client, monkeypatch, django_assert_max_num_queries
):
    tenants = [TenantFactory(domain=f"tenant{n}.example") for n in range(3)]
    accounts = [UserFactory(email=f"user{n}@tenant{n % 3}.example", tenant=tenants[n % 3])
                for n in range(9)]  # fmt: skip
    set_portal_redirection(tenants[0], True, source=ChangeSource.CLI)
    for n in range(120):
        ended = timezone.now() if n % 4 == 0 else None
        session_row(user=accounts[n % 9], portal=("legacy", "defender")[n % 2], ended_at=ended)
    monkeypatch.setattr(CappedCountPaginator, "cap", 110)

    for query in SESSION_LISTS:
        with django_assert_max_num_queries(SESSION_LIST_QUERIES):
            response = support_client.get(SESSIONS, query)
        assert response.status_code == HTTPStatus.OK, query
        page = list(response.context["cl"].result_list)
        assert page, query
        for row in page:  # each active legacy row got its answer from the page's one read
            assert (row.routed is None) == (row.portal != "legacy" or not row.is_active), query

    everything = support_client.get(SESSIONS)
    assert everything.context["cl"].result_count == 111
    assert "More than 110 sign-in sessions" in everything.content.decode()


@pytest.mark.parametrize("path", [CHANGES, FEEDBACK])
def test_audit_and_feedback_filter_by_a_typed_in_domain_not_a_list_of_every_tenant(
    support_client, contoso, fabrikam, contoso_admin, fabrikam_admin, path
):
    for tenant, admin_user in ((contoso, contoso_admin), (fabrikam, fabrikam_admin)):
        set_portal_redirection(tenant, True, actor=admin_user, source=ChangeSource.WEB)
        Feedback.objects.create(
            tenant=tenant, user=admin_user, portal="defender", category="other", message="Hi"
        )
    listing = support_client.get(path)
    assert fabrikam.name not in listing.content.decode().split('id="changelist-filter"')[1]
    narrowed = support_client.get(path, {"tenant": fabrikam.domain})
    assert {row.tenant_id for row in narrowed.context["cl"].result_list} == {fabrikam.pk}


def test_the_console_says_on_and_off_for_the_switch(support_client, contoso, contoso_admin):
    set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    change = RedirectionChange.objects.get()
    listing = support_client.get(CHANGES).content.decode()
    record = support_client.get(f"{CHANGES}{change.pk}/change/").content.decode()
    for html in (listing, record):
        assert "Off → On" in html
    assert ">On</a>" in listing and ">Off</a>" in listing  # the filter's choices
    assert ">Yes</a>" not in listing and 'alt="True"' not in record
    on_only = support_client.get(CHANGES, {"turned": "on"})
    assert len(on_only.context["cl"].result_list) == 1
    assert not support_client.get(CHANGES, {"turned": "off"}).context["cl"].result_list


@pytest.mark.parametrize("path, name", [(USERS, "users"), (CHANGES, "redirection changes")])
def test_the_accounts_list_and_the_audit_count_no_further_than_their_cap(
    support_client, monkeypatch, contoso, contoso_admin, path, name
):
    for enabled in (True, False, True):
        set_portal_redirection(contoso, enabled, actor=contoso_admin, source=ChangeSource.WEB)
    UserFactory.create_batch(3, tenant=contoso)
    monkeypatch.setattr(CappedCountPaginator, "cap", 2)
    page = support_client.get(path).content.decode()
    assert f"More than 2 {name}: filter the list to see them all." in page


# ------------------------------------------------------------------ the console's own look
def test_sign_in_pauses_are_named_as_the_lockout_page_names_them(support_client):
    index = support_client.get("/admin/").content.decode()
    assert '<a href="/admin/directory/signinpause/">Sign-in pauses</a>' in index
    assert "Access attempts" not in index and ">Axes<" not in index
    page = support_client.get("/admin/directory/signinpause/")
    assert page.status_code == HTTPStatus.OK
    assert "Select sign-in pause to change" in page.content.decode()


def test_a_tenants_staged_rollout_is_a_console_form_speaking_to_support(support_client):
    tenant = TenantFactory(name="Contoso", domain="contoso.example")
    page = support_client.get(f"{TENANTS}{tenant.pk}/rollout/").content.decode()
    assert "/static/admin/css/forms.css" in page  # the admin's own form styles
    assert page.count('<fieldset class="module aligned"') == 2
    assert '<div class="form-row field-pilot_accounts">' in page
    assert "Emails of this tenant&#x27;s accounts" in page
    assert "your organization" not in page
    assert 'class="radiolist inline"' in page and 'class="vLargeTextField"' in page


def test_the_tenant_filter_sits_in_the_filter_panel_as_the_others_do(support_client):
    page = support_client.get(CHANGES).content.decode()
    assert 'class="tenant-domain-filter"' in page
    assert "/static/css/admin.css" in page
