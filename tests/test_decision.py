"""The pure routing decision at its edges: around enabled_at, Off, re-enabling, propagation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from settings_ui.routing_rule import (
    OFF,
    RedirectionState,
    SessionFacts,
    propagation_offset,
    should_route,
)

ENABLED_AT = datetime(2024, 3, 1, 9, 0, 0, tzinfo=UTC)
ON = RedirectionState(enabled=True, enabled_at=ENABLED_AT)
TICK = timedelta(microseconds=1)
LATER = ENABLED_AT + timedelta(days=365)  # "now": after every sign-in these tests make


def decide(state, signed_in_at, *, account_id=1, tenant_id=1, window_seconds=0, now=LATER):
    session = SessionFacts(account_id=account_id, tenant_id=tenant_id, signed_in_at=signed_in_at)
    return should_route(state, session, now=now, window_seconds=window_seconds)


@pytest.mark.parametrize(
    "signed_in_at, routed",
    [
        (ENABLED_AT - timedelta(days=1), False),
        (ENABLED_AT - TICK, False),
        (ENABLED_AT, True),
        (ENABLED_AT + TICK, True),
        (ENABLED_AT + timedelta(days=30), True),
    ],
)
def test_routes_sessions_signed_in_at_or_after_enabled_at(signed_in_at, routed):
    assert decide(ON, signed_in_at) is routed


@pytest.mark.parametrize("signed_in_at", [ENABLED_AT - TICK, ENABLED_AT, ENABLED_AT + TICK])
def test_off_never_routes(signed_in_at):
    assert decide(OFF, signed_in_at) is False
    off_with_history = RedirectionState(enabled=False, enabled_at=ENABLED_AT)
    assert decide(off_with_history, signed_in_at) is False


def test_a_session_without_a_sign_in_time_is_never_routed():
    assert decide(ON, None) is False


def test_on_without_an_enabled_at_does_not_route():
    assert decide(RedirectionState(enabled=True, enabled_at=None), ENABLED_AT) is False


def test_re_enabling_later_never_ejects_a_session_signed_in_before_it():
    signed_in = ENABLED_AT + timedelta(hours=1)  # routed under the first On...
    assert decide(ON, signed_in) is True
    re_enabled = RedirectionState(enabled=True, enabled_at=ENABLED_AT + timedelta(hours=2))
    assert decide(re_enabled, signed_in) is False  # ...kept after Off→On, as it signed in before
    assert decide(re_enabled, ENABLED_AT + timedelta(hours=2)) is True


def test_a_session_older_than_every_on_keeps_the_legacy_portal_through_many_switches():
    signed_in = ENABLED_AT - timedelta(minutes=5)
    for hours in range(10):
        state = RedirectionState(enabled=True, enabled_at=ENABLED_AT + timedelta(hours=hours))
        assert decide(state, signed_in) is False


WINDOW = 3600


def test_with_a_window_each_account_starts_at_enabled_at_plus_its_offset():
    for account_id in range(1, 50):
        offset = propagation_offset(1, account_id, WINDOW)
        starts = ENABLED_AT + offset
        assert decide(ON, starts - TICK, account_id=account_id, window_seconds=WINDOW) is False
        assert decide(ON, starts, account_id=account_id, window_seconds=WINDOW) is True


def test_offsets_stay_within_the_window():
    offsets = [propagation_offset(1, account, WINDOW) for account in range(1000)]
    assert all(timedelta(0) <= offset < timedelta(seconds=WINDOW) for offset in offsets)


def test_offsets_of_1000_accounts_cover_the_window_fairly_evenly():
    offsets = [propagation_offset(7, account, WINDOW).total_seconds() for account in range(1000)]
    buckets = [0] * 10
    for seconds in offsets:
        buckets[int(seconds // (WINDOW / 10))] += 1
    # 100 expected per tenth; a fair spread stays well inside 60..140 (about ±4 sigma).
    assert all(60 <= count <= 140 for count in buckets), buckets
    assert min(offsets) < WINDOW * 0.01, "some accounts are routed almost immediately"
    assert max(offsets) > WINDOW * 0.99, "the last ones near the end of the window"


def test_offsets_are_stable_per_account_and_differ_between_accounts_and_tenants():
    assert propagation_offset(1, 42, WINDOW) == propagation_offset(1, 42, WINDOW)
    assert propagation_offset(1, 42, WINDOW) == propagation_offset(1, "42", WINDOW)
    assert propagation_offset(1, 42, WINDOW) != propagation_offset(1, 43, WINDOW)
    assert propagation_offset(1, 42, WINDOW) != propagation_offset(2, 42, WINDOW)


def test_a_zero_window_routes_every_account_at_once():
    for account_id in range(100):
        assert propagation_offset(1, account_id, 0) == timedelta(0)
        assert decide(ON, ENABLED_AT, account_id=account_id) is True


def test_partway_through_the_window_some_accounts_are_routed_and_others_not_yet():
    halfway = ENABLED_AT + timedelta(seconds=WINDOW / 2)
    routed = [decide(ON, halfway, account_id=a, window_seconds=WINDOW) for a in range(1000)]
    assert 400 <= sum(routed) <= 600
    after = ENABLED_AT + timedelta(seconds=WINDOW)
    assert all(decide(ON, after, account_id=a, window_seconds=WINDOW) for a in range(1000))
