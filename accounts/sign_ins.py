"""Ending sign-ins: the one authority for whether a session is still alive.

A sign-in is one directory session and every portal session made from it; each of their rows
names it (`Session.sid`, the ID token's `sid`). Ending it deletes all those rows and records
the end in the sign-in history, in one transaction, so the next read of any of them, by any
worker of any server, finds nothing: reading a session is the check. After the commit,
`sign_ins_ended` tells whatever else the sign-in reached (the directory's clients).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from accounts.models import Session, SignInSession, SignInSite, User, session_reference

# Sent after the commit that ended them: sids (a set of directory sessions), reason.
sign_ins_ended = Signal()


def end_sign_in(sid: str, reason: str) -> None:
    """End the directory session ``sid`` and every portal session made from it, everywhere."""
    if not sid:
        return  # a session that names no sign-in is ended on its own (Django's flush)
    now = timezone.now()
    with transaction.atomic():
        # The history first: its rows stay locked until the commit, so a portal sign-in of this
        # directory session that checks it meanwhile waits for the answer (directory_session_lives).
        SignInSession.objects.active().filter(sid=sid).update(ended_at=now, end_reason=reason)
        Session.objects.filter(sid=sid).delete()
    announce({sid}, reason)


def end_sign_in_session(row: SignInSession, reason: str) -> bool:
    """End the sign-in ``row`` belongs to, everywhere. False if it had already ended.

    A row that names no directory session (the console's own sign-in form) is one browser's
    session on one site: that session alone ends.
    """
    if not row.is_active:
        return False
    if row.sid:
        end_sign_in(row.sid, reason)
        return True
    with transaction.atomic():
        row.end(reason)
        # The row keeps only a keyed hash of the key: find the session among its account's.
        own = Session.objects.filter(account_id=row.user_id).values_list("session_key", flat=True)
        keys = [key for key in own if session_reference(key) == row.session_ref]
        Session.objects.filter(session_key__in=keys).delete()
    return True


def end_account_sessions(user: User, reason: str) -> None:
    """End every sign-in of ``user``: the directory and both portals, in every browser."""
    now = timezone.now()
    with transaction.atomic():
        # A queryset update: saving the account would run its own receivers again. The moment
        # also changes the session hash Django checks, for a sign-in finishing meanwhile.
        User.objects.filter(pk=user.pk).update(sessions_ended_at=now)
        user.sessions_ended_at = now
        open_sign_ins = SignInSession.objects.active().filter(user=user)
        sids = set(open_sign_ins.exclude(sid="").values_list("sid", flat=True))
        open_sign_ins.update(ended_at=now, end_reason=reason)
        Session.objects.filter(account=user).delete()
    announce(sids, reason)


def announce(sids: Iterable[str], reason: str) -> None:
    sids = set(sids)
    if sids:
        transaction.on_commit(lambda: sign_ins_ended.send(sender=Session, sids=sids, reason=reason))


def directory_session_lives(sid: str) -> bool:
    """Whether the directory session ``sid`` is still signed in, waiting for an end under way.

    A portal asks after storing its new session of that directory session: if the directory
    session ended before, the answer is no; if it is ending now, the lock makes this wait for
    that commit, whose delete then finds the new session too.
    """
    if not sid:
        return False
    with transaction.atomic():
        found = (
            SignInSession.objects.active()
            .select_for_update(no_key=True)
            .filter(sid=sid, session_ref=sid, portal=SignInSite.DIRECTORY)
            .values_list("pk", flat=True)[:1]
        )
        return bool(list(found))
