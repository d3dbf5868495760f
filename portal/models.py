"""Mock security data the portals show: alerts, incidents, identities, devices, health issues."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from accounts.models import Tenant


class Severity(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
    INFORMATIONAL = "informational", _("Informational")


class AlertStatus(models.TextChoices):
    """An alert's status as the Defender portal names it."""

    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")


class Classification(models.TextChoices):
    """What an analyst concluded an alert was, in the Manage alert panel's words."""

    TRUE_POSITIVE = "true_positive", _("True positive")
    INFORMATIONAL_EXPECTED_ACTIVITY = (
        "informational_expected_activity",
        _("Informational, expected activity"),
    )
    FALSE_POSITIVE = "false_positive", _("False positive")


class Determination(models.TextChoices):
    """Why, more precisely: each classification has its own list (DETERMINATIONS)."""

    MULTISTAGE_ATTACK = "multistage_attack", _("Multistage attack")
    MALICIOUS_USER_ACTIVITY = "malicious_user_activity", _("Malicious user activity")
    COMPROMISED_ACCOUNT = "compromised_account", _("Compromised account")
    MALWARE = "malware", _("Malware")
    PHISHING = "phishing", _("Phishing")
    UNWANTED_SOFTWARE = "unwanted_software", _("Unwanted software")
    SECURITY_TEST = "security_test", _("Security test")
    LINE_OF_BUSINESS_APPLICATION = "line_of_business_application", _("Line-of-business application")
    CONFIRMED_ACTIVITY = "confirmed_activity", _("Confirmed activity")
    NOT_MALICIOUS = "not_malicious", _("Not malicious")
    NOT_ENOUGH_DATA_TO_VALIDATE = "not_enough_data_to_validate", _("Not enough data to validate")
    OTHER = "other", _("Other")


# The determinations each classification offers, in the panel's order.
DETERMINATIONS = {
    Classification.TRUE_POSITIVE: (
        Determination.MULTISTAGE_ATTACK,
        Determination.MALICIOUS_USER_ACTIVITY,
        Determination.COMPROMISED_ACCOUNT,
        Determination.MALWARE,
        Determination.PHISHING,
        Determination.UNWANTED_SOFTWARE,
        Determination.OTHER,
    ),
    Classification.INFORMATIONAL_EXPECTED_ACTIVITY: (
        Determination.SECURITY_TEST,
        Determination.LINE_OF_BUSINESS_APPLICATION,
        Determination.CONFIRMED_ACTIVITY,
        Determination.OTHER,
    ),
    Classification.FALSE_POSITIVE: (
        Determination.NOT_MALICIOUS,
        Determination.NOT_ENOUGH_DATA_TO_VALIDATE,
        Determination.OTHER,
    ),
}
NOT_SET = _("Not set")
UNASSIGNED = _("Unassigned")


class ServiceSource(models.TextChoices):
    """The Defender product that raised an alert; each former portal showed its own only.

    The values are the workloads' names, as the Defender portal's "Service sources" filter
    and each former portal's redirection know them.
    """

    IDENTITY = "identity", _("Microsoft Defender for Identity")
    ENDPOINT = "endpoint", _("Microsoft Defender for Endpoint")


class DetectionSource(models.TextChoices):
    """What, inside that product, detected the activity."""

    IDENTITY = "identity", _("Defender for Identity")
    EDR = "edr", _("EDR")
    ANTIVIRUS = "antivirus", _("Antivirus")
    SMARTSCREEN = "smartscreen", _("SmartScreen")
    CUSTOM_TI = "custom_ti", _("Custom TI")
    AUTOMATED_INVESTIGATION = "automated_investigation", _("Automated investigation")


def quick_choice_labels(model: type[models.Model]) -> type[models.Model]:
    """Give each choice field a get_FOO_display that looks its label up in a ready dict.

    Django's own rebuilds the dict of every choice on each call; a list of alerts calls it
    twice a row, and that was a fifth of the legacy timeline's time.
    """
    for field in model._meta.fields:
        if field.choices:
            labels = dict(field.flatchoices)

            def display(row, attname=field.attname, labels=labels) -> str:
                value = getattr(row, attname)
                return str(labels.get(value, value))

            setattr(model, f"get_{field.name}_display", display)
    return model


