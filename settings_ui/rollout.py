"""How far a tenant's redirection has reached: routed accounts and legacy sessions still open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max

from accounts.models import Portal, SignInSession
from settings_ui.propagation import effective_time
from settings_ui.state import RedirectionState


@dataclass(frozen=True)
class RolloutStatus:
    """What the admins see under the switch; counts that do not apply are None."""

    enabled: bool
    # While On: accounts that signed in to the legacy portal after their effective time.
    routed_accounts: int | None = None
    # While On: legacy sessions opened before the switch was turned On and still open.
    sessions_kept: int | None = None
    # While Off: every legacy session still open.
    active_legacy_sessions: int | None = None
    # While On with a propagation window: when the last account starts being routed.
    every_account_by: datetime | None = None


def rollout_status(
    tenant_id: int, state: RedirectionState, *, window_seconds: int
) -> RolloutStatus:
    """Read-only, at most two indexed queries (tenant, portal, signed_in_at), never a write."""
    legacy = SignInSession.objects.filter(tenant_id=tenant_id, portal=Portal.LEGACY)
    if not state.enabled or state.enabled_at is None:
        return RolloutStatus(enabled=False, active_legacy_sessions=legacy.active().count())

    since_on = legacy.filter(signed_in_at__gte=state.enabled_at)
    if window_seconds <= 0:
        routed = since_on.values("user_id").distinct().count()
        every_account_by = None
    else:
        # Each account has its own effective time, which SQL cannot compute: fetch each
        # account's latest sign-in since On (one row per account) and compare here.
        latest = since_on.values("user_id").annotate(last=Max("signed_in_at"))
        routed = sum(
            1
            for row in latest.values_list("user_id", "last")
            if row[1]
            >= effective_time(
                state, tenant_id=tenant_id, account_id=row[0], window_seconds=window_seconds
            )
        )
        every_account_by = state.enabled_at + timedelta(seconds=window_seconds)

    return RolloutStatus(
        enabled=True,
        routed_accounts=routed,
        sessions_kept=legacy.active().filter(signed_in_at__lt=state.enabled_at).count(),
        every_account_by=every_account_by,
    )
