"""When a sign-in ends it ends everywhere: the directory session and every portal session made
from it, in every browser, recorded in the database before the answer that ends it."""

from __future__ import annotations

from http import HTTPStatus
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from oauth2_provider.models import get_id_token_model

from accounts.models import DirectoryRole, SignInSession
from accounts.models import session_reference as reference
from tests.conftest import DEFENDER_HOST, IDENTITY_HOST, LEGACY_HOST, sign_in, through_directory
from tests.factories import UserFactory
from tests.test_single_sign_on import browser, walk

pytestmark = pytest.mark.django_db

Browser = dict[str, Client]


@pytest.fixture
def operator(contoso):
    return UserFactory(
        email="operator@contoso.example",
        tenant=contoso,
        roles=[DirectoryRole.SECURITY_OPERATOR],
        is_staff=False,
    )


def signed_in_everywhere(user) -> Browser:
    """A browser signed in to the Defender portal (password), then the legacy portal (SSO)."""
    clients = browser()
    sign_in(clients[DEFENDER_HOST], user)
    legacy = clients[LEGACY_HOST]
    assert through_directory(legacy, legacy.get("/signin")).status_code == HTTPStatus.FOUND
    assert legacy.get("/timeline").status_code == HTTPStatus.OK
    assert clients[DEFENDER_HOST].get("/alerts").status_code == HTTPStatus.OK
    return clients


def follow(clients: Browser, host: str, response) -> list[tuple[str, int]]:
    """Every hop a browser takes after ``response``, as (URL, status)."""
    hops = []
    for _ in range(12):
        if response.status_code != HTTPStatus.FOUND:
            return hops
        location = urlsplit(response["Location"])
        host = location.hostname or host
        path = location.path + (f"?{location.query}" if location.query else "")
        response = clients[host].get(path)
        hops.append((f"http://{host}{path}", response.status_code))
    raise AssertionError(f"too many redirects: {hops}")


def sign_out(clients: Browser, host: str) -> list[tuple[str, int]]:
    response = clients[host].post("/signout")
    assert response.status_code == HTTPStatus.FOUND
    hops = follow(clients, host, response)
    failed = [hop for hop in hops if hop[1] >= HTTPStatus.BAD_REQUEST]
    assert not failed, f"the sign-out stopped on an error: {hops}"
    return hops


def session_keys(clients: Browser) -> list[str]:
    return [
        client.cookies["sessionid"].value
        for client in clients.values()
        if "sessionid" in client.cookies
    ]


def stored(key: str) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def asks_for_password(clients: Browser, host: str, next_path: str = "/") -> bool:
    """Whether a new sign-in on ``host`` ends on the directory's password page."""
    hops = walk(clients, host, f"/signin?next={next_path}")
    return hops[-1].startswith(f"http://{IDENTITY_HOST}/signin")


def assert_signed_out_everywhere(clients: Browser) -> None:
    for host, path in ((LEGACY_HOST, "/timeline"), (DEFENDER_HOST, "/alerts")):
        answer = clients[host].get(path)
        assert answer.status_code == HTTPStatus.FOUND, host
        assert answer["Location"].startswith("/signin"), host
    # The directory's single sign-on is over too.
    assert asks_for_password(clients, DEFENDER_HOST)


# ------------------------------------------------------------------ sign-out
def test_a_sign_out_in_one_browser_leaves_sign_out_working_in_every_other(operator):
    first, second = signed_in_everywhere(operator), signed_in_everywhere(operator)
    second_keys = session_keys(second)

    sign_out(first, DEFENDER_HOST)
    assert all(stored(key) for key in second_keys), "the other browser was signed out too"
    sign_out(second, DEFENDER_HOST)

    assert not any(stored(key) for key in second_keys)
    assert_signed_out_everywhere(second)
    assert not SignInSession.objects.active().filter(user=operator).exists()


def test_sign_out_needs_no_token_the_directory_once_issued(operator):
    clients = signed_in_everywhere(operator)
    keys = session_keys(clients)
    get_id_token_model().objects.all().delete()  # deleted, expired or cleared: all the same

    sign_out(clients, LEGACY_HOST)

    assert not any(stored(key) for key in keys)
    assert_signed_out_everywhere(clients)


def test_sign_out_on_one_portal_ends_the_sign_in_before_any_redirect(operator):
    clients = signed_in_everywhere(operator)
    keys = session_keys(clients)
    response = clients[LEGACY_HOST].post("/signout")
    # Nothing depends on the browser following the answer.
    assert response.status_code == HTTPStatus.FOUND
    assert not any(stored(key) for key in keys)


# ------------------------------------------------------------------ the support console
def test_logging_out_of_the_console_ends_the_directory_session(contoso):
    support = UserFactory(email="support@defender.example", tenant=None, is_staff=True)
    support.is_superuser = True
    support.save()
    clients = browser()
    console = clients[DEFENDER_HOST]
    sign_in(console, support, next_path="/admin/")
    assert console.get("/admin/").status_code == HTTPStatus.OK
    keys = session_keys(clients)

    assert console.post("/admin/logout/").status_code == HTTPStatus.FOUND

    assert not any(stored(key) for key in keys)
    assert asks_for_password(clients, DEFENDER_HOST, "/admin/"), "the console opened again"


