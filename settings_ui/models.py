"""The per-tenant portal redirection setting, its append-only audit, and feedback."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Portal, Tenant
from settings_ui import state

# The switch's state in words, wherever it is shown: the state is never told by colour alone.
SWITCH_STATES = {True: _("On"), False: _("Off")}


def on_off(enabled: bool | None) -> str:
    return str(SWITCH_STATES[bool(enabled)])


class PortalRedirection(models.Model):
    """A tenant's Automatic redirection switch. Change it only through services.py."""

    tenant = models.OneToOneField(
        Tenant, related_name="portal_redirection", on_delete=models.CASCADE
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

    class Meta:
        verbose_name = _("portal redirection")
        permissions = [
            (
                "change_portal_redirection",
                "Can turn a tenant's automatic redirection on or off from the support console",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant.name}: {'On' if self.enabled else 'Off'}"

    # The cached state follows the row, whoever writes it: after the commit only, so a
    # rolled-back write never reaches the cache (as django-waffle does).
    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self._refresh_cached_state_on_commit(kwargs.get("using"))

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        self._refresh_cached_state_on_commit(kwargs.get("using"))
        return deleted

    def _refresh_cached_state_on_commit(self, using: str | None) -> None:
        tenant_id = self.tenant_id
        transaction.on_commit(lambda: state.refresh(tenant_id), using=using)


class ChangeSource(models.TextChoices):
    WEB = "web", _("Settings page")
    API = "api", _("API")
    CLI = "cli", _("Command line")
    ADMIN = "admin", _("Support console")


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
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    source = models.CharField(_("source"), max_length=10, choices=ChangeSource.choices)
    old_value = models.BooleanField(_("old value"))
    new_value = models.BooleanField(_("new value"))
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)

    objects = RedirectionChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-changed_at"], name="change_tenant_recent")]

    def __str__(self) -> str:
        moment = f"{self.changed_at:%Y-%m-%d %H:%M:%S}"
        return f"{self.tenant.name}: {on_off(self.new_value)} at {moment}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Redirection changes are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Redirection changes are never deleted.")


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
