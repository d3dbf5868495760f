"""The one reader of a tenant's redirection state: cache first, database behind it.

The cache layer turns an unreachable Redis into misses (config/cache.py), so the database
answers then. The model refreshes the entry after each committed save (models.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache

CACHE_PREFIX = "portal-redirection"
CACHE_VERSION = 1


@dataclass(frozen=True, slots=True)
class RedirectionState:
    enabled: bool
    enabled_at: datetime | None


OFF = RedirectionState(enabled=False, enabled_at=None)


def cache_key(tenant_id: int) -> str:
    return f"{CACHE_PREFIX}:{tenant_id}"


def get_state(tenant_id: int | None) -> RedirectionState:
    """The tenant's state; a warm read costs no query, and a tenant with no row reads Off."""
    if tenant_id is None:
        return OFF
    lifetime = settings.REDIRECTION_CACHE_SECONDS
    if lifetime > 0:
        cached = cache.get(cache_key(tenant_id), version=CACHE_VERSION)
        if cached is not None:
            return cached
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


def _read_database(tenant_id: int) -> RedirectionState:
    from settings_ui.models import PortalRedirection

    row = (
        PortalRedirection.objects.filter(tenant_id=tenant_id)
        .values_list("enabled", "enabled_at")
        .first()
    )
    # Misses are cached as Off too, so a tenant that never touched the switch costs no query.
    return RedirectionState(enabled=row[0], enabled_at=row[1]) if row else OFF
