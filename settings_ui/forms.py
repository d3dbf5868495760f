"""Input of the portal redirection page and API: the form, and the JSON body's one shape."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from settings_ui.models import SWITCH_STATES, Feedback

ON, OFF = "on", "off"
MAX_BODY_BYTES = 4096
API_FIELDS = frozenset({"enabled", "feedback"})
NOT_TEXT = _('The field "feedback" holds a character that is not text (NUL or a lone surrogate).')


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


class PayloadError(ValueError):
    """A JSON body the API refuses; the message is shown to the caller as is."""


@dataclass(frozen=True)
class RedirectionPayload:
    enabled: bool
    feedback: str = ""


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


def parse_redirection_payload(body: bytes) -> RedirectionPayload:
    """``{"enabled": true|false}``, plus an optional ``"feedback"`` string when turning Off."""
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
    unknown = sorted(set(data) - API_FIELDS)
    if unknown:
        raise PayloadError(
            str(_("Unknown field(s): %(fields)s. Allowed: enabled, feedback."))
            % {"fields": ", ".join(unknown)}
        )
    if "enabled" not in data:
        raise PayloadError(str(_('The field "enabled" is required.')))
    enabled = data["enabled"]
    if not isinstance(enabled, bool):
        raise PayloadError(str(_('The field "enabled" must be true or false.')))
    feedback = data.get("feedback", "")
    if feedback is None:
        feedback = ""
    if not isinstance(feedback, str):
        raise PayloadError(str(_('The field "feedback" must be a string.')))
    if not storable_text(feedback):
        raise PayloadError(str(NOT_TEXT))
    if len(feedback) > Feedback.MAX_MESSAGE_LENGTH:
        raise PayloadError(
            str(_('The field "feedback" is longer than %(max)d characters.'))
            % {"max": Feedback.MAX_MESSAGE_LENGTH}
        )
    if feedback.strip() and enabled:
        raise PayloadError(str(_('The field "feedback" is only accepted when turning it Off.')))
    return RedirectionPayload(enabled=enabled, feedback=feedback.strip())
