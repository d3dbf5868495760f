"""The authorization matrix: each endpoint, as each kind of account, answers as its table says."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from http import HTTPStatus
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.admin import helpers
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core import signing
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.models import (
    RoleAssignment,
    Session,
    SignInSession,
    Tenant,
    User,
    session_reference,
    sign_in_lifetime,
)
from accounts.roles import roles_in
from accounts.session_keys import DIRECTORY_SID, PORTAL, TENANT_ID, remember_sign_in
from portal.models import Alert
from settings_ui.models import ChangeSource, Feedback, PortalRedirection, RedirectionChange
from settings_ui.services import set_portal_redirection
from settings_ui.support import ensure_support_group
from settings_ui.workloads import Workload
from tests.conftest import DEFENDER_HOST, ENDPOINT_HOST, LEGACY_HOST, sign_in
from tests.factories import (
    AlertFactory,
    EndpointAlertFactory,
    RoleAssignmentFactory,
    SignInSessionFactory,
    TenantFactory,
    UserFactory,
)
from tests.matrix_data import (
    ALERT_RESOLVED,
    ANONYMOUS,
    CALLBACK_PATHS,
    COLUMNS,
    CONTOSO,
    CONTOSO_ENDPOINT_OFF,
    CONTOSO_ENDPOINT_ON,
    CONTOSO_FEEDBACK,
    CONTOSO_OFF,
    CONTOSO_ON,
    FABRIKAM,
    FABRIKAM_ENDPOINT_OFF,
    FABRIKAM_ENDPOINT_ON,
    FABRIKAM_FEEDBACK,
    FABRIKAM_OFF,
    FABRIKAM_ON,
    FEEDBACK_TRIAGED,
    GA,
    MATRIX,
    NO_TENANT,
    ROLE_OF,
    SESSION_ENDED,
    SIGNIN,
    SUPPORT,
    TENANTLESS_FEEDBACK,
    Column,
    Endpoint,
    Expect,
)

pytestmark = pytest.mark.django_db

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

HOSTS = {"D": DEFENDER_HOST, "L": LEGACY_HOST, "E": ENDPOINT_HOST}
PORTALS = {"D": "defender", "L": "legacy", "E": "endpoint"}
# A page of each portal that needs a signed-in account.
SIGNED_IN_PAGE = {"D": "/alerts", "L": "/timeline", "E": "/alerts"}
MODEL_BACKEND = "accounts.backends.AccountBackend"

# Words found only in Contoso's data: no answer to a Fabrikam account may contain them.
CONTOSO_MARKERS = (
    "Marker alert of Contoso",
    "Marker endpoint alert of Contoso",
    "Marker Person",
    "MARKER-WS1",
    "contoso.example",
)


# ------------------------------------------------------------------ the world, built once
@dataclass
class World:
    contoso: Tenant
    fabrikam: Tenant
    ids: dict[str, int]
    analyst_session_key: str
    session_keys: dict[tuple[Column, str], str]  # (column, portal) → its signed-in session


def build_world() -> World:
    """Contoso with an alert of each product (its identity, device), an analyst signed in to
    the legacy portal, one feedback and an audit row; Fabrikam empty; one account per column."""
    contoso = TenantFactory(name="Contoso", domain="contoso.example")
    fabrikam = TenantFactory(name="Fabrikam", domain="fabrikam.example")
    alert = AlertFactory(
        tenant=contoso,
        title="Marker alert of Contoso",
        identity__display_name="Marker Person",
        identity__account_name="marker.person",
    )
    endpoint_alert = EndpointAlertFactory(
        tenant=contoso,
        title="Marker endpoint alert of Contoso",
        identity=alert.identity,
        device__name="MARKER-WS1",
    )
    analyst = UserFactory(email="analyst@contoso.example", tenant=contoso)
    analyst_session_key = signed_in_session(analyst, "L")
    signed_in = SignInSessionFactory(
        user=analyst, session_ref=session_reference(analyst_session_key)
    )
    feedback = Feedback.objects.create(
        tenant=contoso,
        user=analyst,
        portal="legacy",
        category=Feedback.Category.OTHER,
        message="Original words.",
    )
    # An Off→On→Off history: an audit row to try to delete, and both tenants Off.
    set_portal_redirection(contoso, True, source=ChangeSource.CLI)
    set_portal_redirection(contoso, False, source=ChangeSource.CLI)
    world = World(
        contoso=contoso,
        fabrikam=fabrikam,
        ids={
            "contoso": contoso.pk,
            "alert": alert.pk,
            "identity": alert.identity_id,
            "device": alert.device_id,
            "endpoint_alert": endpoint_alert.pk,
            "endpoint_device": endpoint_alert.device_id,
            "analyst": analyst.pk,
            "session": signed_in.pk,
            "feedback": feedback.pk,
            "change": RedirectionChange.objects.filter(tenant=contoso).first().pk,
        },
        analyst_session_key=analyst_session_key,
        session_keys={},
    )
    support_group, _ = ensure_support_group()  # the group seed_demo builds, as it builds it
    for number, column in enumerate(COLUMNS):
        account = make_account(column, world, number, support_group)
        if account is not None:
            for portal in PORTALS:
                world.session_keys[column, portal] = signed_in_session(account, portal)
    return world


def signed_in_session(user: User, portal: str) -> str:
    """A stored session holding what a password sign-in to ``portal`` leaves in it.

    Built directly, once per account and portal, to keep a thousand cells fast;
    test_sessions_are_those_a_real_sign_in_leaves checks it against the real sign-in.
    """
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = MODEL_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    now = timezone.now()
    remember_sign_in(
        store,
        portal=PORTALS[portal],
        tenant_id=user.tenant_id,
        when=now,
        roles=roles_in(user, user.tenant_id),
    )
    store[DIRECTORY_SID] = "not-a-directory-session"
    store.set_expiry(now + sign_in_lifetime())
    store.create()
    return store.session_key


def still_signs_in(session_key: str) -> bool:
    """Whether this stored session still names its account, as Django checks on each request."""
    session = SessionStore(session_key)
    user = User.objects.filter(pk=session.get(SESSION_KEY)).first()
    return user is not None and session.get(HASH_SESSION_KEY) == user.get_session_auth_hash()


def make_account(column: Column, world: World, number: int, support_group) -> User | None:
    if column.who == ANONYMOUS:
        return None
    if column.group == NO_TENANT:
        user = UserFactory(email=f"staff{number}@defender.example", tenant=None, is_staff=True)
        if column.who == SUPPORT:
            user.groups.add(support_group)
        return user
    home = world.fabrikam if column.group == FABRIKAM else world.contoso
    role_in = world.contoso if column.group == CONTOSO else world.fabrikam
    user = UserFactory(email=f"actor{number}@{home.domain}", tenant=home)
    if ROLE_OF[column.who]:
        RoleAssignmentFactory(user=user, tenant=role_in, role=ROLE_OF[column.who])
    return user


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for all the module's cells inside a transaction rolled back at its end.

    Each test runs in its own savepoint inside it (pytest-django's usual per-test rollback),
    so every cell starts from this very world and nothing outlives the module.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def client_for(endpoint: Endpoint, column: Column, world: World) -> Client:
    """A browser on the endpoint's portal, carrying the column's signed-in session there."""
    client = Client(HTTP_HOST=HOSTS[endpoint.portal])
    key = world.session_keys.get((column, endpoint.portal))
    if key:
        client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def send(client: Client, endpoint: Endpoint, world: World):
    path = endpoint.path.format(**world.ids)
    if endpoint.json is not None:
        body = json.dumps(endpoint.json)
        return getattr(client, endpoint.method.lower())(path, body, content_type="application/json")
    if endpoint.method == "GET":
        return client.get(path)
    data = {key: str(value).format(**world.ids) for key, value in (endpoint.form or {}).items()}
    if endpoint.action:
        target = {"signinsession": "session", "feedback": "feedback"}.get(
            path.split("/")[3], "contoso"
        )
        data.update(
            {
                "action": endpoint.action,
                helpers.ACTION_CHECKBOX_NAME: [world.ids[target]],
                "index": "0",
            }
        )
    return getattr(client, endpoint.method.lower())(path, data)


# ------------------------------------------------------------------ what a request changed
def snapshot(world: World) -> dict:
    """Everything a request of the matrix could change, read from the database."""
    redirection = {
        (row.tenant_id, row.workload): row.enabled for row in PortalRedirection.objects.all()
    }
    feedback = Feedback.objects.get(pk=world.ids["feedback"])
    analyst = User.objects.get(pk=world.ids["analyst"])
    signed_in = SignInSession.objects.get(pk=world.ids["session"])
    alert = Alert.objects.get(pk=world.ids["alert"])
    switches = {
        f"{tenant.name} {label}redirection": (
            redirection.get((tenant.pk, workload), False),
            RedirectionChange.objects.filter(tenant=tenant, workload=workload).count(),
        )
        for tenant in (world.contoso, world.fabrikam)
        for workload, label in ((Workload.IDENTITY, ""), (Workload.ENDPOINT, "Endpoint "))
    }
    return {
        **switches,
        "feedback from Contoso": Feedback.objects.filter(tenant=world.contoso).count(),
        "feedback from Fabrikam": Feedback.objects.filter(tenant=world.fabrikam).count(),
        "feedback with no tenant": Feedback.objects.filter(tenant=None).count(),
        "Contoso's feedback": (feedback.status, feedback.message),
        "Contoso's alert": (
            alert.status,
            alert.assigned_to_id,
            alert.classification,
            alert.determination,
            alert.history.count(),
        ),
        "the analyst's session": (
            signed_in.ended_at is None,
            still_signs_in(world.analyst_session_key),
        ),
        "the analyst's account": (
            analyst.email,
            analyst.display_name,
            analyst.password,
            analyst.is_staff,
            analyst.is_superuser,
            analyst.tenant_id,
        ),
        "tenants": sorted(Tenant.objects.values_list("name", "domain")),
        "accounts": User.objects.count(),
        "role assignments": RoleAssignment.objects.count(),
        "other sessions": Session.objects.exclude(session_key=world.analyst_session_key).count(),
        "sign-in sessions": SignInSession.objects.count(),
    }


REDIRECTION_TURNS = {
    ("Contoso redirection", (False, True)): CONTOSO_ON,
    ("Contoso redirection", (True, False)): CONTOSO_OFF,
    ("Fabrikam redirection", (False, True)): FABRIKAM_ON,
    ("Fabrikam redirection", (True, False)): FABRIKAM_OFF,
    ("Contoso Endpoint redirection", (False, True)): CONTOSO_ENDPOINT_ON,
    ("Contoso Endpoint redirection", (True, False)): CONTOSO_ENDPOINT_OFF,
    ("Fabrikam Endpoint redirection", (False, True)): FABRIKAM_ENDPOINT_ON,
    ("Fabrikam Endpoint redirection", (True, False)): FABRIKAM_ENDPOINT_OFF,
}
ONE_MORE = {
    "feedback from Contoso": CONTOSO_FEEDBACK,
    "feedback from Fabrikam": FABRIKAM_FEEDBACK,
    "feedback with no tenant": TENANTLESS_FEEDBACK,
}


def changes_between(before: dict, after: dict) -> set[str]:
    """The changes in the matrix's words; anything else is described as it is."""
    found = set()
    for key, old in before.items():
        new = after[key]
        if old == new:
            continue
        if key in ONE_MORE and new == old + 1:
            found.add(ONE_MORE[key])
        elif (key, (old[0], new[0])) in REDIRECTION_TURNS and new[1] == old[1] + 1:
            found.add(REDIRECTION_TURNS[key, (old[0], new[0])])
        elif key == "Contoso's feedback" and new == ("triaged", old[1]):
            found.add(FEEDBACK_TRIAGED)
        elif key == "the analyst's session" and new == (False, False):
            found.add(SESSION_ENDED)
        elif key == "Contoso's alert" and new == ("resolved", *old[1:4], old[4] + 1):
            found.add(ALERT_RESOLVED)
        else:
            found.add(f"{key}: {old!r} → {new!r}")
    return found


