"""Input of the portal redirection page and API: the form, and the JSON body's one shape."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from settings_ui.models import SWITCH_STATES, Feedback, Scope
from settings_ui.services import KEEP, InvalidChange, RedirectionResult, RedirectionUpdate

ON, OFF = "on", "off"
MAX_BODY_BYTES = 4096
SCHEDULE_FIELDS = ("scheduled_on_at", "scheduled_off_at")
API_FIELDS = ("enabled", "feedback", "scope", "pilot_accounts", *SCHEDULE_FIELDS)
NOT_TEXT = _('The field "%(name)s" holds a character that is not text (NUL or a lone surrogate).')
# Emails typed in one box: separated by commas, semicolons, spaces or new lines.
EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


def split_emails(text: str) -> tuple[str, ...]:
    return tuple(email for email in EMAIL_SEPARATORS.split(text) if email)


def as_utc(moment: datetime) -> datetime:
    """A time without an offset is read as UTC, the time the page shows."""
    return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment


class RedirectionChangeForm(forms.Form):
    """The confirm step of the page: turn On (Enable), or Off (Disable) with optional feedback."""

    enabled = forms.TypedChoiceField(
        label=_("Automatic redirection"),
        choices=[(ON, SWITCH_STATES[True]), (OFF, SWITCH_STATES[False])],
        coerce=lambda value: value == ON,
        error_messages={
            "required": _("Choose On or Off."),
            "invalid_choice": _("Choose On or Off."),
        },
    )
    feedback = forms.CharField(
        label=_("Tell us why you're turning it off (optional)"),
        required=False,
        max_length=Feedback.MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your feedback goes to the Defender team; it doesn't change the setting."),
    )


class ScopeForm(forms.Form):
    """Who is routed: everyone, or only the pilot group named by email."""

    scope = forms.ChoiceField(
        label=_("Route"),
        choices=Scope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose Everyone or Pilot group.")},
    )
    pilot_accounts = forms.CharField(
        label=_("Pilot accounts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Emails of your organization's accounts, separated by commas or new lines."),
    )

    def update(self) -> RedirectionUpdate:
        return RedirectionUpdate(
            scope=self.cleaned_data["scope"],
            pilot_emails=split_emails(self.cleaned_data["pilot_accounts"]),
        )


DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


# What a schedule field shows and is typed in: UTC on the 24-hour clock, as its label says.
SCHEDULE_INPUT_FORMAT = "%Y-%m-%d %H:%M"
SCHEDULE_HINT = _("In UTC, on the 24-hour clock, like 2030-01-31 09:00.")


class UTCDateTimeField(forms.DateTimeField):
    """A time typed in UTC, as the label and the hint say. Not the browser's date picker: it
    shows the time in the reader's locale ("12:40 AM") under a label that says UTC."""

    widget = forms.DateTimeInput(
        attrs={"placeholder": "2030-01-31 09:00", "autocomplete": "off", "spellcheck": "false"},
        format=SCHEDULE_INPUT_FORMAT,
    )

    def __init__(self, **kwargs):
        super().__init__(input_formats=DATETIME_LOCAL_FORMATS, **kwargs)


class ScheduleForm(forms.Form):
    """When to turn it On and, optionally, Off again; both empty is no schedule."""

    scheduled_on_at = UTCDateTimeField(
        label=_("Turn On at (UTC)"),
        required=False,
        error_messages={"invalid": _("Enter a date and time, like 2030-01-31 09:00.")},
    )
    scheduled_off_at = UTCDateTimeField(
        label=_("Turn Off at (UTC)"),
        required=False,
        error_messages={"invalid": _("Enter a date and time, like 2030-01-31 17:00.")},
    )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(name) for name in SCHEDULE_FIELDS):
            raise forms.ValidationError(
                _("Enter a time to turn it On or Off, or cancel the schedule.")
            )
        return cleaned

    def update(self) -> RedirectionUpdate:
        return RedirectionUpdate(**{name: self.cleaned_data[name] for name in SCHEDULE_FIELDS})


# The staged-rollout forms, by the ``action`` each posts; cancelling has no fields.
ROLLOUT_FORMS = {"scope": ScopeForm, "schedule": ScheduleForm, "cancel_schedule": None}


