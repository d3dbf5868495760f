"""Sign-in and sign-out receivers: one SignInSession row per sign-in, ended when it ends."""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import SignInSession, User
from accounts.session_keys import remember_sign_in

logger = logging.getLogger("accounts.session_keys")


@receiver(user_logged_in, dispatch_uid="accounts.record_sign_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    portal = getattr(request, "portal", None)
    now = timezone.now()
    remember_sign_in(
        request.session,
        portal=portal,
        tenant_id=user.tenant_id,
        when=now,
        roles=getattr(request, "sign_in_roles", ()),
    )
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
    for row in SignInSession.objects.active().of_session(key):
        row.end(SignInSession.EndReason.SIGNED_OUT)


@receiver(pre_save, sender=User, dispatch_uid="accounts.notice_credentials_change")
def notice_credentials_change(sender, instance: User, **kwargs) -> None:
    # A new password already ends every session (the session hash changes with it), and an
    # inactive account signs nowhere; here the sign-in history is told so.
    deactivated = False
    if instance.pk is not None and not instance.is_active:
        deactivated = User.objects.filter(pk=instance.pk, is_active=True).exists()
    instance._credentials_changed = deactivated or (
        instance.pk is not None and getattr(instance, "_password", None) is not None
    )


@receiver(post_save, sender=User, dispatch_uid="accounts.end_sign_ins_after_credentials_change")
def end_sign_ins_after_credentials_change(sender, instance: User, created: bool, **kwargs) -> None:
    if not created and getattr(instance, "_credentials_changed", False):
        SignInSession.objects.active().filter(user=instance).update(
            ended_at=timezone.now(), end_reason=SignInSession.EndReason.ACCOUNT_CHANGED
        )