# ------------------------------------------------------------------ the matrix
CELLS = [
    pytest.param(endpoint, column, expected, id=f"{endpoint} | {column}")
    for endpoint, cells in MATRIX
    for column, expected in cells.items()
]


@pytest.mark.parametrize(("endpoint", "column", "expected"), CELLS)
def test_cell(world: World, endpoint: Endpoint, column: Column, expected: Expect):
    if endpoint.starts_on:
        for tenant, workload in itertools.product((world.contoso, world.fabrikam), Workload):
            set_portal_redirection(tenant, True, source=ChangeSource.CLI, workload=workload)
    client = client_for(endpoint, column, world)
    writes = endpoint.method != "GET"
    before = snapshot(world) if writes else None

    response = send(client, endpoint, world)

    redirected = response.status_code in (HTTPStatus.FOUND, HTTPStatus.SEE_OTHER)
    location = response.get("Location", "") if redirected else ""
    answered = Expect(HTTPStatus(response.status_code), location)
    assert answered.status == expected.status, f"{endpoint} as {column}: got {answered}"
    assert location.startswith(expected.goes_to), f"{endpoint} as {column}: went to {location}"
    if writes:
        assert changes_between(before, snapshot(world)) == expected.changes
    if column.group == FABRIKAM and response.status_code == HTTPStatus.OK:
        page = response.content.decode()
        assert not [marker for marker in CONTOSO_MARKERS if marker in page]


