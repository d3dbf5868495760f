"""What the directory keeps: its clients' sign-ins (who is told when one ends, and what), and
its name for what its sign-in throttle records (django-axes' own model)."""

from __future__ import annotations

from urllib.parse import urlsplit

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication
from oauth2_provider.settings import oauth2_settings


class SignInPause(AccessAttempt):
    """Failed sign-ins of one account from one address: what pauses its sign-in, and what
    support lifts. The lockout page calls it a pause; so does the support console."""

    class Meta:
        proxy = True
        verbose_name = _("sign-in pause")
        verbose_name_plural = _("sign-in pauses")


class BackChannelLogout(models.Model):
    """A client's back-channel logout URI (OpenID Connect Back-Channel Logout 1.0).

    When a sign-in that issued tokens to this client ends, the directory posts a signed
    logout token there, server to server, naming the sign-in (`sid`) and the account (`sub`).
    """

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        verbose_name=_("client"),
        related_name="back_channel_logout",
        on_delete=models.CASCADE,
    )
    # Every logout token names the sign-in (`sid`): backchannel_logout_session_required is
    # met for every client, so there is nothing to register about it.
    uri = models.URLField(_("back-channel logout URI"), max_length=2000)

    class Meta:
        verbose_name = _("back-channel logout")
        verbose_name_plural = _("back-channel logouts")

    def __str__(self) -> str:
        return f"{self.application} → {self.uri}"

    def clean(self) -> None:
        scheme = urlsplit(self.uri).scheme
        if scheme not in oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES:
            raise ValidationError({"uri": _("This scheme is not allowed here.")})
        application = getattr(self, "application", None)
        if application and application.algorithm != AbstractApplication.RS256_ALGORITHM:
            # The logout token is signed as the client's ID tokens are: with the directory's key.
            raise ValidationError(
                {"application": _("Only a client whose ID tokens are signed RS256.")}
            )
        if application and application.client_id == settings.OIDC_CLIENT_ID:
            raise ValidationError({"application": _("The portals end their sessions directly.")})


class SignInClient(models.Model):
    """Tokens the directory issued to a client for one sign-in (one code exchange).

    Kept as long as the sign-in lives: when it ends, these tokens are revoked and the client,
    if it registered a back-channel logout URI, is told.
    """

    sid = models.CharField(_("directory session"), max_length=64, db_index=True)
    application = models.ForeignKey(
        oauth2_settings.APPLICATION_MODEL, verbose_name=_("client"), on_delete=models.CASCADE
    )
    subject = models.CharField(_("subject"), max_length=255)
    access_token = models.ForeignKey(
        oauth2_settings.ACCESS_TOKEN_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Refreshing keeps the family: revoking it revokes every token refreshed from these.
    token_family = models.UUIDField(null=True, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("sign-in client")

    def __str__(self) -> str:
        return f"{self.application} · {self.issued_at:%Y-%m-%d %H:%M}"
