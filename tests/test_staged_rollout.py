"""Staged rollout at the exact edges: scope, pilot group and schedule through the writer,
read back by the cached reader and judged by the one decision.

Every check is a sign-in a microsecond before or at a transition: sessions from before a
transition are never routed by it, and narrowing or Off stop routing at once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import DirectoryRole, Session
from settings_ui.models import (
    ChangeKind,
    ChangeSource,
    PilotAccount,
    PortalRedirection,
    RedirectionChange,
)
from settings_ui.routing_rule import SessionFacts, propagation_offset, should_route
from settings_ui.services import RedirectionUpdate, change_portal_redirection
from settings_ui.state import get_state
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TICK = timedelta(microseconds=1)


@pytest.fixture
def operator(contoso):
    return UserFactory(
        email="operator@contoso.example", tenant=contoso, roles=[DirectoryRole.SECURITY_OPERATOR]
    )


@pytest.fixture
def change(django_capture_on_commit_callbacks, contoso_admin):
    """Change Contoso's setting through the one writer, its cache refresh run on commit."""

    def apply(tenant, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return change_portal_redirection(
                tenant, RedirectionUpdate(**fields), actor=contoso_admin, source=ChangeSource.WEB
            )

    return apply


def routed(account, signed_in_at, *, window_seconds: int = 0) -> bool:
    """The decision for a session of ``account`` signed in at that moment, judged now."""
    session = SessionFacts(account.pk, account.tenant_id, signed_in_at)
    return should_route(
        get_state(account.tenant_id), session, now=timezone.now(), window_seconds=window_seconds
    )


def test_off_pilot_widen_narrow_off_everyone(clock, change, contoso, contoso_analyst, operator):
    analyst = contoso_analyst
    change(contoso, scope="pilot", pilot_emails=("analyst@contoso.example",))
    assert not routed(analyst, clock.now()), "a pilot alone routes nobody while Off"

    on = clock.advance(10)
    change(contoso, enabled=True)
    assert not routed(analyst, on - TICK)
    assert routed(analyst, on)
    assert not routed(operator, on), "outside the pilot group"
    assert not routed(operator, clock.advance(5))

    widened = clock.advance(10)
    change(contoso, scope="everyone")
    assert not routed(operator, widened - TICK), "a session from before the widening stays put"
    assert routed(operator, widened)
    assert routed(analyst, on), "the pilot's sessions stay routed through the widening"

    narrowed = clock.advance(10)
    change(contoso, scope="pilot")
    assert not routed(operator, widened), "narrowing stops routing the others at once"
    assert not routed(operator, narrowed)
    assert routed(analyst, on), "the pilot was in scope all along"

    clock.advance(10)
    change(contoso, enabled=False)
    assert not routed(analyst, on)
    assert not routed(analyst, clock.now())

    on_again = clock.advance(10)
    change(contoso, enabled=True, scope="everyone")
    assert not routed(analyst, on), "each Off→On starts a new moment"
    assert not routed(analyst, on_again - TICK)
    assert not routed(operator, on_again - TICK)
    assert routed(analyst, on_again)
    assert routed(operator, on_again)


def test_joining_and_leaving_the_pilot(clock, change, contoso, contoso_analyst, operator):
    change(contoso, scope="pilot", pilot_emails=("analyst@contoso.example",), enabled=True)
    joined = clock.advance(10)
    change(contoso, pilot_emails=("analyst@contoso.example", "operator@contoso.example"))
    assert not routed(operator, joined - TICK)
    assert routed(operator, joined)
    left = clock.advance(10)
    change(contoso, pilot_emails=("analyst@contoso.example",))
    assert not routed(operator, joined), "leaving the pilot stops routing at once"
    assert not routed(operator, left)


# ------------------------------------------------------------------ the cache follows the pilot
def test_a_pilot_account_removed_by_a_cascade_leaves_the_cached_state(
    clock, change, contoso, contoso_analyst, operator, django_capture_on_commit_callbacks
):
    """Not only the writer: deleting a pilot's account (a cascade, no delete() call) is seen."""
    pilot = ("analyst@contoso.example", "operator@contoso.example")
    change(contoso, scope="pilot", pilot_emails=pilot, enabled=True)
    assert operator.pk in get_state(contoso.pk).pilot_account_ids  # cached
    with django_capture_on_commit_callbacks(execute=True):
        operator.delete()
    assert get_state(contoso.pk).pilot_account_ids == {contoso_analyst.pk}


def test_a_pilot_account_added_outside_the_writer_reaches_the_cached_state(
    change, contoso, contoso_analyst, operator, django_capture_on_commit_callbacks
):
    change(contoso, scope="pilot", pilot_emails=("analyst@contoso.example",), enabled=True)
    assert not get_state(contoso.pk).pilot_entry(operator.pk)  # cached
    setting = PortalRedirection.objects.get(tenant=contoso)
    with django_capture_on_commit_callbacks(execute=True):
        PilotAccount.objects.create(setting=setting, user=operator)
    assert get_state(contoso.pk).pilot_entry(operator.pk) == (operator.pk, None)


def test_an_account_joined_while_everyone_is_routed_keeps_its_turn_after_narrowing(
    clock, change, contoso, contoso_analyst, operator
):
    on = clock.now()
    change(contoso, enabled=True)  # everyone, as always
    clock.advance(10)
    change(contoso, scope="pilot", pilot_emails=("operator@contoso.example",))
    assert routed(operator, on), "in scope without a gap since the switch came On"
    assert not routed(contoso_analyst, clock.now())


def test_a_scheduled_on_starts_routing_by_itself_at_its_time(
    clock, change, contoso, contoso_admin, contoso_analyst, django_assert_num_queries
):
    at = clock.now() + timedelta(minutes=1)
    change(contoso, scheduled_on_at=at)
    assert not routed(contoso_analyst, clock.now())

    clock.current = at - TICK
    assert not routed(contoso_analyst, at - TICK)
    clock.current = at  # nothing runs in between: the decision compares with the time
    with django_assert_num_queries(0):
        assert routed(contoso_analyst, at)
        assert not routed(contoso_analyst, at - TICK), "a session from before it stays put"

    # The next write stores what happened, audited at the time it took effect.
    clock.advance(30)
    change(contoso, scope="everyone")
    row = PortalRedirection.objects.get(tenant=contoso)
    assert (row.enabled, row.enabled_at, row.scheduled_on_at) == (True, at, None)
    took_effect = RedirectionChange.objects.get(source=ChangeSource.SCHEDULE)
    assert (took_effect.kind, took_effect.new_value, took_effect.changed_at) == (
        ChangeKind.SWITCH,
        True,
        at,
    )
    assert took_effect.actor == contoso_admin, "the one who scheduled it"
    scheduled = RedirectionChange.objects.get(kind=ChangeKind.SCHEDULE)
    assert scheduled.old_text == "" and "On at" in scheduled.new_text
    assert routed(contoso_analyst, at)


def test_a_scheduled_off_stops_routing_at_its_time(clock, change, contoso, contoso_analyst):
    on = clock.now()
    change(contoso, enabled=True)
    off_at = clock.now() + timedelta(minutes=5)
    change(contoso, scheduled_off_at=off_at)
    clock.current = off_at - TICK
    assert routed(contoso_analyst, on)
    clock.current = off_at
    assert not routed(contoso_analyst, on)
    assert not routed(contoso_analyst, off_at)


def test_a_cancelled_schedule_never_takes_effect(clock, change, contoso, contoso_analyst):
    at = clock.now() + timedelta(minutes=1)
    change(contoso, scheduled_on_at=at)
    clock.current = at - timedelta(seconds=10)
    change(contoso, scheduled_on_at=None, scheduled_off_at=None)
    clock.current = at + timedelta(seconds=10)
    assert not routed(contoso_analyst, at)
    assert not get_state(contoso.pk).settled(clock.now()).enabled
    kinds = list(RedirectionChange.objects.order_by("id").values_list("kind", "new_text"))
    assert kinds == [(ChangeKind.SCHEDULE, kinds[0][1]), (ChangeKind.SCHEDULE, "")]
    assert not RedirectionChange.objects.filter(kind=ChangeKind.SWITCH).exists()


def test_a_schedule_reached_while_the_scope_changes(
    clock, change, contoso, contoso_analyst, operator
):
    at = clock.now() + timedelta(minutes=1)
    change(contoso, scope="pilot", pilot_emails=("analyst@contoso.example",), scheduled_on_at=at)

    clock.current = at - timedelta(seconds=5)
    change(contoso, scope="everyone")  # widened before the switch-over
    clock.current = at
    assert routed(operator, at) and routed(contoso_analyst, at)
    assert not routed(operator, at - TICK)

    narrowed = at + timedelta(seconds=5)
    clock.current = narrowed
    change(contoso, scope="pilot")  # the schedule is stored first, then the narrowing
    assert not routed(operator, at)
    assert routed(contoso_analyst, at)
    widened = clock.advance(5)
    change(contoso, scope="everyone")
    assert not routed(operator, widened - TICK)
    assert routed(operator, widened)
    assert PortalRedirection.objects.get(tenant=contoso).enabled_at == at


def test_with_a_propagation_window_a_pilot_account_waits_its_own_turn(
    clock, change, contoso, contoso_analyst
):
    window = 600
    change(contoso, scope="pilot", pilot_emails=("analyst@contoso.example",))
    on = clock.advance(10)
    change(contoso, enabled=True)
    turn = on + propagation_offset(contoso.pk, contoso_analyst.pk, window)
    clock.current = on + timedelta(seconds=window)
    assert not routed(contoso_analyst, turn - TICK, window_seconds=window)
    assert routed(contoso_analyst, turn, window_seconds=window)


def test_a_routed_pilot_request_makes_no_query_on_a_warm_cache(
    clock, change, contoso, contoso_analyst, legacy_client
):
    change(contoso, scope="pilot", pilot_emails=("analyst@contoso.example",), enabled=True)
    clock.advance()
    sign_in(legacy_client, contoso_analyst)
    assert legacy_client.get("/timeline").status_code == 302  # warms the state cache
    with CaptureQueriesContext(connection) as captured:
        assert legacy_client.get("/timeline").status_code == 302
    # The session row, which is also the check that its sign-in has not ended; never the
    # redirection state.
    [query] = captured.captured_queries
    assert Session._meta.db_table in query["sql"]
