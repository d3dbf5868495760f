"""The one reader: cache first (misses too), free when warm, immutable, DB when the cache fails."""

from __future__ import annotations

import dataclasses
import socket
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from settings_ui import state
from settings_ui.models import ChangeSource, PortalRedirection
from settings_ui.services import set_portal_redirection
from tests.redis_link import use_redis

pytestmark = pytest.mark.django_db


def test_warm_read_costs_no_query(contoso, contoso_admin, django_assert_num_queries):
    set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    with django_assert_num_queries(1):
        cold = state.get_state(contoso.pk)
    with django_assert_num_queries(0):
        warm = state.get_state(contoso.pk)
    assert cold == warm
    assert warm.enabled is True
    assert warm.enabled_at == PortalRedirection.objects.get(tenant=contoso).enabled_at


def test_a_tenant_without_a_row_reads_off_and_the_miss_is_cached(
    contoso, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert state.get_state(contoso.pk) == state.OFF
    with django_assert_num_queries(0):
        assert state.get_state(contoso.pk) == state.OFF


def test_no_tenant_reads_off_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert state.get_state(None) == state.OFF


def test_applying_a_schedule_never_changes_what_other_requests_read(contoso, clock):
    """A worker hands the same remembered state to every request; one request working out the
    state in force at its moment must leave that shared state as it was."""
    soon = timezone.now() + timedelta(minutes=5)
    PortalRedirection.objects.create(tenant=contoso, scheduled_on_at=soon)
    shared = state.get_state(contoso.pk)
    assert shared.settled(soon).enabled is True
    assert state.get_state(contoso.pk) == shared
    assert (shared.enabled, shared.scheduled_on_at) == (False, soon)


def test_cached_value_lives_for_the_configured_lifetime(contoso, settings, monkeypatch):
    settings.REDIRECTION_CACHE_SECONDS = 7
    calls = []
    original = state.cache.add

    def recording_add(key, value, timeout, **kwargs):
        calls.append((key, timeout))
        return original(key, value, timeout, **kwargs)

    monkeypatch.setattr(state.cache, "add", recording_add)
    state.get_state(contoso.pk)
    assert calls == [(state.cache_key(contoso.pk), 7)]


def test_a_change_made_elsewhere_is_seen_once_the_entry_expires(contoso, contoso_admin):
    assert state.get_state(contoso.pk) == state.OFF
    # Another process changed the row: this one keeps its entry until refreshed or expired.
    PortalRedirection.objects.create(tenant=contoso, enabled=True)
    assert state.get_state(contoso.pk) == state.OFF
    state.refresh(contoso.pk)
    assert state.get_state(contoso.pk).enabled is True


def test_zero_lifetime_turns_the_cache_off(contoso, settings, django_assert_num_queries):
    settings.REDIRECTION_CACHE_SECONDS = 0
    with django_assert_num_queries(2):
        state.get_state(contoso.pk)
        state.get_state(contoso.pk)
    PortalRedirection.objects.create(tenant=contoso, enabled=True)
    assert state.get_state(contoso.pk).enabled is True


def test_an_unreachable_cache_falls_back_to_the_database(contoso, contoso_admin, settings):
    set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.CLI)
    with socket.socket() as closed:  # bound, not listening: every connection is refused
        closed.bind(("127.0.0.1", 0))
        use_redis(settings, f"redis://127.0.0.1:{closed.getsockname()[1]}/0")
        assert state.get_state(contoso.pk).enabled is True
        state.refresh(contoso.pk)  # must not raise either


def test_cache_entries_are_per_tenant(contoso, fabrikam, contoso_admin):
    assert state.get_state(fabrikam.pk) == state.OFF
    set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    state.refresh(contoso.pk)
    assert state.get_state(contoso.pk).enabled is True
    assert state.get_state(fabrikam.pk) == state.OFF


def test_a_reader_that_read_before_a_commit_never_overwrites_the_new_state(
    contoso, contoso_admin, monkeypatch, django_capture_on_commit_callbacks
):
    """The reader misses, reads Off from the database, then the writer commits and puts On
    in the cache before the reader stores what it read: the reader's old Off must not win."""
    stale_read = state._read_database(contoso.pk)
    with django_capture_on_commit_callbacks(execute=True):
        set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    state.forget()  # the reader is another process: it has not seen the writer's change
    monkeypatch.setattr(state, "_read_database", lambda *args: stale_read)
    monkeypatch.setattr(state.cache, "get", lambda *args, **kwargs: None)  # the reader's miss
    assert state.get_state(contoso.pk) == state.OFF  # what it read, returned once
    monkeypatch.undo()
    assert state.get_state(contoso.pk).enabled is True


def test_another_servers_change_reaches_this_process_within_a_quarter_second(contoso, monkeypatch):
    """The README's promise with Redis, in seconds: a process remembers what the cache said
    for at most 0.25 s before it asks again."""
    moment = [1000.0]
    monkeypatch.setattr(state.time, "monotonic", lambda: moment[0])
    assert state.get_state(contoso.pk) == state.OFF  # read, cached
    assert state.get_state(contoso.pk) == state.OFF  # from the cache: remembered from now on
    on = dataclasses.replace(state.OFF, enabled=True)
    state.cache.set(state.cache_key(contoso.pk), on, 60, version=state.CACHE_VERSION)
    moment[0] += 0.1
    assert state.get_state(contoso.pk) == state.OFF  # still remembered: no round trip
    moment[0] += 0.15
    assert state.get_state(contoso.pk) == on


def test_the_process_that_changes_the_switch_sees_it_at_once(
    contoso, contoso_admin, django_capture_on_commit_callbacks
):
    assert state.get_state(contoso.pk) == state.OFF
    assert state.get_state(contoso.pk) == state.OFF  # remembered
    with django_capture_on_commit_callbacks(execute=True):
        set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    assert state.get_state(contoso.pk).enabled is True


# ------------------------------------------------------------------ the cache follows the model
def test_any_committed_save_refreshes_the_cached_state(
    contoso, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Not only the one writer: a save from anywhere (a shell, a data migration) is seen."""
    assert state.get_state(contoso.pk) == state.OFF  # cached
    with django_capture_on_commit_callbacks(execute=True):
        PortalRedirection.objects.create(tenant=contoso, enabled=True)
    with django_assert_num_queries(0):
        assert state.get_state(contoso.pk).enabled is True


def test_a_committed_delete_refreshes_the_cached_state(contoso, django_capture_on_commit_callbacks):
    setting = PortalRedirection.objects.create(tenant=contoso, enabled=True)
    assert state.get_state(contoso.pk).enabled is True  # cached
    with django_capture_on_commit_callbacks(execute=True):
        setting.delete()
    assert state.get_state(contoso.pk) == state.OFF


def test_a_rolled_back_save_leaves_the_cached_state_alone(
    contoso, django_capture_on_commit_callbacks
):
    assert state.get_state(contoso.pk) == state.OFF  # cached
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        PortalRedirection.objects.create(tenant=contoso, enabled=True)
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert state.get_state(contoso.pk) == state.OFF
