"""How far a tenant's redirection has reached, counted through each account's turn.

The counts ask ``propagation.account_turn`` (the routing decision's own effective time) about
every account instead of restating the rule in SQL; SQL only narrows the rows to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from accounts.models import SignInSession, Tenant, User
from settings_ui.routing_rule import PILOT, RedirectionState, Turn, Why, account_turn
from settings_ui.workloads import DEFAULT, WORKLOADS


@dataclass(frozen=True)
class RolloutStatus:
    """What the admins see under the switch; counts that do not apply are None."""

    enabled: bool
    scope: str = "everyone"
    # While On: accounts whose latest legacy sign-in came at or after their turn.
    routed_pilot: int | None = None
    routed_others: int | None = None
    # While On: open legacy sessions opened before their account's turn (never ejected).
    sessions_kept: int | None = None
    # While On for the pilot group: open legacy sessions of accounts outside it.
    sessions_outside_pilot: int | None = None
    # While Off: every legacy session still open.
    active_legacy_sessions: int | None = None
    # While On with a propagation window: when the last account in scope starts being routed.
    every_account_by: datetime | None = None

    @property
    def routed_accounts(self) -> int | None:
        if self.routed_pilot is None:
            return None
        return self.routed_pilot + self.routed_others


class _Turns:
    """Each account's turn, worked out once per account."""

    def __init__(self, state: RedirectionState, tenant_id: int, now: datetime, window: int):
        self.state, self.tenant_id, self.now, self.window = state, tenant_id, now, window
        self.known: dict[int, Turn] = {}

    def __call__(self, account_id: int) -> Turn:
        if account_id not in self.known:
            self.known[account_id] = account_turn(
                self.state,
                tenant_id=self.tenant_id,
                account_id=account_id,
                now=self.now,
                window_seconds=self.window,
            )
        return self.known[account_id]


def rollout_status(
    tenant_id: int,
    state: RedirectionState,
    *,
    now: datetime,
    window_seconds: int,
    workload: str = DEFAULT,
) -> RolloutStatus:
    """Read-only, two indexed queries (tenant, portal, signed_in_at), never a write.

    Counts the sign-ins of the workload's former portal, the ones its switch routes.
    """
    current = state.settled(now)
    legacy = SignInSession.objects.filter(
        tenant_id=tenant_id, portal=WORKLOADS[workload].former_site
    )
    if not current.enabled or current.enabled_at is None:
        return RolloutStatus(
            enabled=False, scope=current.scope, active_legacy_sessions=legacy.active().count()
        )

    turn = _Turns(state, tenant_id, now, window_seconds)
    pilot_ids = current.pilot_account_ids
    routed = {True: 0, False: 0}
    # No account's turn comes before the switch came On: older sign-ins need no look.
    latest = (
        legacy.filter(signed_in_at__gte=current.enabled_at)
        .values("user_id")
        .annotate(last=Max("signed_in_at"))
        .values_list("user_id", "last")
    )
    for user_id, last in latest:
        starts = turn(user_id).starts
        if starts is not None and last >= starts:
            routed[user_id in pilot_ids] += 1

    kept = outside = 0
    for user_id, signed_in_at in legacy.active().values_list("user_id", "signed_in_at"):
        starts = turn(user_id).starts
        if starts is None:
            outside += 1
        elif signed_in_at < starts:
            kept += 1

    return RolloutStatus(
        enabled=True,
        scope=current.scope,
        routed_pilot=routed[True],
        routed_others=routed[False],
        sessions_kept=kept,
        sessions_outside_pilot=outside if current.scope == PILOT else None,
        every_account_by=_every_account_by(current, window_seconds),
    )


def _every_account_by(current: RedirectionState, window_seconds: int) -> datetime | None:
    if window_seconds <= 0:
        return None
    if current.scope == PILOT:
        moments = [since for _account, since in current.pilot if since is not None]
    else:
        moments = [current.everyone_since] if current.everyone_since else []
    return max([current.enabled_at, *moments]) + timedelta(seconds=window_seconds)


@dataclass(frozen=True)
class Preview:
    """Whether an account would be routed if it signed in to the former portal now, and why."""

    email: str
    routed: bool
    reason: str


def preview(
    tenant: Tenant, state: RedirectionState, email: str, *, now: datetime, window_seconds: int
) -> Preview:
    """A sign-in at ``now`` is routed iff ``now`` is at or after the account's turn."""
    email = email.strip()
    account = User.objects.filter(tenant=tenant, email__iexact=email).first()
    if account is None:
        return Preview(
            email,
            False,
            _("%(email)s is not an account of %(tenant)s.")
            % {"email": email, "tenant": tenant.name},
        )
    turn = account_turn(
        state, tenant_id=tenant.pk, account_id=account.pk, now=now, window_seconds=window_seconds
    )
    if turn.why == Why.OFF:
        scheduled = state.settled(now).scheduled_on_at
        reason = _("Automatic redirection is Off.")
        if scheduled:
            reason = _("Automatic redirection is Off until it turns On at %(time)s.") % {
                "time": _moment(scheduled)
            }
        return Preview(account.email, False, reason)
    if turn.why == Why.NOT_IN_PILOT:
        return Preview(
            account.email,
            False,
            _("Automatic redirection is On for the pilot group only; this account isn't in it."),
        )
    if now < turn.starts:
        return Preview(
            account.email,
            False,
            _("Not yet: the change reaches this account at %(time)s.")
            % {"time": _moment(turn.starts)},
        )
    if turn.why == Why.PILOT:
        return Preview(
            account.email, True, _("This account is in the pilot group, and it is On for them.")
        )
    return Preview(account.email, True, _("Automatic redirection is On for everyone."))


def _moment(moment: datetime) -> str:
    """A time in a reason, written as the audit writes one, so the page draws it like any other."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
