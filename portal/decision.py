"""The one decision: does this session get routed to the Defender portal? Pure, no I/O."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from settings_ui.state import RedirectionState


def propagation_offset(tenant_id: int, account_id: int | str, window_seconds: int) -> timedelta:
    """A stable delay for one account, spread evenly over the propagation window.

    A zero window means every account at once; otherwise some accounts are routed almost
    immediately and the last ones at the end of the window, always the same per account.
    """
    if window_seconds <= 0:
        return timedelta(0)
    digest = hashlib.blake2b(f"{tenant_id}:{account_id}".encode(), digest_size=8).digest()
    fraction = int.from_bytes(digest, "big") / 2**64
    return timedelta(seconds=fraction * window_seconds)


def effective_time(
    state: RedirectionState, *, tenant_id: int, account_id: int | str, window_seconds: int
) -> datetime | None:
    """When routing starts for this account, or None while redirection is Off."""
    if not state.enabled or state.enabled_at is None:
        return None
    return state.enabled_at + propagation_offset(tenant_id, account_id, window_seconds)


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
