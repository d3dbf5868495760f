"""The one reader of a tenant's redirection state per workload: cache first, database behind it.

The cache layer turns an unreachable Redis into misses (web/cache.py), so the database
answers then. The entry follows the rows it mirrors: every committed save or delete of a
tenant's setting or pilot group refreshes it, whoever the writer (receivers below).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from settings_ui.models import PilotAccount, PortalRedirection
from settings_ui.routing_rule import OFF, RedirectionState
from settings_ui.workloads import DEFAULT

CACHE_PREFIX = "portal-redirection"
CACHE_VERSION = 3  # 3: one entry per (tenant, workload)

# What a process read from the cache stays good in that process for this long, so a busy
# worker asks the cache once per moment instead of once per request (a Redis round trip is
# a tenth of a routed answer). Short enough that a change still reaches every worker of
# every server within a second; the process that made the change sees it at once.
PROCESS_MEMO_SECONDS = 0.25
_memo: dict[tuple[int, str], tuple[float, RedirectionState]] = {}


def cache_key(tenant_id: int, workload: str = DEFAULT) -> str:
    return f"{CACHE_PREFIX}:{tenant_id}:{workload}"


def get_state(tenant_id: int | None, workload: str = DEFAULT) -> RedirectionState:
    """The tenant's state for ``workload``; a warm read costs no query, no row reads Off."""
    if tenant_id is None:
        return OFF
    lifetime = settings.REDIRECTION_CACHE_SECONDS
    if lifetime > 0:
        now = time.monotonic()
        remembered = _memo.get((tenant_id, workload))
        if remembered is not None and remembered[0] > now:
            return remembered[1]
        cached = cache.get(cache_key(tenant_id, workload), version=CACHE_VERSION)
        if cached is not None:
            _memo[tenant_id, workload] = (now + PROCESS_MEMO_SECONDS, cached)
            return cached
    # Not remembered: a reader that lost the race described below returns its read once only.
    state = _read_database(tenant_id, workload)
    if lifetime > 0:
        # add, not set: this reader may have read the row just before a writer committed, and
        # must never overwrite the newer state that writer has put in the meantime.
        cache.add(cache_key(tenant_id, workload), state, lifetime, version=CACHE_VERSION)
    return state


def refresh(tenant_id: int, workload: str = DEFAULT) -> None:
    """Put the tenant's committed state in the cache.

    PortalRedirection calls it after each committed save or delete, whoever the writer;
    tests call it to refresh an entry by hand. Writing the new state (rather than deleting
    the entry) closes the race in which a reader that missed the cache before the commit
    fills it with the old state after it.
    """
    lifetime = settings.REDIRECTION_CACHE_SECONDS
    if lifetime > 0:
        fresh = _read_database(tenant_id, workload)
        cache.set(cache_key(tenant_id, workload), fresh, lifetime, version=CACHE_VERSION)
        _memo[tenant_id, workload] = (time.monotonic() + PROCESS_MEMO_SECONDS, fresh)


def forget() -> None:
    """Drop what this process remembers (with the cache emptied: a cold start, as in tests)."""
    _memo.clear()


def _read_database(tenant_id: int, workload: str = DEFAULT) -> RedirectionState:
    # Misses are cached as Off too, so a tenant that never touched the switch costs no query.
    return PortalRedirection.objects.state_for(tenant_id, workload) or OFF


def refresh_on_commit(tenant_id: int, workload: str, using: str | None) -> None:
    """Refresh the cached state once the current transaction commits: a rolled-back write
    never reaches the cache (as django-waffle does)."""
    transaction.on_commit(lambda: refresh(tenant_id, workload), using=using)


# Signals rather than save/delete overrides: a pilot account also goes when its account or
# setting is deleted (a cascade calls no delete()), and the cache must follow that too.
@receiver(post_save, sender=PortalRedirection, dispatch_uid="state.setting_saved")
@receiver(post_delete, sender=PortalRedirection, dispatch_uid="state.setting_deleted")
def _setting_changed(sender, instance: PortalRedirection, using: str, **kwargs) -> None:
    refresh_on_commit(instance.tenant_id, instance.workload, using)


@receiver(post_save, sender=PilotAccount, dispatch_uid="state.pilot_saved")
@receiver(post_delete, sender=PilotAccount, dispatch_uid="state.pilot_deleted")
def _pilot_changed(sender, instance: PilotAccount, using: str, **kwargs) -> None:
    refresh_on_commit(instance.setting.tenant_id, instance.setting.workload, using)
