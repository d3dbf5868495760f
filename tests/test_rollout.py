"""Rollout status: routed accounts, sessions kept, and open legacy sessions, from a seeded mix."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from django.db import connection
from django.utils import timezone

from settings_ui.rollout import rollout_status
from settings_ui.routing_rule import OFF, RedirectionState, propagation_offset
from tests.factories import SignInSessionFactory, UserFactory

pytestmark = pytest.mark.django_db

ENABLED_AT = timezone.now().replace(microsecond=0) - timedelta(hours=1)
ON = RedirectionState(enabled=True, enabled_at=ENABLED_AT)
NOW = ENABLED_AT + timedelta(hours=1)


def session(user, minutes: float, *, ended: bool = False, portal: str = "legacy", tenant=None):
    """A sign-in `minutes` after the switch was turned On (negative: before it)."""
    signed_in_at = ENABLED_AT + timedelta(minutes=minutes)
    return SignInSessionFactory(
        user=user,
        tenant=tenant or user.tenant,
        portal=portal,
        session_ref=uuid4().hex,
        signed_in_at=signed_in_at,
        ended_at=signed_in_at + timedelta(minutes=1) if ended else None,
        end_reason="signed_out" if ended else "",
    )


@pytest.fixture
def seeded(contoso, fabrikam):
    """Contoso: 3 routed accounts, 2 sessions kept; plus noise that must never be counted."""
    routed = UserFactory.create_batch(3, tenant=contoso)
    session(routed[0], 5)
    session(routed[0], 30)  # the same account twice counts once
    session(routed[1], 0)  # exactly at the moment it was turned On: routed
    session(routed[2], 10, ended=True)  # routed, then signed out: still routed
    kept = UserFactory.create_batch(2, tenant=contoso)
    session(kept[0], -30)
    session(kept[1], -1)
    session(kept[1], -120, ended=True)  # old and ended: neither kept nor routed
    session(UserFactory(tenant=contoso), 15, portal="defender")  # other portal
    other = UserFactory(tenant=fabrikam)
    session(other, 5)
    session(other, -5)
    return {"routed": routed, "kept": kept}


def test_while_on_without_a_window(seeded, contoso, django_assert_num_queries):
    with django_assert_num_queries(2) as captured:
        status = rollout_status(contoso.pk, ON, now=NOW, window_seconds=0)
    assert (status.enabled, status.routed_accounts, status.sessions_kept) == (True, 3, 2)
    assert status.active_legacy_sessions is None
    assert status.every_account_by is None
    assert all(query["sql"].startswith("SELECT") for query in captured.captured_queries)


def test_while_off_counts_every_open_legacy_session(seeded, contoso, django_assert_num_queries):
    with django_assert_num_queries(1):
        status = rollout_status(contoso.pk, OFF, now=NOW, window_seconds=0)
    # Open legacy sessions of Contoso: routed[0] twice, routed[1], kept[0], kept[1].
    assert (status.enabled, status.active_legacy_sessions) == (False, 5)
    assert status.routed_accounts is None and status.sessions_kept is None


def test_off_after_having_been_on_ignores_the_old_moment(seeded, contoso):
    was_on = RedirectionState(enabled=False, enabled_at=ENABLED_AT)
    assert rollout_status(contoso.pk, was_on, now=NOW, window_seconds=0).active_legacy_sessions == 5


def test_other_tenant_sees_only_its_own(seeded, fabrikam):
    status = rollout_status(fabrikam.pk, ON, now=NOW, window_seconds=0)
    assert (status.routed_accounts, status.sessions_kept) == (1, 1)


def test_with_a_window_each_account_counts_from_its_own_time(contoso, django_assert_num_queries):
    window = 3600
    users = UserFactory.create_batch(6, tenant=contoso)
    late = []
    for user in users:
        offset = propagation_offset(contoso.pk, user.pk, window).total_seconds() / 60
        if offset < 2:
            continue  # too close to On to sign in before its own time
        late.append(user)
    assert len(late) >= 4, "the offsets spread accounts over the window"
    routed, waiting = late[:2], late[2:]
    for user in routed:
        offset = propagation_offset(contoso.pk, user.pk, window).total_seconds() / 60
        session(user, offset)  # exactly at its effective time: routed
    for user in waiting:
        offset = propagation_offset(contoso.pk, user.pk, window).total_seconds() / 60
        session(user, offset - 1)  # after On, before its own time: not routed yet
        session(user, -10)  # and an older session it keeps

    with django_assert_num_queries(2):
        status = rollout_status(contoso.pk, ON, now=NOW, window_seconds=window)
    assert status.routed_accounts == 2
    # Both sessions of each waiting account are kept: the old one and the one opened after On
    # but before its own turn, which keeps the former portal until its next sign-in too.
    assert status.sessions_kept == 2 * len(waiting)
    assert status.every_account_by == ENABLED_AT + timedelta(seconds=window)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_queries_use_the_tenant_portal_time_index(seeded, contoso, django_assert_num_queries):
    with django_assert_num_queries(2) as captured:
        rollout_status(contoso.pk, ON, now=NOW, window_seconds=0)
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "signin_tenant_portal_time" in plan, plan
