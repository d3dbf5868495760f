"""The one decision: does this session get routed to the Defender portal? Pure, no I/O."""

from __future__ import annotations

from datetime import datetime

from settings_ui.propagation import effective_time
from settings_ui.state import RedirectionState


def should_route(
    state: RedirectionState,
    signed_in_at: datetime | None,
    *,
    tenant_id: int,
    account_id: int | str,
    window_seconds: int,
) -> bool:
    """Route iff On and the session signed in at or after the account's effective time.

    A session that signed in earlier is never ejected, however often the switch is
    turned Off and On again: each Off→On only ever moves ``enabled_at`` later.
    """
    if signed_in_at is None:
        return False
    starts = effective_time(
        state, tenant_id=tenant_id, account_id=account_id, window_seconds=window_seconds
    )
    return starts is not None and signed_in_at >= starts
