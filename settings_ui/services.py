"""The one writer of the portal redirection setting: every entry point changes it here."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Tenant, User
from accounts.roles import can_change_portal_redirection, redirection_change_refused
from settings_ui.models import (
    ChangeKind,
    ChangeSource,
    PilotAccount,
    PortalRedirection,
    RedirectionChange,
    Scope,
)
from settings_ui.workloads import DEFAULT, Workload

logger = logging.getLogger("settings_ui.redirection")

# Sources whose caller has already decided who may act: the command runs with shell access
# to the server, and the admin action checks the support console's own permission. They skip
# the role check of the caller, never the check of the actor they record.
TRUSTED_SOURCES = frozenset({ChangeSource.CLI, ChangeSource.ADMIN})
# Sources a caller may name; "schedule" is the writer's own, for a scheduled change's effect.
CALLER_SOURCES = frozenset(ChangeSource.values) - {ChangeSource.SCHEDULE}
MAX_PILOT_ACCOUNTS = 500
USER_AGENT_LENGTH = RedirectionChange._meta.get_field("user_agent").max_length


def check_recorded_actor(actor, tenant: Tenant, source: str) -> None:
    """The audit names only someone who could have made the change: staff, or a changer there.

    A trusted caller skips its own role check, never this one: `--actor admin@fabrikam.example`
    on Contoso would make Contoso's history name Fabrikam's admin. Only the command may name
    nobody, recorded as "no named account".
    """
    if actor is None:
        if source == ChangeSource.CLI:
            return
        raise PermissionDenied("A change from the support console must name who made it.")
    if (actor.is_active and actor.is_staff) or can_change_portal_redirection(actor, tenant):
        return
    raise PermissionDenied(
        f"{actor.email} cannot be recorded as changing {tenant.domain}: the account must be "
        "support staff, or a Global Administrator or Security Administrator of that tenant."
    )


class Keep(Enum):
    """Leave this part of the setting as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


class InvalidChange(ValueError):
    """A change refused for its content; the message is shown to the person as is."""


@dataclass(frozen=True)
class RedirectionUpdate:
    """What to change; every part left out stays as it is. A schedule of None cancels it."""

    enabled: bool | None = None
    scope: str | None = None
    pilot_emails: tuple[str, ...] | None = None
    scheduled_on_at: datetime | Keep | None = KEEP
    scheduled_off_at: datetime | Keep | None = KEEP

    @classmethod
    def cancel_schedule(cls) -> RedirectionUpdate:
        return cls(scheduled_on_at=None, scheduled_off_at=None)


@dataclass(frozen=True)
class RedirectionResult:
    setting: PortalRedirection
    changed: bool


def set_portal_redirection(
    tenant: Tenant,
    enabled: bool,
    *,
    actor=None,
    source: str,
    ip_address: str | None = None,
    user_agent: str = "",
    workload: str = DEFAULT,
    reason: str = "",
) -> RedirectionResult:
    """Turn a tenant's Automatic redirection On or Off, audited, in one transaction."""
    if not isinstance(enabled, bool):
        raise TypeError("enabled must be True or False")
    return change_portal_redirection(
        tenant,
        RedirectionUpdate(enabled=enabled),
        actor=actor,
        source=source,
        ip_address=ip_address,
        user_agent=user_agent,
        workload=workload,
        reason=reason,
    )