def support_console() -> Client:
    support = UserFactory(email="support@defender.example", tenant=None, is_staff=True)
    support.is_superuser = True
    support.save()
    console = Client(HTTP_HOST=DEFENDER_HOST)
    sign_in(console, support)
    return console


ENDING_CONFIRMED = {"confirm": "End sessions", "reason": "Ticket 4711"}


def test_support_ending_a_session_ends_every_session_of_its_sign_in_and_only_those(operator):
    first, second = signed_in_everywhere(operator), signed_in_everywhere(operator)
    first_keys, second_keys = session_keys(first), session_keys(second)
    legacy_key = first[LEGACY_HOST].cookies["sessionid"].value
    row = SignInSession.objects.get(
        user=operator, portal="legacy", session_ref=reference(legacy_key)
    )

    console = support_console()
    console.post(
        "/admin/accounts/signinsession/",
        {"action": "end_sessions", "_selected_action": [row.pk], **ENDING_CONFIRMED},
    )

    assert not any(stored(key) for key in first_keys), (
        "ended in the database, not at the next visit"
    )
    assert_signed_out_everywhere(first)
    assert all(stored(key) for key in second_keys), "another browser's sign-in ended too"
    assert second[LEGACY_HOST].get("/timeline").status_code == HTTPStatus.OK
    assert console.get("/admin/").status_code == HTTPStatus.OK  # support's own sign-in stays


def test_support_ending_an_accounts_sessions_ends_every_browser_of_it(operator):
    first, second = signed_in_everywhere(operator), signed_in_everywhere(operator)
    keys = session_keys(first) + session_keys(second)

    console = support_console()
    page = f"/admin/accounts/user/{operator.pk}/end-sessions/"
    assert console.get(page).status_code == HTTPStatus.OK
    assert all(stored(key) for key in keys), "ended before support confirmed"
    assert console.post(page, ENDING_CONFIRMED).status_code == HTTPStatus.FOUND

    assert not any(stored(key) for key in keys), "ended in the database, not at the next visit"
    for clients in (first, second):
        assert_signed_out_everywhere(clients)
    assert console.get("/admin/").status_code == HTTPStatus.OK


# ------------------------------------------------------------------ the account changes
def test_a_password_change_ends_every_browser_in_the_database(operator):
    first, second = signed_in_everywhere(operator), signed_in_everywhere(operator)
    keys = session_keys(first) + session_keys(second)

    operator.set_password("a-new-password-3")
    operator.save()

    assert not any(stored(key) for key in keys)
    for clients in (first, second):
        assert_signed_out_everywhere(clients)


def test_reactivating_an_account_revives_none_of_its_sessions(operator):
    first, second = signed_in_everywhere(operator), signed_in_everywhere(operator)
    keys = session_keys(first) + session_keys(second)

    operator.is_active = False
    operator.save()
    assert not any(stored(key) for key in keys)
    operator.is_active = True
    operator.save()

    for clients in (first, second):
        assert_signed_out_everywhere(clients)
    assert not SignInSession.objects.active().filter(user=operator).exists()
    ended = SignInSession.objects.filter(user=operator).values_list("end_reason", flat=True)
    assert set(ended) == {SignInSession.EndReason.ACCOUNT_CHANGED}


def test_an_account_turned_off_and_on_in_the_console_comes_back_signed_out(operator):
    clients = signed_in_everywhere(operator)
    admin_user = UserFactory(tenant=None, is_staff=True)
    admin_user.is_superuser = True
    admin_user.save()
    console = Client(HTTP_HOST=DEFENDER_HOST)
    sign_in(console, admin_user)
    page = f"/admin/accounts/user/{operator.pk}/change/"
    form = {
        "email": operator.email,
        "display_name": operator.display_name,
        "tenant": operator.tenant_id,
        "is_active": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        **{f"role_assignments-{n}": "" for n in ("TOTAL_FORMS", "INITIAL_FORMS")},
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
    }
    for is_active in ("", "on"):
        answer = console.post(page, {**form, "is_active": is_active})
        assert answer.status_code == HTTPStatus.FOUND, answer.content.decode()[:2000]

    assert_signed_out_everywhere(clients)


def test_the_directory_session_of_another_browser_is_untouched_by_a_sign_out(operator):
    first, second = signed_in_everywhere(operator), signed_in_everywhere(operator)
    sign_out(first, LEGACY_HOST)
    # The second browser keeps its portals and its single sign-on.
    assert second[LEGACY_HOST].get("/timeline").status_code == HTTPStatus.OK
    assert second[DEFENDER_HOST].get("/alerts").status_code == HTTPStatus.OK
    directory = second[IDENTITY_HOST]
    assert directory.session.get("_auth_user_id") == str(operator.pk)
