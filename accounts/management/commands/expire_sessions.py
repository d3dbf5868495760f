"""`expire_sessions`: Django's `clearsessions`, then the sign-ins whose session is gone.

A command of its own name, not an override of `clearsessions`: which of two same-named
commands manage.py runs would hang on the order of INSTALLED_APPS.
"""

from __future__ import annotations

from django.contrib.sessions.management.commands import clearsessions
from django.core.management.base import CommandError, CommandParser
from django.db.models import Q
from django.utils import timezone

from accounts.models import SignInSession, sign_in_lifetime
from accounts.sign_ins import announce

DEFAULT_BATCH_SIZE = 1000


class Command(clearsessions.Command):
    help = (
        "Delete expired sessions (Django's clearsessions), then record every sign-in whose "
        "session is gone or expired as ended (Expired). Safe to run while the portals serve; "
        "run it from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help="Sign-in rows examined per statement (default %(default)s).",
        )

    def handle(self, *args, batch_size: int = DEFAULT_BATCH_SIZE, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be a positive number.")
        super().handle(*args, **options)
        ended = end_expired_sign_ins(batch_size=batch_size)
        self.stdout.write(f"Sign-in sessions recorded as expired: {ended}")


def end_expired_sign_ins(*, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Record unended sign-ins past their lifetime as expired, and announce their end.

    Their sessions are past their expiry already (a sign-in pins it), so nothing reads them;
    every other end (sign-out, support, a password change) records and announces itself.
    The announcement revokes the tokens the directory issued for them and tells its clients.

    Walks the unended rows in primary-key windows of `batch_size`, one UPDATE per window, so
    no statement holds many rows and a sign-out made meanwhile is never overwritten (only
    rows still unended are touched).
    """
    now = timezone.now()
    unended = SignInSession.objects.filter(ended_at__isnull=True).order_by("pk")
    gone = Q(signed_in_at__lte=now - sign_in_lifetime())
    ended = 0
    start = 0
    while True:
        following = list(
            unended.filter(pk__gte=start).values_list("pk", flat=True)[batch_size : batch_size + 1]
        )
        window = Q(pk__gte=start, pk__lt=following[0]) if following else Q(pk__gte=start)
        ending = unended.filter(gone, window)
        sids = set(ending.exclude(sid="").values_list("sid", flat=True))
        ended += ending.update(ended_at=now, end_reason=SignInSession.EndReason.EXPIRED)
        announce(sids, SignInSession.EndReason.EXPIRED)
        if not following:
            return ended
        start = following[0]
