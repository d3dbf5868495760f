"""The sign-in form shared by both portals."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        # One message for every failure, so it never tells which part was wrong.
        "invalid_login": _("The email or password is incorrect. Check them and try again."),
        "inactive": _("The email or password is incorrect. Check them and try again."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()
