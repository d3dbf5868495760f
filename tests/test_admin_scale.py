"""The support console's lists stay cheap with 100,000 sign-in sessions."""

import random
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.utils import timezone

from accounts.admin import CappedCountPaginator
from accounts.models import SignInSession, User
from settings_ui.models import ChangeSource, PortalRedirection
from settings_ui.services import set_portal_redirection
from settings_ui.support import ensure_support_group
from tests.conftest import sign_in
from tests.factories import TenantFactory, UserFactory

pytestmark = pytest.mark.django_db

SESSIONS = "/admin/accounts/signinsession/"
ROWS = 100_000

# Measured on SQLite and PostgreSQL: the same count for every page of the list, because the
# rows' users, tenants and redirection states are each read once per page, never per row.
# session + account + the group's permissions (2) + the capped count + the page + the page's
# redirection states. The tenant filter is a typed-in domain, so it reads no tenant list.
SESSION_LIST_QUERIES = 7


def insert_sessions(rows: list[tuple]) -> None:
    """One prepared INSERT run over every row: seconds for 100,000, where saving models
    one by one would take minutes. Datetimes are adapted as the ORM would adapt them."""
    adapt = connection.ops.adapt_datetimefield_value
    columns = "user_id, tenant_id, portal, session_ref, method, signed_in_at, ended_at, "
    columns += "end_reason, user_agent"
    sql = (
        f"INSERT INTO {SignInSession._meta.db_table} ({columns}) "  # noqa: S608 (constants)
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (*row[:5], adapt(row[5]), adapt(row[6]) if row[6] else None, *row[7:])
                for row in rows
            ],
        )


@pytest.fixture
def many_sessions(db):
    """100,000 sign-ins of 600 accounts in 30 tenants over two months, a tenth of them on."""
    rng = random.Random(6)
    tenants = [TenantFactory() for _ in range(30)]
    users = User.objects.bulk_create(
        User(email=f"user{n}@tenant{n % 30}.example", tenant=tenants[n % 30]) for n in range(600)
    )
    now = timezone.now()
    for tenant in tenants[::3]:
        set_portal_redirection(tenant, True, source=ChangeSource.CLI)
    # As if turned On three hours ago: sessions since then are routed, older ones are not.
    PortalRedirection.objects.update(enabled_at=now - timedelta(hours=3))
    rows = []
    for n in range(ROWS):
        user = users[rng.randrange(len(users))]
        recent = rng.random() < 0.3
        minutes_ago = rng.randrange(7 * 60) if recent else rng.randrange(8 * 60, 60 * 24 * 60)
        signed_in = now - timedelta(minutes=minutes_ago)
        ended = rng.random() < (0.5 if recent else 0.7)
        rows.append(
            (
                user.pk,
                user.tenant_id,
                rng.choice(("legacy", "defender")),
                f"k{n:039d}",
                SignInSession.Method.PASSWORD,
                signed_in,
                signed_in + timedelta(minutes=30) if ended else None,
                SignInSession.EndReason.SIGNED_OUT if ended else "",
                "",
            )
        )
    insert_sessions(rows)
    assert SignInSession.objects.count() == ROWS
    return tenants


@pytest.fixture
def support_client(defender_client, db):
    group, _ = ensure_support_group()
    support = UserFactory(tenant=None, is_staff=True)
    support.groups.add(group)
    sign_in(defender_client, support)
    return defender_client


LISTS = [
    {},
    {"p": "7"},
    {"portal__exact": "legacy"},
    {"active": "yes"},
    {"active": "no", "portal__exact": "legacy"},
    {"tenant": "TENANT"},
    {"tenant": "TENANT", "portal__exact": "legacy", "active": "yes"},
    {"q": "user7@tenant7.example"},
]


def test_session_lists_cost_the_same_few_queries_with_100000_rows(
    many_sessions, support_client, django_assert_max_num_queries
):
    # One test for every list, so the 100,000 rows are written once.
    for query in LISTS:
        query = {k: many_sessions[0].domain if v == "TENANT" else v for k, v in query.items()}
        with django_assert_max_num_queries(SESSION_LIST_QUERIES):
            response = support_client.get(SESSIONS, query)
        assert response.status_code == HTTPStatus.OK, query
        changelist = response.context["cl"]
        page = list(changelist.result_list)
        assert len(page) == min(changelist.list_per_page, changelist.result_count), query
        assert page, query
        # Every active legacy row got its routing answer from the page's one state read.
        for row in page:
            assert (row.routed is None) == (row.portal != "legacy" or not row.is_active), query

    everything = support_client.get(SESSIONS)
    assert everything.context["cl"].result_count == CappedCountPaginator.cap + 1
    assert "More than 10,000 sign-in sessions" in everything.content.decode()
    narrow = support_client.get(
        SESSIONS,
        {"tenant": many_sessions[0].domain, "portal__exact": "legacy", "active": "yes"},
    )
    count = narrow.context["cl"].result_count
    assert 100 < count < CappedCountPaginator.cap
    assert f"{count} sign-in sessions" in narrow.content.decode()
    routed = [row for row in narrow.context["cl"].result_list if row.routed]
    assert routed, "the tenant is On and some of its sessions signed in after that"
