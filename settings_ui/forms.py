"""Input of every door to the switch: the settings page, the JSON API, the command, the console.

One form, RedirectionForm, checks a change whatever door it came through and refuses it with
the same messages; the page's three forms are parts of it. The API and the command only turn
their own syntax (JSON, options) into its data. Whether a change makes sense for the tenant
(its accounts, a time in the future) is the one writer's to say (services.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from settings_ui.models import SWITCH_STATES, Feedback, Scope
from settings_ui.services import KEEP, InvalidChange, RedirectionResult, RedirectionUpdate
from settings_ui.workloads import Workload

ON, OFF = "on", "off"
SCHEDULE_FIELDS = ("scheduled_on_at", "scheduled_off_at")
NOT_TEXT = _("This holds a character that is not text (NUL or a lone surrogate).")
# Emails typed in one box: separated by commas, semicolons, spaces or new lines.
EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


def split_emails(text: str) -> tuple[str, ...]:
    return tuple(email for email in EMAIL_SEPARATORS.split(text) if email)


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


def refuse_unstorable(value: str) -> None:
    if not storable_text(value):
        raise forms.ValidationError(NOT_TEXT, code="not_text")


# What a schedule field shows and is typed in: UTC on the 24-hour clock, as its label says.
SCHEDULE_INPUT_FORMAT = "%Y-%m-%d %H:%M"
SCHEDULE_HINT = _("In UTC, on the 24-hour clock, like 2030-01-31 09:00.")


class MomentField(forms.DateTimeField):
    """A time in ISO 8601 (or "2030-01-31 09:00" as typed); without an offset, UTC.

    The project's TIME_ZONE is UTC and the labels say so. Not the browser's date picker: it
    shows the time in the reader's locale ("12:40 AM") under a label that says UTC. A time
    that exists only before year 1 or after year 9999 once turned into UTC is refused, not an
    error of the server.
    """

    widget = forms.DateTimeInput(
        attrs={"placeholder": "2030-01-31 09:00", "autocomplete": "off", "spellcheck": "false"},
        format=SCHEDULE_INPUT_FORMAT,
    )
    default_error_messages = {
        "invalid": _("Enter a date and time, like 2030-01-31 09:00 (UTC) or 2030-01-31T09:00Z."),
        "out_of_range": _("Enter a time between the years 1 and 9999."),
    }

    def to_python(self, value) -> datetime | None:
        if value in self.empty_values:
            return None
        moment = value if isinstance(value, datetime) else None
        if moment is None and isinstance(value, str):
            try:
                moment = parse_datetime(value.strip())
            except ValueError:
                moment = None
        if moment is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return (moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment).astimezone(
                UTC
            )
        except OverflowError:
            raise forms.ValidationError(
                self.error_messages["out_of_range"], code="out_of_range"
            ) from None


class PilotAccountsField(forms.Field):
    """The whole pilot group: emails typed in one box, or a list of them (the API's)."""

    widget = forms.Textarea(attrs={"rows": 3})
    default_error_messages = {"invalid": _("Enter the pilot group as emails.")}

    def to_python(self, value) -> tuple[str, ...] | None:
        if value is None:
            return None
        if isinstance(value, str):
            emails = split_emails(value)
        elif isinstance(value, list | tuple) and all(isinstance(email, str) for email in value):
            emails = tuple(email.strip() for email in value if email.strip())
        else:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        for email in emails:
            refuse_unstorable(email)
        return emails


class FeedbackField(forms.CharField):
    """What the admin tells support when turning it Off: text only, at most 2,000 characters."""

    default_error_messages = {"invalid": _("Enter the feedback as text.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", Feedback.MAX_MESSAGE_LENGTH)
        super().__init__(validators=[refuse_unstorable], **kwargs)

    def to_python(self, value):
        if value not in self.empty_values and not isinstance(value, str):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class RedirectionForm(forms.Form):
    """One change of the switch or its staged rollout, whatever door it came through.

    A field the input does not name stays as it is; a schedule named empty is cancelled.
    """

    enabled = forms.TypedChoiceField(
        label=_("Automatic redirection"),
        choices=[(ON, SWITCH_STATES[True]), (OFF, SWITCH_STATES[False])],
        coerce=lambda value: value == ON,
        empty_value=None,
        required=False,
        error_messages={
            "required": _("Choose On or Off."),
            "invalid_choice": _("Choose On or Off."),
        },
    )
    feedback = FeedbackField(
        label=_("Tell us why you're turning it off (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your feedback goes to the Defender team; it doesn't change the setting."),
    )
    scope = forms.ChoiceField(
        label=_("Route"),
        choices=Scope.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={
            "required": _("Choose Everyone or Pilot group."),
            "invalid_choice": _("Choose Everyone or Pilot group."),
        },
    )
    pilot_accounts = PilotAccountsField(
        label=_("Pilot accounts"),
        required=False,
        help_text=_("Emails of your organization's accounts, separated by commas or new lines."),
    )
    scheduled_on_at = MomentField(label=_("Turn On at (UTC)"), required=False)
    scheduled_off_at = MomentField(label=_("Turn Off at (UTC)"), required=False)

    def named(self, name: str) -> bool:
        return name in self.fields and name in self.data

    def clean(self):
        cleaned = super().clean()
        if self.named("enabled") and "enabled" in cleaned and cleaned["enabled"] is None:
            self.add_error("enabled", self.fields["enabled"].error_messages["required"])
        feedback = cleaned.get("feedback") or ""
        if feedback and cleaned.get("enabled") is not False:
            self.add_error("feedback", _("Feedback is only taken when turning it Off."))
        return cleaned

    def update(self) -> RedirectionUpdate:
        def given(name: str, absent):
            return self.cleaned_data[name] if self.named(name) else absent

        return RedirectionUpdate(
            enabled=given("enabled", None),
            scope=given("scope", None) or None,
            pilot_emails=given("pilot_accounts", None),
            scheduled_on_at=given("scheduled_on_at", KEEP),
            scheduled_off_at=given("scheduled_off_at", KEEP),
        )

    @property
    def feedback_text(self) -> str:
        return (self.cleaned_data.get("feedback") or "") if "feedback" in self.fields else ""

    def refusal(self) -> str:
        """The first reason the input was refused, in one line for the API and the command."""
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            return f"{field.label}: {errors[0]}" if field else str(errors[0])
        return ""


class RedirectionChangeForm(RedirectionForm):
    """The confirm step of the page: turn On (Enable), or Off (Disable) with optional feedback."""

    scope = pilot_accounts = scheduled_on_at = scheduled_off_at = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enabled"].required = True


class ScopeForm(RedirectionForm):
    """Who is routed: everyone, or only the pilot group named by email."""

    enabled = feedback = scheduled_on_at = scheduled_off_at = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].required = True

    def update(self) -> RedirectionUpdate:
        # The box is always posted: empty names an empty group, never "keep it".
        return RedirectionUpdate(
            scope=self.cleaned_data["scope"],
            pilot_emails=self.cleaned_data["pilot_accounts"] or (),
        )


class ScheduleForm(RedirectionForm):
    """When to turn it On and, optionally, Off again; both empty is no schedule."""

    enabled = feedback = scope = pilot_accounts = None

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


class ConsoleSwitchForm(forms.Form):
    """What support confirms before turning a switch from the console: which one, and why."""

    workload = forms.ChoiceField(
        label=_("Which portal redirection"),
        choices=Workload.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose which portal redirection to turn.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the tenant's audit with your account, e.g. the ticket number."),
        error_messages={"required": _("Say why: the reason goes into the audit.")},
        validators=[refuse_unstorable],
    )


class PreviewForm(forms.Form):
    preview = forms.CharField(label=_("Email"), max_length=254)
