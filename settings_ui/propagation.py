"""How a change reaches accounts: each account's stable delay within the propagation window.

Pure functions, shared by the routing decision (portal) and the rollout status (settings).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from settings_ui.state import RedirectionState


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


def effective_time(
    state: RedirectionState, *, tenant_id: int, account_id: int | str, window_seconds: int
) -> datetime | None:
    """When routing starts for this account, or None while redirection is Off."""
    if not state.enabled or state.enabled_at is None:
        return None
    return state.enabled_at + propagation_offset(tenant_id, account_id, window_seconds)
