"""The one reader of a tenant's redirection state: cache first, database behind it.

The cache layer turns an unreachable Redis into misses (web/cache.py), so the database
answers then. The model refreshes the entry after each committed save (models.py).
"""

from __future__ import annotations

import time
from bisect import bisect_left
from dataclasses import dataclass, replace
from datetime import datetime
from operator import itemgetter

from django.conf import settings
from django.core.cache import cache

from settings_ui.schedule import reached

CACHE_PREFIX = "portal-redirection"
CACHE_VERSION = 2  # 2: the state carries scope, pilot group and schedule

# What a process read from the cache stays good in that process for this long, so a busy
# worker asks the cache once per moment instead of once per request (a Redis round trip is
# a tenth of a routed answer). Short enough that a change still reaches every worker of
# every server within a second; the process that made the change sees it at once.
PROCESS_MEMO_SECONDS = 0.25
_memo: dict[int, tuple[float, RedirectionState]] = {}


EVERYONE, PILOT = "everyone", "pilot"


@dataclass(frozen=True, slots=True)
class RedirectionState:
    """Everything the routing decision needs about one tenant, as stored."""

    enabled: bool
    enabled_at: datetime | None
    scope: str = EVERYONE
    # The latest widening to Everyone; None when the scope has always been Everyone.
    everyone_since: datetime | None = None
    # (account id, in scope since or None for "always"), sorted by account id.
    pilot: tuple[tuple[int, datetime | None], ...] = ()
    scheduled_on_at: datetime | None = None
    scheduled_off_at: datetime | None = None

    def settled(self, now: datetime) -> RedirectionState:
        """The state in force at ``now``: scheduled changes whose time has come applied."""
        state = self
        for switching in reached(
            enabled=self.enabled,
            scheduled_on_at=self.scheduled_on_at,
            scheduled_off_at=self.scheduled_off_at,
            now=now,
        ):
            state = replace(
                state,
                enabled=switching.enabled,
                enabled_at=switching.at if switching.enabled else state.enabled_at,
            )
        if state is self:
            return self
        return replace(
            state,
            scheduled_on_at=_still_ahead(self.scheduled_on_at, now),
            scheduled_off_at=_still_ahead(self.scheduled_off_at, now),
        )

    def pilot_entry(self, account_id: int | str) -> tuple[int, datetime | None] | None:
        """(account id, in scope since) for a pilot account; None for any other account."""
        try:
            wanted = int(account_id)
        except (TypeError, ValueError):
            return None
        index = bisect_left(self.pilot, wanted, key=itemgetter(0))
        if index < len(self.pilot) and self.pilot[index][0] == wanted:
            return self.pilot[index]
        return None

    @property
    def pilot_account_ids(self) -> frozenset[int]:
        return frozenset(account_id for account_id, _since in self.pilot)


OFF = RedirectionState(enabled=False, enabled_at=None)


def _still_ahead(moment: datetime | None, now: datetime) -> datetime | None:
    return moment if moment is not None and moment > now else None


def cache_key(tenant_id: int) -> str:
    return f"{CACHE_PREFIX}:{tenant_id}"


def get_state(tenant_id: int | None) -> RedirectionState:
    """The tenant's state; a warm read costs no query, and a tenant with no row reads Off."""
    if tenant_id is None:
        return OFF
    lifetime = settings.REDIRECTION_CACHE_SECONDS
    if lifetime > 0:
        now = time.monotonic()
        remembered = _memo.get(tenant_id)
        if remembered is not None and remembered[0] > now:
            return remembered[1]
        cached = cache.get(cache_key(tenant_id), version=CACHE_VERSION)
        if cached is not None:
            _memo[tenant_id] = (now + PROCESS_MEMO_SECONDS, cached)
            return cached
    # Not remembered: a reader that lost the race described below returns its read once only.
    state = _read_database(tenant_id)
    if lifetime > 0:
        # add, not set: this reader may have read the row just before a writer committed, and
        # must never overwrite the newer state that writer has put in the meantime.
        cache.add(cache_key(tenant_id), state, lifetime, version=CACHE_VERSION)
    return state


def refresh(tenant_id: int) -> None:
    """Put the tenant's committed state in the cache.

    PortalRedirection calls it after each committed save or delete, whoever the writer;
    tests call it to refresh an entry by hand. Writing the new state (rather than deleting
    the entry) closes the race in which a reader that missed the cache before the commit
    fills it with the old state after it.
    """
    lifetime = settings.REDIRECTION_CACHE_SECONDS
    if lifetime > 0:
        fresh = _read_database(tenant_id)
        cache.set(cache_key(tenant_id), fresh, lifetime, version=CACHE_VERSION)
        _memo[tenant_id] = (time.monotonic() + PROCESS_MEMO_SECONDS, fresh)


def forget() -> None:
    """Drop what this process remembers (with the cache emptied: a cold start, as in tests)."""
    _memo.clear()


def _read_database(tenant_id: int) -> RedirectionState:
    from settings_ui.models import PortalRedirection

    # Misses are cached as Off too, so a tenant that never touched the switch costs no query.
    return PortalRedirection.objects.state_for(tenant_id) or OFF
