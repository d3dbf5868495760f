"""The routing rule, whole: is this session sent to the Defender portal?

Pure functions of a tenant's stored state, the moment and the session, with no I/O, so the
routing middleware, the rollout panel and the preview all ask the same question the same way:

1. the state in force: the stored switch with its scheduled changes applied (``settled``);
2. each account's turn: the later of the moment the switch came On and the moment its scope
   came to include the account, plus its propagation offset (``account_turn``);
3. the decision: a session is routed iff it signed in at or after its account's turn
   (``should_route``).
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from operator import attrgetter, itemgetter


# ------------------------------------------------------------------ the schedule
@dataclass(frozen=True, slots=True)
class Switching:
    """A scheduled change of the switch taking effect: On or Off, at its time."""

    at: datetime
    enabled: bool


def reached(
    *,
    enabled: bool,
    scheduled_on_at: datetime | None,
    scheduled_off_at: datetime | None,
    now: datetime,
) -> tuple[Switching, ...]:
    """The scheduled changes that have taken effect by ``now``, oldest first.

    A scheduled time counts from that very moment (``at <= now``), as ``enabled_at`` does.
    One that would set the value already in force is no change and is left out.
    """
    due = sorted(
        (
            Switching(at=at, enabled=turn_on)
            for at, turn_on in ((scheduled_on_at, True), (scheduled_off_at, False))
            if at is not None and at <= now
        ),
        key=attrgetter("at"),
    )
    changes = []
    for switching in due:
        if switching.enabled != enabled:
            changes.append(switching)
            enabled = switching.enabled
    return tuple(changes)


# ------------------------------------------------------------------ the state in force
EVERYONE, PILOT = "everyone", "pilot"


@dataclass(frozen=True, slots=True)
class RedirectionState:
    """Everything the routing decision needs about one tenant, as stored."""

    enabled: bool
    enabled_at: datetime | None
    scope: str = EVERYONE
    # The latest widening to Everyone; None when the scope has always been Everyone.
    everyone_since: datetime | None = None
    # (account id, in scope since or None for "always"), sorted by account id.
    pilot: tuple[tuple[int, datetime | None], ...] = ()
    scheduled_on_at: datetime | None = None
    scheduled_off_at: datetime | None = None

    def settled(self, now: datetime) -> RedirectionState:
        """The state in force at ``now``: scheduled changes whose time has come applied."""
        state = self
        for switching in reached(
            enabled=self.enabled,
            scheduled_on_at=self.scheduled_on_at,
            scheduled_off_at=self.scheduled_off_at,
            now=now,
        ):
            state = replace(
                state,
                enabled=switching.enabled,
                enabled_at=switching.at if switching.enabled else state.enabled_at,
            )
        if state is self:
            return self
        return replace(
            state,
            scheduled_on_at=_still_ahead(self.scheduled_on_at, now),
            scheduled_off_at=_still_ahead(self.scheduled_off_at, now),
        )

    def pilot_entry(self, account_id: int | str) -> tuple[int, datetime | None] | None:
        """(account id, in scope since) for a pilot account; None for any other account."""
        try:
            wanted = int(account_id)
        except (TypeError, ValueError):
            return None
        index = bisect_left(self.pilot, wanted, key=itemgetter(0))
        if index < len(self.pilot) and self.pilot[index][0] == wanted:
            return self.pilot[index]
        return None

    @property
    def pilot_account_ids(self) -> frozenset[int]:
        return frozenset(account_id for account_id, _since in self.pilot)


OFF = RedirectionState(enabled=False, enabled_at=None)


def _still_ahead(moment: datetime | None, now: datetime) -> datetime | None:
    return moment if moment is not None and moment > now else None


# ------------------------------------------------------------------ each account's turn
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


# ------------------------------------------------------------------ the decision
@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What a former portal's session knows about itself, from the session alone."""

    account_id: int | str
    tenant_id: int
    signed_in_at: datetime | None


def should_route(
    state: RedirectionState, session: SessionFacts, *, now: datetime, window_seconds: int
) -> bool:
    """Route iff the switch is On at ``now`` for this account and the session signed in at or
    after the account's turn (account_turn above).

    A session that signed in before a transition is never routed by it: each Off→On, widening
    or joining of the pilot only ever moves the account's turn later. Off, a reached scheduled
    Off, narrowing to the pilot or leaving it stop routing at once.
    """
    if session.signed_in_at is None:
        return False
    starts = effective_time(
        state,
        tenant_id=session.tenant_id,
        account_id=session.account_id,
        now=now,
        window_seconds=window_seconds,
    )
    return starts is not None and session.signed_in_at >= starts
