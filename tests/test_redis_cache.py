"""The Redis cache backend keeps one client per connection pool."""

from __future__ import annotations

import pytest
from django.core.cache import cache, caches

from config.cache import PooledRedisCache


def test_one_client_is_built_per_pool_not_per_call():
    backend = PooledRedisCache("redis://127.0.0.1:6390/0", {})  # no connection is made
    assert backend._cache.get_client() is backend._cache.get_client(write=True)


def test_separate_backends_do_not_share_clients():
    first = PooledRedisCache("redis://127.0.0.1:6390/0", {})
    second = PooledRedisCache("redis://127.0.0.1:6390/1", {})
    assert first._cache.get_client() is not second._cache.get_client()


def test_the_configured_redis_cache_round_trips(settings):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the local memory cache is in use")
    assert isinstance(caches["default"], PooledRedisCache)
    cache.set("pooled-client-check", {"on": True}, 5)
    assert cache.get("pooled-client-check") == {"on": True}
    assert cache.add("pooled-client-check", "other", 5) is False
    cache.delete("pooled-client-check")
