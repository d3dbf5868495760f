"""The directory's name for what its sign-in throttle records (django-axes' own model)."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.utils.translation import gettext_lazy as _


class SignInPause(AccessAttempt):
    """Failed sign-ins of one account from one address: what pauses its sign-in, and what
    support lifts. The lockout page calls it a pause; so does the support console."""

    class Meta:
        proxy = True
        verbose_name = _("sign-in pause")
        verbose_name_plural = _("sign-in pauses")
