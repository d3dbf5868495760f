"""Sign-in throttling on django-axes' records: per account + address, and per address.

Axes counts failures per account + address pair (AXES_LOCKOUT_PARAMETERS) against
SIGN_IN_FAILURE_LIMIT. The second, much higher limit per address (SIGN_IN_ADDRESS_FAILURE_LIMIT)
is read from the same records by `failure_limit`, axes' AXES_FAILURE_LIMIT callable: once an
address has reached it, the limit for every pair behind that address is 0, so every attempt
from there is paused. Guessing one account's password from one address and spraying one
password over many accounts are both stopped; made-up emails from a shared office address
pause only that address's guesses, not the accounts behind it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.utils import timezone


@dataclass(frozen=True)
class Failure:
    """One axes record: the failures of one account + address (+ browser), at its latest."""

    username: str | None
    ip_address: str | None
    attempt_time: datetime
    failures: int


@dataclass(frozen=True)
class SignInThrottle:
    """Where an account + address stands: paused until a moment, or failures left before that."""

    paused_until: datetime | None
    failures_left: int

    @property
    def is_paused(self) -> bool:
        return self.paused_until is not None

    def seconds_left(self, now: datetime | None = None) -> int:
        if self.paused_until is None:
            return 0
        remaining = (self.paused_until - (now or timezone.now())).total_seconds()
        return max(0, math.ceil(remaining))


def counted_since() -> datetime:
    """Failures older than the cool-off no longer count (axes ignores them too)."""
    return timezone.now() - settings.AXES_COOLOFF_TIME


def recent_failures(ip_addresses: Iterable[str | None]) -> list[Failure]:
    """Every failure still counted from these addresses, in one query."""
    rows = AccessAttempt.objects.filter(
        ip_address__in=[ip for ip in set(ip_addresses) if ip], attempt_time__gte=counted_since()
    ).values_list("username", "ip_address", "attempt_time", "failures_since_start")
    return [Failure(*row) for row in rows]


def throttle_for(
    failures: Iterable[Failure], username: str | None, ip: str | None
) -> SignInThrottle:
    """Apply both limits to the failures of one address (others are ignored)."""
    from_address = [failure for failure in failures if failure.ip_address == ip]
    pair = [failure for failure in from_address if failure.username == username]
    pair_limit, address_limit = (
        settings.SIGN_IN_FAILURE_LIMIT,
        settings.SIGN_IN_ADDRESS_FAILURE_LIMIT,
    )
    ends = [
        moment
        for moment in (_lifted_at(pair, pair_limit), _lifted_at(from_address, address_limit))
        if moment is not None
    ]
    left = min(pair_limit - _total(pair), address_limit - _total(from_address))
    return SignInThrottle(paused_until=max(ends) if ends else None, failures_left=max(0, left))


def throttle_of(username: str | None, ip: str | None) -> SignInThrottle:
    return throttle_for(recent_failures([ip]), username, ip)


def failure_limit(request, credentials=None) -> int:
    """AXES_FAILURE_LIMIT: the pair limit, or 0 (paused) once the address reached its own."""
    ip = getattr(request, "axes_ip_address", None)
    if ip and _total(recent_failures([ip])) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
        return 0
    return settings.SIGN_IN_FAILURE_LIMIT


@transaction.atomic
def lift_pause(username: str | None, ip: str | None) -> int:
    """Forget the failures that pause this account + address; returns the records removed.

    When the address as a whole is paused, forgetting one pair would leave the pause in
    place, so the address's records go: everyone behind it may sign in again.
    """
    address_paused = _total(recent_failures([ip])) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
    records = AccessAttempt.objects.filter(ip_address=ip)
    if not address_paused:
        records = records.filter(username=username)
    removed, _ = records.delete()
    return removed


def _total(failures: Iterable[Failure]) -> int:
    return sum(failure.failures for failure in failures)


def _lifted_at(failures: list[Failure], limit: int) -> datetime | None:
    """When the count falls under ``limit`` as records age out, oldest first; None if it is."""
    total = _total(failures)
    if total < limit:
        return None
    for failure in sorted(failures, key=lambda failure: failure.attempt_time):
        total -= failure.failures
        if total < limit:
            return failure.attempt_time + settings.AXES_COOLOFF_TIME
    return None  # unreachable: removing every record leaves 0 < limit
