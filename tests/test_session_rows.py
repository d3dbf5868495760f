"""The session row read by one fixed statement answers as Django's own query does."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import Session
from web.session_rows import read_session_row

pytestmark = pytest.mark.django_db


def saved_session(**data) -> str:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def test_a_live_session_reads_as_the_orm_reads_it():
    key = saved_session(tenant_id=1, directory_roles=["Security Administrator"])
    row = read_session_row(Session, key)
    orm = Session.objects.get(session_key=key)
    assert row.session_data == orm.session_data
    assert row.expire_date == orm.expire_date
    assert row.expire_date.tzinfo is not None


def test_an_expired_session_reads_as_none_and_its_store_is_empty():
    key = saved_session(tenant_id=1)
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert read_session_row(Session, key) is None
    store = import_module("accounts.sessions").SessionStore(key)
    assert store.load() == {}
    assert store.session_key is None  # a new key is made if anything is stored


def test_an_unknown_key_reads_as_none():
    assert read_session_row(Session, "x" * 32) is None


def test_the_engine_loads_what_was_saved():
    key = saved_session(tenant_id=7, directory_roles=["Global Administrator"])
    store = import_module("accounts.sessions").SessionStore(key)
    assert store["tenant_id"] == 7
    assert store["directory_roles"] == ["Global Administrator"]


# ------------------------------------------------------------------ the signature, checked once
def engine():
    return import_module("accounts.sessions").SessionStore


def test_each_load_gets_its_own_copy_of_the_data():
    key = saved_session(directory_roles=["Security Reader"])
    first = engine()(key)
    first["directory_roles"].append("Global Administrator")  # changed in memory, never saved
    assert engine()(key)["directory_roles"] == ["Security Reader"]


def test_altered_data_reads_as_an_empty_session_even_after_the_genuine_text_was_read():
    key = saved_session(tenant_id=1)
    assert engine()(key)["tenant_id"] == 1
    genuine = Session.objects.get(session_key=key).session_data
    payload, _, signature = genuine.rpartition(":")
    Session.objects.filter(session_key=key).update(session_data=f"{payload}:{signature[::-1]}")
    assert engine()(key).load() == {}


def test_data_signed_under_a_retired_secret_is_not_accepted(settings):
    key = saved_session(tenant_id=1)
    assert engine()(key)["tenant_id"] == 1  # checked, and remembered, under the old secret
    settings.SECRET_KEY = "a-new-secret-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = []
    assert engine()(key).load() == {}
