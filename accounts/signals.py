"""Sign-in and sign-out receivers: one SignInSession row per sign-in, ended at sign-out."""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import SignInSession
from accounts.signin import remember_sign_in

logger = logging.getLogger("accounts.signin")


@receiver(user_logged_in, dispatch_uid="accounts.record_sign_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    portal = getattr(request, "portal", None)
    now = timezone.now()
    remember_sign_in(request.session, portal=portal, tenant_id=user.tenant_id, when=now)
    if portal is None:
        return  # not a portal request (a test client's force_login): nothing to audit
    method = getattr(request, "sign_in_method", SignInSession.Method.PASSWORD)
    row = SignInSession.objects.create_from_request(request, user, method=method)
    logger.info(
        "sign_in portal=%s tenant=%s account=%s method=%s sign_in_session=%s",
        portal,
        user.tenant_id,
        user.pk,
        method,
        row.pk,
    )


@receiver(user_logged_out, dispatch_uid="accounts.record_sign_out")
def record_sign_out(sender, request, user, **kwargs) -> None:
    key = request.session.session_key
    if not key:
        return
    for row in SignInSession.objects.active().filter(session_key=key):
        row.end(SignInSession.EndReason.SIGNED_OUT)
