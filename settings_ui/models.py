"""Each tenant's portal redirection per workload, its append-only audit, and feedback."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Portal, Tenant
from settings_ui.routing_rule import EVERYONE, PILOT, RedirectionState, Switching, reached
from settings_ui.workloads import DEFAULT, Workload


class Scope(models.TextChoices):
    EVERYONE = EVERYONE, _("Everyone")
    PILOT = PILOT, _("Pilot group")


class PortalRedirectionManager(models.Manager):
    def state_for(self, tenant_id: int, workload: str = DEFAULT) -> RedirectionState | None:
        """The stored state with its pilot group, in one query; None without a row."""
        fields = ("enabled", "enabled_at", "scope", "everyone_since")
        fields += ("scheduled_on_at", "scheduled_off_at")
        member = ("pilot_accounts__user_id", "pilot_accounts__in_scope_since")
        # One row per pilot account (or one row with empty member columns), by an outer join.
        rows = list(
            self.filter(tenant_id=tenant_id, workload=workload).values_list(*fields, *member)
        )
        if not rows:
            return None
        pilot = sorted((row[-2], row[-1]) for row in rows if row[-2] is not None)
        return RedirectionState(**dict(zip(fields, rows[0], strict=False)), pilot=tuple(pilot))


# The switch's state in words, wherever it is shown: the state is never told by colour alone.
SWITCH_STATES = {True: _("On"), False: _("Off")}


def on_off(enabled: bool | None) -> str:
    return str(SWITCH_STATES[bool(enabled)])


class PortalRedirection(models.Model):
    """A tenant's Automatic redirection switch. Change it only through services.py.

    ``enabled`` and ``enabled_at`` are the switch as last written; a scheduled change whose
    time has come is applied by every reader (schedule.py) and stored by the next write.
    """

    tenant = models.ForeignKey(Tenant, related_name="portal_redirections", on_delete=models.CASCADE)
    workload = models.CharField(
        _("workload"), max_length=20, choices=Workload.choices, default=DEFAULT
    )
    enabled = models.BooleanField(_("automatic redirection"), default=False)
    enabled_at = models.DateTimeField(
        _("enabled at"), null=True, blank=True, help_text=_("Time of the latest Off→On.")
    )
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    scope = models.CharField(
        _("scope"), max_length=10, choices=Scope.choices, default=Scope.EVERYONE
    )
    everyone_since = models.DateTimeField(
        _("everyone since"),
        null=True,
        blank=True,
        help_text=_("Latest widening to Everyone; empty when the scope was always Everyone."),
    )
    scheduled_on_at = models.DateTimeField(_("turns On at"), null=True, blank=True)
    scheduled_off_at = models.DateTimeField(_("turns Off at"), null=True, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    objects = PortalRedirectionManager()

    class Meta:
        verbose_name = _("portal redirection")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "workload"], name="one_switch_per_workload")
        ]
        permissions = [
            (
                "change_portal_redirection",
                "Can turn a tenant's automatic redirection on or off from the support console",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant.name} · {self.get_workload_display()}: {on_off(self.enabled)}"

    def settle(self, now: datetime) -> tuple[Switching, ...]:
        """Apply, in memory, the scheduled changes whose time has come, and return them.

        Readers call it to show the switch as it is in force; the one writer calls it on the
        locked row and stores the result with an audit row per change.
        """
        switchings = reached(
            enabled=self.enabled,
            scheduled_on_at=self.scheduled_on_at,
            scheduled_off_at=self.scheduled_off_at,
            now=now,
        )
        for switching in switchings:
            self.enabled = switching.enabled
            if switching.enabled:
                self.enabled_at = switching.at
            self.updated_at, self.updated_by = switching.at, self.scheduled_by
        if self.scheduled_on_at is not None and self.scheduled_on_at <= now:
            self.scheduled_on_at = None
        if self.scheduled_off_at is not None and self.scheduled_off_at <= now:
            self.scheduled_off_at = None
        if self.scheduled_on_at is None and self.scheduled_off_at is None:
            self.scheduled_by = None
        return switchings

    def as_state(self) -> RedirectionState:
        """This row as the decision reads it (pilot rows are read unless prefetched)."""
        pilot = () if self.pk is None else self.pilot_accounts.all()
        return RedirectionState(
            enabled=self.enabled,
            enabled_at=self.enabled_at,
            scope=self.scope,
            everyone_since=self.everyone_since,
            pilot=tuple(sorted((member.user_id, member.in_scope_since) for member in pilot)),
            scheduled_on_at=self.scheduled_on_at,
            scheduled_off_at=self.scheduled_off_at,
        )


class PilotAccount(models.Model):
    """An account in its tenant's pilot group. Change it only through services.py."""

    setting = models.ForeignKey(
        PortalRedirection, related_name="pilot_accounts", on_delete=models.CASCADE
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    # When the account's scope last came to include it without a gap: the moment it joined the
    # pilot, or earlier if it was joined while the scope was already Everyone (empty: always).
    in_scope_since = models.DateTimeField(_("in scope since"), null=True, blank=True)

    class Meta:
        verbose_name = _("pilot account")
        constraints = [
            models.UniqueConstraint(fields=["setting", "user"], name="unique_pilot_account")
        ]

    def __str__(self) -> str:
        return str(self.user)


class ChangeSource(models.TextChoices):
    WEB = "web", _("Settings page")
    API = "api", _("API")
    CLI = "cli", _("Command line")
    ADMIN = "admin", _("Support console")
    # A scheduled switch-over taking effect at its time; the actor is who scheduled it.
    SCHEDULE = "schedule", _("Schedule")


class ChangeKind(models.TextChoices):
    SWITCH = "switch", _("Automatic redirection")
    SCOPE = "scope", _("Scope")
    PILOT = "pilot", _("Pilot group")
    SCHEDULE = "schedule", _("Schedule")


class AppendOnlyError(Exception):
    """Raised on any attempt to rewrite or delete the audit."""


class RedirectionChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Redirection changes are never updated.")

    def delete(self):
        raise AppendOnlyError("Redirection changes are never deleted.")


class RedirectionChange(models.Model):
    """One real transition of a tenant's switch. Rows are only ever added."""

    tenant = models.ForeignKey(Tenant, related_name="redirection_changes", on_delete=models.PROTECT)
    workload = models.CharField(
        _("workload"), max_length=20, choices=Workload.choices, default=DEFAULT
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    source = models.CharField(_("source"), max_length=10, choices=ChangeSource.choices)
    kind = models.CharField(
        _("what changed"), max_length=10, choices=ChangeKind.choices, default=ChangeKind.SWITCH
    )
    # The switch itself (kind "switch"); empty for other kinds, which say it in words below.
    old_value = models.BooleanField(_("old value"), null=True, blank=True)
    new_value = models.BooleanField(_("new value"), null=True, blank=True)
    old_text = models.TextField(_("before"), blank=True)
    new_text = models.TextField(_("after"), blank=True)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    # Why support made the change in the console; the portal's own changes need none.
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)

    objects = RedirectionChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-changed_at"], name="change_tenant_recent"),
            # The support console's list, newest first across every tenant.
            models.Index(fields=["-changed_at", "-id"], name="change_recent"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.tenant.name} · {self.get_workload_display()}: {self.summary}"
            f" at {self.changed_at:%Y-%m-%d %H:%M:%S}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Redirection changes are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Redirection changes are never deleted.")

    @property
    def before(self) -> str:
        if self.kind == ChangeKind.SWITCH:
            return on_off(self.old_value)
        return self.old_text or str(_("none"))

    @property
    def after(self) -> str:
        if self.kind == ChangeKind.SWITCH:
            return on_off(self.new_value)
        return self.new_text or str(_("none"))

    @property
    def summary(self) -> str:
        return f"{self.get_kind_display()}: {self.before} → {self.after}"


class Feedback(models.Model):
    """What a user told us about the Defender portal or the redirection."""

    class Category(models.TextChoices):
        REDIRECTION = "redirection", _("A problem with the redirection")
        MISSING = "missing", _("Something missing in the Defender portal")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        TRIAGED = "triaged", _("Triaged")
        CLOSED = "closed", _("Closed")

    MAX_MESSAGE_LENGTH = 2000

    tenant = models.ForeignKey(
        Tenant, related_name="feedback", on_delete=models.CASCADE, null=True, blank=True
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        related_name="feedback",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    portal = models.CharField(_("portal"), max_length=20, choices=Portal.choices)
    # The redirection it is about, when it was sent from that switch (Disable & share feedback).
    workload = models.CharField(_("workload"), max_length=20, choices=Workload.choices, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    message = models.TextField(_("message"), max_length=MAX_MESSAGE_LENGTH)
    from_path = models.CharField(_("page"), max_length=500, blank=True)
    may_contact = models.BooleanField(_("may contact"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="new")
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.get_category_display()} from {self.user or 'unknown'}"
