"""The cache layer: a Redis backend with one client per pool, and calls that survive an outage."""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

FAULT_LOG_SECONDS = 60


class PooledRedisCacheClient(RedisCacheClient):
    """Django builds a new redis-py client for every cache call; building one costs about as
    much as the round trip to Redis (profiled on the routed legacy request, which reads the
    cache twice). A client is safe to share across threads: the pool hands out connections.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PooledRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledRedisCacheClient


class CacheFaults:
    """Calls a cache and answers a fallback when it is unreachable, warning once a minute.

    The cache only ever speeds things up here: the database stays the source of truth, so an
    unreachable Redis must cost a warning, never a failed request.
    """

    def __init__(self, logger: logging.Logger, consequence: str):
        self.logger = logger
        self.consequence = consequence
        self.last_logged = float("-inf")

    def call(self, method, *args, fallback=None, **kwargs):
        try:
            return method(*args, **kwargs)
        except Exception as error:  # each cache backend raises its own connection errors
            self.report(error)
            return fallback

    async def acall(self, method, *args, fallback=None, **kwargs):
        try:
            return await method(*args, **kwargs)
        except Exception as error:
            self.report(error)
            return fallback

    def report(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self.last_logged >= FAULT_LOG_SECONDS:
            self.last_logged = now
            self.logger.warning("cache unreachable, %s: %s", self.consequence, error)
