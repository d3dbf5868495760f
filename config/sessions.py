"""Session engine with Redis: cached there, kept in the database, working while Redis is down."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches

logger = logging.getLogger("config.sessions")

FAULT_LOG_SECONDS = 60
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

    _last_fault_logged = 0.0

    def __init__(self, cache):
        self._cache = cache

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version=version, fallback=default)

    def set(self, key, value, timeout=None, version=None):
        timeout = (
            CACHED_SESSION_SECONDS if timeout is None else min(timeout, CACHED_SESSION_SECONDS)
        )
        self._call("set", key, value, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version, fallback=False)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version, fallback=False)

    def __contains__(self, key):
        return self.has_key(key)

    async def aget(self, key, default=None, version=None):
        return await self._acall("aget", key, default, version=version, fallback=default)

    async def aset(self, key, value, timeout=None, version=None):
        timeout = (
            CACHED_SESSION_SECONDS if timeout is None else min(timeout, CACHED_SESSION_SECONDS)
        )
        await self._acall("aset", key, value, timeout, version=version)

    async def adelete(self, key, version=None):
        return await self._acall("adelete", key, version=version, fallback=False)

    async def ahas_key(self, key, version=None):
        return await self._acall("ahas_key", key, version=version, fallback=False)

    def __str__(self) -> str:
        return str(self._cache)

    def _call(self, name, *args, fallback=None, **kwargs):
        try:
            return getattr(self._cache, name)(*args, **kwargs)
        except Exception as error:  # each cache backend raises its own connection errors
            self._report(error)
            return fallback

    async def _acall(self, name, *args, fallback=None, **kwargs):
        try:
            return await getattr(self._cache, name)(*args, **kwargs)
        except Exception as error:
            self._report(error)
            return fallback

    @classmethod
    def _report(cls, error: Exception) -> None:
        now = time.monotonic()
        if now - cls._last_fault_logged >= FAULT_LOG_SECONDS:
            cls._last_fault_logged = now
            logger.warning("cache unreachable, reading sessions from the database: %s", error)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key: str | None = None):
        super().__init__(session_key)
        self._cache = SessionCache(caches[settings.SESSION_CACHE_ALIAS])