class LegacyAlertStatus(models.TextChoices):
    """The same status as the legacy portal named it: it knew no triage, only suppression."""

    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    SUPPRESSED = "suppressed", _("Suppressed")


UNRESOLVED = (AlertStatus.NEW, AlertStatus.IN_PROGRESS)


class TenantQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Tenant | int | None) -> TenantQuerySet:
        """Rows of one tenant only; every portal page starts here."""
        return self.filter(tenant=tenant) if tenant is not None else self.none()


TenantManager = models.Manager.from_queryset(TenantQuerySet)


@quick_choice_labels
class Identity(models.Model):
    """An account in the tenant's on-premises directory, as the sensors see it."""

    tenant = models.ForeignKey(Tenant, related_name="identities", on_delete=models.CASCADE)
    display_name = models.CharField(_("name"), max_length=200)
    account_name = models.CharField(_("account name"), max_length=100)
    upn = models.CharField(_("user principal name"), max_length=254)
    department = models.CharField(_("department"), max_length=100, blank=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    is_sensitive = models.BooleanField(_("sensitive"), default=False)
    risk_level = models.CharField(_("investigation priority"), max_length=20, choices=Severity)
    created_at = models.DateTimeField(_("first seen"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["display_name"]
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return self.display_name


class Device(models.Model):
    """A computer the sensors have seen."""

    tenant = models.ForeignKey(Tenant, related_name="devices", on_delete=models.CASCADE)
    name = models.CharField(_("device name"), max_length=100)
    dns_name = models.CharField(_("DNS name"), max_length=254)
    os = models.CharField(_("operating system"), max_length=100)
    ip_address = models.GenericIPAddressField(_("IP address"))
    is_domain_controller = models.BooleanField(_("domain controller"), default=False)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@quick_choice_labels
class Incident(models.Model):
    """A group of related alerts, as the Defender portal's incident queue shows them."""

    tenant = models.ForeignKey(Tenant, related_name="incidents", on_delete=models.CASCADE)
    title = models.CharField(_("incident name"), max_length=200)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity)
    status = models.CharField(_("status"), max_length=20, choices=AlertStatus)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


@quick_choice_labels
class Alert(models.Model):
    """A security alert raised by a Defender product: the identity sensors or an endpoint.

    One table for both, as the Defender portal shows them in one queue under the same ids;
    the legacy portal shows the identity sensors' alerts, the Security Center the endpoints'.
    """

    tenant = models.ForeignKey(Tenant, related_name="alerts", on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=100)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity)
    status = models.CharField(_("status"), max_length=20, choices=AlertStatus)
    # A suppression rule closed it: the legacy portal says Suppressed, the Defender portal
    # Resolved, as a suppressed alert is resolved there.
    suppressed = models.BooleanField(_("suppressed"), default=False)
    detected_at = models.DateTimeField(_("first activity"), default=timezone.now)
    updated_at = models.DateTimeField(_("last activity"), default=timezone.now)
    identity = models.ForeignKey(
        Identity, related_name="alerts", on_delete=models.SET_NULL, null=True, blank=True
    )
    device = models.ForeignKey(
        Device, related_name="alerts", on_delete=models.SET_NULL, null=True, blank=True
    )
    incident = models.ForeignKey(
        Incident, related_name="alerts", on_delete=models.SET_NULL, null=True, blank=True
    )
    service_source = models.CharField(
        _("service source"), max_length=20, choices=ServiceSource, default=ServiceSource.IDENTITY
    )
    detection_source = models.CharField(
        _("detection source"),
        max_length=30,
        choices=DetectionSource,
        default=DetectionSource.IDENTITY,
    )
    # The analyst's triage, from the Manage alert panel; empty until someone sets it.
    classification = models.CharField(
        _("classification"), max_length=40, choices=Classification, blank=True, default=""
    )
    determination = models.CharField(
        _("determination"), max_length=40, choices=Determination, blank=True, default=""
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        related_name="assigned_alerts",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    objects = TenantManager()

    class Meta:
        ordering = ["-detected_at"]
        indexes = [
            models.Index(fields=["tenant", "-detected_at"], name="alert_tenant_recent"),
            # Each former portal's queue: one product's alerts of one tenant, newest first.
            models.Index(
                fields=["tenant", "service_source", "-detected_at"], name="alert_tenant_source"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def legacy_status(self) -> LegacyAlertStatus:
        return legacy_status_of(self.status, self.suppressed)


def legacy_status_of(status: str, suppressed: bool) -> LegacyAlertStatus:
    """An alert's status as the legacy portal names it, from its Defender status."""
    if status in UNRESOLVED:
        return LegacyAlertStatus.OPEN
    return LegacyAlertStatus.SUPPRESSED if suppressed else LegacyAlertStatus.CLOSED


class AppendOnlyError(Exception):
    """Raised on any attempt to rewrite or delete an alert's comments and history."""


class AlertHistoryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("An alert's history is never rewritten.")

    def delete(self):
        raise AppendOnlyError("An alert's history is never deleted.")


# What each change of an entry names, and what an empty value reads as.
TRIAGE_FIELDS = {
    "status": (_("Status"), AlertStatus, NOT_SET),
    "assigned_to": (_("Assigned to"), None, UNASSIGNED),
    "classification": (_("Classification"), Classification, NOT_SET),
    "determination": (_("Determination"), Determination, NOT_SET),
}


class AlertHistoryEntry(models.Model):
    """One save of an alert's Manage alert panel: who, when, what it changed, and the comment.

    Rows are only ever added: "Comments and history" is the alert's record of its triage.
    ``changes`` lists ``{"field", "from", "to"}`` with the stored values (an assignee as the
    account's email, which outlives a later change of who holds the alert).
    """

    alert = models.ForeignKey(Alert, related_name="history", on_delete=models.CASCADE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    text = models.TextField(_("comment"), blank=True)
    changes = models.JSONField(_("what changed"), default=list, blank=True)

    objects = AlertHistoryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["alert", "-created_at"], name="alert_history_recent")]
        verbose_name = _("alert comment or change")
        verbose_name_plural = _("alert comments and history")

    def __str__(self) -> str:
        return f"{self.alert_id} by {self.author_id} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("An alert's history is never rewritten.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("An alert's history is never deleted.")

    @property
    def change_texts(self) -> list[str]:
        """Each change in words: "Status changed from New to Resolved"."""
        return [change_text(change) for change in self.changes]


def triage_label(field: str, value: str | None) -> str:
    """A triage value as the panel shows it: its label, or what an empty one reads as."""
    _name, choices, empty = TRIAGE_FIELDS[field]
    if not value:
        return str(empty)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return str(value)


def change_text(change: dict) -> str:
    field = change.get("field", "")
    if field not in TRIAGE_FIELDS:
        return str(field)
    return (
        f"{TRIAGE_FIELDS[field][0]} changed from {triage_label(field, change.get('from'))}"
        f" to {triage_label(field, change.get('to'))}"
    )


# Which alerts each legacy status covers, and the Defender statuses it shows as.
LEGACY_STATUS_ALERTS = {
    LegacyAlertStatus.OPEN: models.Q(status__in=UNRESOLVED),
    LegacyAlertStatus.CLOSED: models.Q(status=AlertStatus.RESOLVED, suppressed=False),
    LegacyAlertStatus.SUPPRESSED: models.Q(status=AlertStatus.RESOLVED, suppressed=True),
}
LEGACY_TO_DEFENDER_STATUS = {
    LegacyAlertStatus.OPEN: UNRESOLVED,
    LegacyAlertStatus.CLOSED: (AlertStatus.RESOLVED,),
    LegacyAlertStatus.SUPPRESSED: (AlertStatus.RESOLVED,),
}


class Group(models.Model):
    """A group of the tenant's on-premises directory, as the sensors see it.

    A sensitive group (Domain Admins and the like) is watched: each change of its members is
    kept, for the group's timeline and the "Modifications to sensitive groups" report.
    """

    tenant = models.ForeignKey(Tenant, related_name="groups", on_delete=models.CASCADE)
    name = models.CharField(_("group name"), max_length=200)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_sensitive = models.BooleanField(_("sensitive"), default=False)
    members = models.ManyToManyField(Identity, related_name="groups", blank=True)
    created_at = models.DateTimeField(_("first seen"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@quick_choice_labels
class GroupChange(models.Model):
    """One change of a group's members, seen on a domain controller."""

    class Action(models.TextChoices):
        ADDED = "added", _("Member added")
        REMOVED = "removed", _("Member removed")

    tenant = models.ForeignKey(Tenant, related_name="+", on_delete=models.CASCADE)
    group = models.ForeignKey(Group, related_name="changes", on_delete=models.CASCADE)
    action = models.CharField(_("action"), max_length=20, choices=Action)
    member = models.ForeignKey(
        Identity, verbose_name=_("member"), related_name="+", on_delete=models.CASCADE
    )
    changed_by = models.ForeignKey(
        Identity,
        verbose_name=_("changed by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    domain_controller = models.ForeignKey(
        Device, related_name="+", on_delete=models.SET_NULL, null=True, blank=True
    )
    changed_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "-changed_at"], name="group_change_recent")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.group_id} ({self.changed_at:%Y-%m-%d %H:%M})"


class ClearTextPassword(models.Model):
    """An account's password seen sent in clear text from a computer (an LDAP simple bind)."""

    tenant = models.ForeignKey(Tenant, related_name="+", on_delete=models.CASCADE)
    identity = models.ForeignKey(
        Identity, related_name="clear_text_passwords", on_delete=models.CASCADE
    )
    source = models.ForeignKey(
        Device, verbose_name=_("source computer"), related_name="+", on_delete=models.CASCADE
    )
    protocol = models.CharField(_("protocol"), max_length=50, default="LDAP simple bind")
    seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    objects = TenantManager()

    class Meta:
        ordering = ["-seen_at", "-pk"]
        verbose_name = _("password exposed in clear text")
        verbose_name_plural = _("passwords exposed in clear text")

    def __str__(self) -> str:
        return f"{self.identity_id} from {self.source_id} ({self.protocol})"


@quick_choice_labels
class HealthIssue(models.Model):
    """A sensor or workspace health problem, as the Health center lists it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Kind(models.TextChoices):
        GLOBAL = "global", _("Global")
        SENSOR = "sensor", _("Sensor")

    tenant = models.ForeignKey(Tenant, related_name="health_issues", on_delete=models.CASCADE)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    recommendation = models.TextField(_("recommendation"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity)
    status = models.CharField(_("status"), max_length=20, choices=Status)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sensor = models.CharField(_("sensor"), max_length=100, blank=True)

    objects = TenantManager()

    class Meta:
        ordering = ["status", "-created_at"]

    def __str__(self) -> str:
        return self.title


class SiemIntegration(models.Model):
    """A tenant's SIEM tool, allowed to read that tenant's Security Center alerts.

    Its application at the directory (a client id and secret) gets access tokens through the
    client credentials grant; the alerts API answers each token with this tenant's alerts
    only. Support registers it in the console; removing it removes the application and so
    every token it was given.
    """

    tenant = models.ForeignKey(Tenant, related_name="siem_integrations", on_delete=models.CASCADE)
    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        related_name="siem_integration",
        on_delete=models.CASCADE,
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["tenant__name", "created_at"]
        verbose_name = _("SIEM integration")

    def __str__(self) -> str:
        return f"{self.application.name} · {self.tenant.name}"
