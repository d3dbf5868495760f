"""The configured Redis cache (django-redis behind the circuit) and what its probe drops."""

from __future__ import annotations

import pytest
import redis
from django.core.cache import cache, caches

from web.cache import RedisCache, drop_cached_entries


@pytest.fixture
def redis_url(settings) -> str:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the local memory cache is in use")
    return settings.REDIS_URL


def test_the_configured_redis_cache_round_trips(redis_url):
    assert isinstance(caches["default"], RedisCache)
    cache.set("round-trip-check", {"on": True}, 5)
    assert cache.get("round-trip-check") == {"on": True}
    assert cache.add("round-trip-check", "other", 5) is False
    cache.delete("round-trip-check")


def test_the_probe_drops_this_projects_entries_and_nothing_else(redis_url, settings):
    cache.set("a-session-copy", "stale", 60)
    cache.set("a-state-entry", "stale", 60, version=7)
    neighbour = redis.Redis.from_url(redis_url)
    neighbour.set("another-application:key", "kept", ex=60)
    try:
        options = settings.CACHES["default"]["OPTIONS"]
        assert (
            drop_cached_entries(redis_url, settings.CACHES["default"]["KEY_PREFIX"], options) == 2
        )
        assert cache.get("a-session-copy") is None
        assert cache.get("a-state-entry", version=7) is None
        assert neighbour.get("another-application:key") == b"kept"
    finally:
        neighbour.delete("another-application:key")
        neighbour.close()