def test_sessions_are_those_a_real_sign_in_leaves(world: World):
    """The matrix's prebuilt sessions hold what the sign-in form leaves, and work as it does."""
    for portal, host in HOSTS.items():
        column = Column(CONTOSO, GA)
        user = User.objects.get(pk=SessionStore(world.session_keys[column, portal])[SESSION_KEY])
        real = Client(HTTP_HOST=host)
        sign_in(real, user)
        real_session = SessionStore(real.cookies[settings.SESSION_COOKIE_NAME].value)
        built = SessionStore(world.session_keys[column, portal])
        assert set(built.keys()) == set(real_session.load().keys())
        for key in (SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY, PORTAL, TENANT_ID):
            assert built[key] == real_session[key]
        assert client_for(Endpoint(portal, "GET", "/"), column, world).get("/").status_code == (
            HTTPStatus.OK
        )


def test_contoso_pages_show_the_markers_that_fabrikam_pages_must_not(world: World):
    """The marker check above is not vacuous: Contoso's own accounts do see these words."""
    pages = {
        ("D", "/alerts"): "Marker alert of Contoso",
        ("D", "/identities"): "Marker Person",
        ("D", "/search?q=Marker"): "Marker Person",
        ("L", "/timeline"): "Marker alert of Contoso",
        ("L", "/configuration"): "contoso.example",
        ("E", "/alerts"): "Marker endpoint alert of Contoso",
        ("E", "/search?q=Marker"): "MARKER-WS1",
    }
    for (portal, path), marker in pages.items():
        client = client_for(Endpoint(portal, "GET", path), Column(CONTOSO, GA), world)
        assert marker in client.get(path).content.decode(), (portal, path)


# ------------------------------------------------------------------ the sign-in callback
CALLBACK_CELLS = [
    pytest.param(portal, path, column, id=f"{portal} GET {path} | {column}")
    for portal in HOSTS
    for path in CALLBACK_PATHS
    for column in COLUMNS
]


def signed_in_account(client: Client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is None or not cookie.value:
        return None
    return SessionStore(cookie.value).load().get(SESSION_KEY)


@pytest.mark.parametrize(("portal", "path", "column"), CALLBACK_CELLS)
def test_a_callback_this_browser_did_not_start_signs_nobody_in(
    world: World, portal: str, path: str, column: Column
):
    forged = signing.dumps({"user": world.ids["analyst"], "portal": "defender"})
    client = client_for(Endpoint(portal, "GET", path), column, world)
    account_before = signed_in_account(client)
    sign_ins_before = SignInSession.objects.count()

    response = client.get(path.format(forged=forged))

    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR
    assert SignInSession.objects.count() == sign_ins_before
    assert signed_in_account(client) == account_before
    if account_before is None:
        browsing = client.get(SIGNED_IN_PAGE[portal])
        assert browsing.status_code == HTTPStatus.FOUND
        assert browsing["Location"].startswith(SIGNIN.goes_to)