def submit_rollout_form(
    action: str, data, change: Callable[[RedirectionUpdate], RedirectionResult]
) -> tuple[forms.Form, RedirectionResult | None]:
    """Validate one staged-rollout form and apply it through ``change`` (the one writer).

    Returns the form to show again (carrying the reason of a refusal) and the result, or None
    when nothing was applied. Shared by the settings page and the support console.
    """
    form_class = ROLLOUT_FORMS[action]
    form = form_class(data) if form_class else ScheduleForm()
    if form_class and not form.is_valid():
        return form, None
    update = form.update() if form_class else RedirectionUpdate.cancel_schedule()
    try:
        return form, change(update)
    except InvalidChange as refusal:
        form.add_error(None, str(refusal))
        return form, None


def rollout_form_name(action: str) -> str:
    """The context name of the form an action redisplays: cancelling shows the schedule's."""
    return "scope_form" if action == "scope" else "schedule_form"


class PreviewForm(forms.Form):
    preview = forms.CharField(label=_("Email"), max_length=254)


def storable_text(value: str) -> bool:
    """False for what JSON can carry but a database cannot store: NUL, lone surrogates.

    PostgreSQL refuses NUL in text, and no database encodes half a surrogate pair; either
    would fail only at the write, after the switch had been changed in the same transaction.
    """
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class PayloadError(ValueError):
    """A JSON body the API refuses; the message is shown to the caller as is."""


@dataclass(frozen=True)
class RedirectionPayload:
    update: RedirectionUpdate = field(default_factory=RedirectionUpdate)
    feedback: str = ""

    @property
    def enabled(self) -> bool | None:
        return self.update.enabled


def parse_redirection_payload(body: bytes) -> RedirectionPayload:
    """A JSON object with any of ``API_FIELDS``; see the API module for their meaning."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadError(str(_("The request body is larger than 4 KB.")))
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PayloadError(str(_("The request body is not valid JSON."))) from None
    except RecursionError:
        # Thousands of nested brackets: valid JSON in principle, never a body of ours.
        raise PayloadError(str(_("The request body is nested too deeply."))) from None
    if not isinstance(data, dict):
        raise PayloadError(
            str(_('The request body must be a JSON object, like {"enabled": true}.'))
        )
    unknown = sorted(set(data) - set(API_FIELDS))
    if unknown:
        raise PayloadError(
            str(_("Unknown field(s): %(fields)s. Allowed: %(allowed)s."))
            % {"fields": ", ".join(unknown), "allowed": ", ".join(API_FIELDS)}
        )
    if not set(data) - {"feedback"}:
        raise PayloadError(
            str(_("Say what to change: %(fields)s.")) % {"fields": ", ".join(API_FIELDS)}
        )
    enabled = data.get("enabled")
    if "enabled" in data and not isinstance(enabled, bool):
        raise PayloadError(str(_('The field "enabled" must be true or false.')))
    feedback = _feedback(data.get("feedback"), enabled)
    scope = data.get("scope")
    if "scope" in data and scope not in Scope.values:
        raise PayloadError(str(_('The field "scope" must be "everyone" or "pilot".')))
    pilot = data.get("pilot_accounts")
    if "pilot_accounts" in data and (
        not isinstance(pilot, list) or not all(isinstance(email, str) for email in pilot)
    ):
        raise PayloadError(str(_('The field "pilot_accounts" must be a list of emails.')))
    if pilot is not None and not all(storable_text(email) for email in pilot):
        raise PayloadError(str(NOT_TEXT) % {"name": "pilot_accounts"})
    schedule = {name: _moment(data, name) for name in SCHEDULE_FIELDS}
    return RedirectionPayload(
        update=RedirectionUpdate(
            enabled=enabled,
            scope=scope,
            pilot_emails=tuple(pilot) if pilot is not None else None,
            **schedule,
        ),
        feedback=feedback,
    )


def _feedback(feedback, enabled: bool | None) -> str:
    if feedback is None:
        return ""
    if not isinstance(feedback, str):
        raise PayloadError(str(_('The field "feedback" must be a string.')))
    if not storable_text(feedback):
        raise PayloadError(str(NOT_TEXT) % {"name": "feedback"})
    if len(feedback) > Feedback.MAX_MESSAGE_LENGTH:
        raise PayloadError(
            str(_('The field "feedback" is longer than %(max)d characters.'))
            % {"max": Feedback.MAX_MESSAGE_LENGTH}
        )
    if feedback.strip() and enabled is not False:
        raise PayloadError(str(_('The field "feedback" is only accepted when turning it Off.')))
    return feedback.strip()


def _moment(data: dict, name: str):
    if name not in data:
        return KEEP
    value = data[name]
    if value is None:
        return None
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise PayloadError(
            str(_('The field "%(name)s" must be an ISO 8601 time, like %(example)s, or null.'))
            % {"name": name, "example": '"2030-01-31T09:00:00Z"'}
        )
    return as_utc(moment)
