"""The one decision: does this session get routed to the Defender portal? Pure, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from settings_ui.propagation import effective_time
from settings_ui.state import RedirectionState


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What a legacy session knows about itself, from the session alone."""

    account_id: int | str
    tenant_id: int
    signed_in_at: datetime | None


def should_route(
    state: RedirectionState, session: SessionFacts, *, now: datetime, window_seconds: int
) -> bool:
    """Route iff the switch is On at ``now`` for this account and the session signed in at or
    after the account's turn (settings_ui.propagation.account_turn).

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