def change_portal_redirection(
    tenant: Tenant,
    update: RedirectionUpdate,
    *,
    actor=None,
    source: str,
    ip_address: str | None = None,
    user_agent: str = "",
    workload: str = DEFAULT,
    reason: str = "",
) -> RedirectionResult:
    """Change a tenant's switch, scope, pilot group or schedule for one workload, audited, in
    one transaction.

    Each part that really changes appends one audit row with its before and after; setting
    what the tenant already has changes nothing (so ``enabled_at`` is never moved by a repeat
    On). Refused input raises ``InvalidChange`` and leaves everything as it was.
    """
    if source not in CALLER_SOURCES:
        raise ValueError(f"unknown change source {source!r}")
    if source in TRUSTED_SOURCES:
        check_recorded_actor(actor, tenant, source)
    elif not can_change_portal_redirection(actor, tenant):
        raise PermissionDenied(redirection_change_refused(tenant))

    with transaction.atomic():
        if workload not in Workload.values:
            raise ValueError(f"unknown workload {workload!r}")
        PortalRedirection.objects.get_or_create(tenant=tenant, workload=workload)
        setting = PortalRedirection.objects.select_for_update().get(
            tenant=tenant, workload=workload
        )
        now = timezone.now()
        change = _Change(setting, tenant, now, actor=actor, source=source)
        change.store_reached_schedule()
        change.apply(update)
        for row in change.audit:
            RedirectionChange.objects.create(
                tenant=tenant,
                workload=workload,
                ip_address=ip_address if row["source"] == source else None,
                user_agent=user_agent[:USER_AGENT_LENGTH] if row["source"] == source else "",
                reason=reason if row["source"] == source else "",
                **row,
            )
        if change.audit:
            # The cached state follows the row once this commits (state.py).
            setting.save()

    for row in change.requested:
        logger.info(
            "redirection_changed tenant=%s workload=%s actor=%s source=%s %s",
            tenant.pk,
            workload,
            getattr(actor, "pk", None),
            source,
            # What changed, without naming accounts: the log is read more widely than the audit.
            f"enabled={'on' if row['new_value'] else 'off'}"
            if row["kind"] == ChangeKind.SWITCH
            else f"changed={row['kind']}",
        )
    return RedirectionResult(setting=setting, changed=bool(change.requested))


def schedule_text(on_at: datetime | None, off_at: datetime | None) -> str:
    """A schedule in the audit's words: "On at 2025-03-01 09:00:00 UTC", or "" for none."""
    parts = [
        f"{label} at {moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
        for label, moment in (("On", on_at), ("Off", off_at))
        if moment is not None
    ]
    return ", ".join(parts)


