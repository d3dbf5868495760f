"""Session engine with Redis: cached there, kept in the database, working while Redis is down."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches

from config.cache import CacheFaults

logger = logging.getLogger("config.sessions")
faults = CacheFaults(logger, "reading sessions from the database")

# A cached copy lives at most this long, so a session ended while Redis was unreachable (the
# database row is gone, the cached copy may not be) cannot outlive the outage by more.
CACHED_SESSION_SECONDS = 300


class SessionCache:
    """The session cache, answering "nothing cached" instead of raising when it is unreachable.

    Django's cached_db engine reads through its cache in some paths without guarding against
    errors (the cache fill after a database read, `exists()`, `delete()`), so a dead Redis
    would turn every signed-in request into a 500. Here each call that fails is a miss or a
    no-op, the database answers, and one warning is logged per minute.
    """

    def __init__(self, cache):
        self._cache = cache

    def get(self, key, default=None, version=None):
        return faults.call(self._cache.get, key, default, version=version, fallback=default)

    def set(self, key, value, timeout=None, version=None):
        faults.call(self._cache.set, key, value, capped(timeout), version=version)

    def delete(self, key, version=None):
        return faults.call(self._cache.delete, key, version=version, fallback=False)

    def has_key(self, key, version=None):
        return faults.call(self._cache.has_key, key, version=version, fallback=False)

    def __contains__(self, key):
        return self.has_key(key)

    async def aget(self, key, default=None, version=None):
        return await faults.acall(self._cache.aget, key, default, version=version, fallback=default)

    async def aset(self, key, value, timeout=None, version=None):
        await faults.acall(self._cache.aset, key, value, capped(timeout), version=version)

    async def adelete(self, key, version=None):
        return await faults.acall(self._cache.adelete, key, version=version, fallback=False)

    async def ahas_key(self, key, version=None):
        return await faults.acall(self._cache.ahas_key, key, version=version, fallback=False)

    def __str__(self) -> str:
        return str(self._cache)


def capped(timeout: int | None) -> int:
    return CACHED_SESSION_SECONDS if timeout is None else min(timeout, CACHED_SESSION_SECONDS)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key: str | None = None):
        super().__init__(session_key)
        self._cache = SessionCache(caches[settings.SESSION_CACHE_ALIAS])
