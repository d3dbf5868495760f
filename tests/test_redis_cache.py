"""The configured Redis cache (django-redis behind the circuit) and what its probe drops."""

from __future__ import annotations

import pytest
import redis
from django.core.cache import cache, caches

from settings_ui import state
from settings_ui.models import ChangeSource
from settings_ui.services import set_portal_redirection
from web.cache import RedisCache, drop_cached_entries


@pytest.fixture
def redis_url(settings) -> str:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the local memory cache is in use")
    return settings.REDIS_URL


def test_a_change_reaches_another_process_through_redis_alone(
    redis_url, contoso, contoso_admin, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """With Redis, another worker (here: this process after forgetting all it remembered)
    reads the new state from Redis, without a query of its own."""
    assert isinstance(caches["default"], RedisCache)
    with django_capture_on_commit_callbacks(execute=True):
        set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    state.forget()
    with django_assert_num_queries(0):
        assert state.get_state(contoso.pk).enabled is True


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