class _Change:
    """One call of the writer on a locked row: applies each part and collects its audit."""

    def __init__(self, setting: PortalRedirection, tenant: Tenant, now: datetime, *, actor, source):
        self.setting, self.tenant, self.now = setting, tenant, now
        self.actor, self.source = actor, source
        self.audit: list[dict] = []
        self.requested: list[dict] = []

    def record(self, kind: str, before, after, **fields) -> None:
        row = {
            "kind": kind,
            "actor": fields.pop("actor", self.actor),
            "source": fields.pop("source", self.source),
            "changed_at": fields.pop("changed_at", self.now),
        }
        if kind == ChangeKind.SWITCH:
            row.update(old_value=before, new_value=after)
        else:
            row.update(old_text=before, new_text=after)
        self.audit.append(row)
        if row["source"] == self.source:
            self.requested.append(row)
            self.setting.updated_at = self.now
            self.setting.updated_by = self.actor

    # ------------------------------------------------------------------ the parts
    def store_reached_schedule(self) -> None:
        """Store the scheduled changes whose time has come, each audited at its own time."""
        scheduled_by = self.setting.scheduled_by
        for switching in self.setting.settle(self.now):
            self.record(
                ChangeKind.SWITCH,
                not switching.enabled,
                switching.enabled,
                actor=scheduled_by,
                source=ChangeSource.SCHEDULE,
                changed_at=switching.at,
            )

    def apply(self, update: RedirectionUpdate) -> None:
        if update.pilot_emails is not None:
            self.set_pilot(update.pilot_emails)
        if update.scope is not None:
            self.set_scope(update.scope)
        if update.enabled is not None:
            self.set_enabled(update.enabled)
        if update.scheduled_on_at is not KEEP or update.scheduled_off_at is not KEEP:
            self.set_schedule(
                self.setting.scheduled_on_at
                if update.scheduled_on_at is KEEP
                else update.scheduled_on_at,
                self.setting.scheduled_off_at
                if update.scheduled_off_at is KEEP
                else update.scheduled_off_at,
            )
        if self.setting.scope == Scope.PILOT and not self.setting.pilot_accounts.exists():
            raise InvalidChange(_("Add at least one account to the pilot group."))

    def set_pilot(self, emails: tuple[str, ...]) -> None:
        wanted = _accounts_of(self.tenant, emails)
        current = {
            member.user_id: member for member in self.setting.pilot_accounts.select_related("user")
        }
        before = sorted(member.user.email for member in current.values())
        removed = [member.pk for user_id, member in current.items() if user_id not in wanted]
        added = [account for user_id, account in wanted.items() if user_id not in current]
        if not removed and not added:
            return
        # An account joined while the scope is Everyone has been in scope since the widening
        # (or always), so narrowing later does not restart its turn.
        since = self.setting.everyone_since if self.setting.scope == Scope.EVERYONE else self.now
        self.setting.pilot_accounts.filter(pk__in=removed).delete()
        PilotAccount.objects.bulk_create(
            PilotAccount(
                setting=self.setting, user=account, added_at=self.now, in_scope_since=since
            )
            for account in added
        )
        after = sorted(account.email for account in wanted.values())
        self.record(ChangeKind.PILOT, ", ".join(before), ", ".join(after))

    def set_scope(self, scope: str) -> None:
        if scope not in Scope.values:
            raise InvalidChange(_('The scope must be "everyone" or "pilot".'))
        if scope == self.setting.scope:
            return
        before = Scope(self.setting.scope).label
        self.setting.scope = scope
        if scope == Scope.EVERYONE:
            self.setting.everyone_since = self.now
        self.record(ChangeKind.SCOPE, str(before), str(Scope(scope).label))

    def set_enabled(self, enabled: bool) -> None:
        setting = self.setting
        if setting.enabled == enabled:
            return
        self.record(ChangeKind.SWITCH, setting.enabled, enabled)
        setting.enabled = enabled
        if enabled:
            setting.enabled_at = self.now
        # Turning it the way a pending schedule would turn it makes that schedule moot.
        moot = "scheduled_on_at" if enabled else "scheduled_off_at"
        if getattr(setting, moot) is not None:
            on_at, off_at = setting.scheduled_on_at, setting.scheduled_off_at
            setattr(setting, moot, None)
            self._record_schedule(on_at, off_at)

    def set_schedule(self, on_at: datetime | None, off_at: datetime | None) -> None:
        setting = self.setting
        for moment in (on_at, off_at):
            if moment is not None and moment <= self.now:
                raise InvalidChange(_("A scheduled time must be in the future."))
        if on_at is not None and on_at == off_at:
            raise InvalidChange(_("Turning On and turning Off can't be scheduled for one time."))
        upcoming = sorted((m, turn_on) for m, turn_on in ((on_at, True), (off_at, False)) if m)
        if upcoming and upcoming[0][1] == setting.enabled:
            raise InvalidChange(
                _("Automatic redirection is already On: schedule a time to turn it Off.")
                if setting.enabled
                else _("Automatic redirection is already Off: schedule a time to turn it On.")
            )
        if (on_at, off_at) == (setting.scheduled_on_at, setting.scheduled_off_at):
            return
        old_on, old_off = setting.scheduled_on_at, setting.scheduled_off_at
        setting.scheduled_on_at, setting.scheduled_off_at = on_at, off_at
        self._record_schedule(old_on, old_off)

    def _record_schedule(self, old_on: datetime | None, old_off: datetime | None) -> None:
        setting = self.setting
        pending = setting.scheduled_on_at or setting.scheduled_off_at
        setting.scheduled_by = self.actor if pending else None
        self.record(
            ChangeKind.SCHEDULE,
            schedule_text(old_on, old_off),
            schedule_text(setting.scheduled_on_at, setting.scheduled_off_at),
        )


def _accounts_of(tenant: Tenant, emails: tuple[str, ...]) -> dict[int, User]:
    """The tenant's accounts for these emails; any other email refuses the whole change.

    Unknown emails and another tenant's accounts get the same answer, so the page cannot be
    used to learn which emails exist elsewhere.
    """
    wanted = {email.strip().lower() for email in emails if email and email.strip()}
    if len(wanted) > MAX_PILOT_ACCOUNTS:
        raise InvalidChange(
            _("A pilot group holds at most %(count)d accounts.") % {"count": MAX_PILOT_ACCOUNTS}
        )
    if not wanted:
        return {}
    accounts = User.objects.annotate(lower_email=Lower("email")).filter(
        tenant=tenant, lower_email__in=wanted
    )
    found = {user.email.lower(): user for user in accounts}
    missing = sorted(wanted - set(found))
    if missing:
        raise InvalidChange(
            _("Not an account of %(tenant)s: %(emails)s.")
            % {"tenant": tenant.name, "emails": ", ".join(missing)}
        )
    return {user.pk: user for user in found.values()}
