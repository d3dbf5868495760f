"""Session engine with Redis: Django's cached_db, each cached copy kept at most five minutes.

The cache layer (web/cache.py) already makes a failed or skipped call a miss, so Django's
engine keeps working from the database while Redis is unreachable. What a lost cache delete
would leave behind is a copy of a session that has ended (signed out, ended by support)
while the row is gone: when Redis answers again, the cache layer drops every copy before it
is used. The cap is the backstop for what that cannot see (a server restarted during the
outage, or cut off from Redis while the others were not).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT

from web.session_rows import SessionRowReading

CACHED_SESSION_SECONDS = 300


def capped(timeout) -> int:
    if timeout is DEFAULT_TIMEOUT or timeout is None:
        return CACHED_SESSION_SECONDS
    return min(timeout, CACHED_SESSION_SECONDS)


class CappedSessionCache:
    """The session cache, with every copy's lifetime capped; everything else passes through."""

    def __init__(self, cache):
        self._cache = cache

    def __getattr__(self, name):
        return getattr(self._cache, name)

    def __contains__(self, key) -> bool:
        return key in self._cache

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._cache.set(key, value, capped(timeout), version=version)

    async def aset(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return await self._cache.aset(key, value, capped(timeout), version=version)

    def __str__(self) -> str:
        return str(self._cache)


class SessionStore(SessionRowReading, cached_db.SessionStore):
    def __init__(self, session_key: str | None = None):
        super().__init__(session_key)
        self._cache = CappedSessionCache(caches[settings.SESSION_CACHE_ALIAS])
