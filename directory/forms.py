"""The sign-in form shared by both portals, and how a typed email is read for throttling."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

EMAIL_FIELD = "username"  # the field's name: Django's authenticate() expects `username`
# Where the email typed at the first step waits for the password, in this browser's session.
PENDING_EMAIL = "directory_signin_email"


def normalized_email(value: str) -> str:
    return value.strip().lower()


def attempted_email(request: HttpRequest, credentials: Mapping | None = None) -> str | None:
    """The email a sign-in attempt was for, as the form reads it (AXES_USERNAME_CALLABLE).

    Counting failures under the same spelling the form signs in with means that
    `Analyst@Contoso.example` and `analyst@contoso.example` share one failure count.
    """
    source = credentials or getattr(request, "POST", None) or {}
    value = source.get(EMAIL_FIELD)
    if not isinstance(value, str):
        # The password step posts the password alone: the email is the one it was for.
        session = getattr(request, "session", None)
        value = session.get(PENDING_EMAIL) if session is not None else None
    return normalized_email(value) if isinstance(value, str) else None


_EMAIL_FIELD_ERRORS = {
    "required": _("Enter your email."),
    "invalid": _("Enter an email address, like name@contoso.example."),
}


class EmailForm(forms.Form):
    """The first step: an email, whether or not an account has it."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
        error_messages=_EMAIL_FIELD_ERRORS,
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)

    @staticmethod
    def normalized(value: str) -> str:
        return normalized_email(value)

    def clean_username(self) -> str:
        return normalized_email(self.cleaned_data["username"])


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
        error_messages=_EMAIL_FIELD_ERRORS,
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autofocus": True, "autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )

    error_messages = {
        # One message for every failure, so it never tells which part was wrong.
        "invalid_login": _("The email or password is incorrect. Check them and try again."),
        "inactive": _("The email or password is incorrect. Check them and try again."),
    }

    def clean_username(self) -> str:
        return normalized_email(self.cleaned_data["username"])
