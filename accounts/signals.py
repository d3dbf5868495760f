"""Sign-in and sign-out receivers: one SignInSession row per sign-in; a sign-out, a password
change or a deactivation ends the sign-ins it concerns through accounts.sign_ins."""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import SignInSession, User, session_reference
from accounts.session_keys import DIRECTORY_SID, remember_sign_in
from accounts.sign_ins import end_sign_in
from web.hosts import DIRECTORY

logger = logging.getLogger("accounts.signin")


def directory_session_of(request: HttpRequest, portal: str | None) -> str:
    """The directory session a sign-in belongs to: on the directory, the one it starts."""
    if portal == DIRECTORY:
        # A password entered again goes on with the sign-in it confirms (directory.views).
        return getattr(request, "sign_in_sid", "") or session_reference(request.session.session_key)
    return getattr(request, "sign_in_sid", "")


@receiver(user_logged_in, dispatch_uid="accounts.record_sign_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    portal = getattr(request, "portal", None)
    if request.session.session_key is None:
        request.session.save()  # login() flushed another account's session: name the new one
    sid = directory_session_of(request, portal) if portal else ""
    now = timezone.now()
    remember_sign_in(
        request.session,
        portal=portal,
        tenant_id=user.tenant_id,
        when=now,
        roles=getattr(request, "sign_in_roles", ()),
        sid=sid,
    )
    if portal is None:
        return  # not a portal request (a test client's force_login): nothing to audit
    method = getattr(request, "sign_in_method", SignInSession.Method.PASSWORD)
    row = SignInSession.objects.create_from_request(request, user, method=method, sid=sid)
    logger.info(
        "sign_in portal=%s tenant=%s account=%s method=%s sign_in_session=%s",
        portal,
        user.tenant_id,
        user.pk,
        method,
        row.pk,
    )


@receiver(user_logged_out, dispatch_uid="accounts.record_sign_out")
def end_sign_in_at_sign_out(sender, request, user, **kwargs) -> None:
    """Signing out anywhere (a portal, the directory, the support console) ends the sign-in:
    the directory session and every portal session made from it, in every browser."""
    sid = request.session.get(DIRECTORY_SID, "")
    if sid:
        end_sign_in(sid, SignInSession.EndReason.SIGNED_OUT)
        return
    # A session of no directory session (the console's own sign-in form): Django deletes it.
    key = request.session.session_key
    if key:
        for row in SignInSession.objects.active().of_session(key):
            row.end(SignInSession.EndReason.SIGNED_OUT)


@receiver(pre_save, sender=User, dispatch_uid="accounts.notice_credentials_change")
def notice_credentials_change(sender, instance: User, **kwargs) -> None:
    deactivated = False
    if instance.pk is not None and not instance.is_active:
        deactivated = User.objects.filter(pk=instance.pk, is_active=True).exists()
    instance._credentials_changed = deactivated or (
        instance.pk is not None and getattr(instance, "_password", None) is not None
    )


@receiver(post_save, sender=User, dispatch_uid="accounts.end_sign_ins_after_credentials_change")
def end_sign_ins_after_credentials_change(sender, instance: User, created: bool, **kwargs) -> None:
    # A new password or a deactivation deletes every session of the account, so turning it
    # back on revives none of them.
    if not created and getattr(instance, "_credentials_changed", False):
        instance._credentials_changed = False
        instance.end_all_sessions(SignInSession.EndReason.ACCOUNT_CHANGED)
