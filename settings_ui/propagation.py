"""When routing starts for one account: its turn, from the scope, the schedule and its delay.

Pure functions, shared by the routing decision (portal) and the rollout panel (settings).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from settings_ui.state import PILOT, RedirectionState


class Why(StrEnum):
    """Why an account's turn is what it is; the rollout preview says it in words."""

    OFF = "off"
    NOT_IN_PILOT = "not_in_pilot"
    PILOT = "pilot"
    EVERYONE = "everyone"


@dataclass(frozen=True, slots=True)
class Turn:
    """From when this account's sign-ins are routed (None: not at all), and why."""

    starts: datetime | None
    why: Why


def propagation_offset(tenant_id: int, account_id: int | str, window_seconds: int) -> timedelta:
    """A stable delay for one account, spread evenly over the propagation window.

    A zero window means every account at once; otherwise some accounts are routed almost
    immediately and the last ones near the end of the window, always the same per account.
    """
    if window_seconds <= 0:
        return timedelta(0)
    digest = hashlib.blake2b(f"{tenant_id}:{account_id}".encode(), digest_size=8).digest()
    fraction = int.from_bytes(digest, "big") / 2**64
    return timedelta(seconds=fraction * window_seconds)


def account_turn(
    state: RedirectionState,
    *,
    tenant_id: int,
    account_id: int | str,
    now: datetime,
    window_seconds: int,
) -> Turn:
    """The account's turn as of ``now``: the later of the moment the switch came On (or a
    scheduled On took effect) and the moment its scope came to include it, plus its delay.
    """
    current = state.settled(now)
    if not current.enabled or current.enabled_at is None:
        return Turn(starts=None, why=Why.OFF)
    entry = current.pilot_entry(account_id)
    if current.scope == PILOT:
        if entry is None:
            return Turn(starts=None, why=Why.NOT_IN_PILOT)
        in_scope_since, why = entry[1], Why.PILOT
    else:
        # A pilot account kept in scope through the widening counts from its earlier moment.
        moments = (current.everyone_since, entry[1]) if entry else (current.everyone_since,)
        in_scope_since = None if None in moments else min(moments)
        why = Why.EVERYONE
    starts = max(current.enabled_at, in_scope_since or current.enabled_at)
    return Turn(starts=starts + propagation_offset(tenant_id, account_id, window_seconds), why=why)


def effective_time(
    state: RedirectionState,
    *,
    tenant_id: int,
    account_id: int | str,
    now: datetime,
    window_seconds: int,
) -> datetime | None:
    """When routing starts for this account, or None while it is not routed at all."""
    return account_turn(
        state, tenant_id=tenant_id, account_id=account_id, now=now, window_seconds=window_seconds
    ).starts
