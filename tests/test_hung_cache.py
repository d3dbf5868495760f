"""A hung Redis (a partition: connections accepted, never answered) costs one timeout, not one
per call; what ended while it was cut off stays ended when it answers again, since no session
is ever copied to Redis (tests/test_sign_in_ends_servers.py tries it on two live workers).

Each test counts the cache calls that waited for an answer (RedisLink.unanswered), never time.
"""

from __future__ import annotations

import threading
import time
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
import redis
from django.core.cache import cache, caches
from django.test import Client

from accounts.admin import end_sign_in_session
from accounts.models import SignInSession, SignInSite
from settings_ui import state
from tests.conftest import LEGACY_HOST, sign_in
from tests.redis_link import RedisLink, use_redis

pytestmark = pytest.mark.django_db

CIRCUIT_SECONDS = 30


class Clock:
    """The circuit's clock, moved by hand from the moment it replaces the real one."""

    def __init__(self):
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def legacy_browser() -> Client:
    return Client(HTTP_HOST=LEGACY_HOST, raise_request_exception=False)


def the_circuit():
    circuit = caches["default"].circuit
    if not isinstance(circuit.clock, Clock):
        circuit.clock = Clock()
    return circuit


@pytest.fixture
def hung_redis(settings):
    with RedisLink() as link:
        use_redis(settings, link.url())
        yield link


@pytest.fixture
def partitioned_redis(settings):
    """A link to the configured Redis, to cut and heal; only where REDIS_URL is set."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no Redis to partition from")
    address = urlsplit(settings.REDIS_URL)
    database = int(address.path.strip("/") or 0)
    with RedisLink(upstream=(address.hostname, address.port or 6379)) as link:
        use_redis(settings, link.url(database), timeout=2.0)
        yield link


def signed_in_browser(user) -> Client:
    browser = legacy_browser()
    sign_in(browser, user)
    assert browser.get("/timeline").status_code == HTTPStatus.OK
    return browser


# ------------------------------------------------------------------ hung: one timeout, then skip
def test_a_hung_redis_is_waited_for_once_then_skipped(hung_redis, contoso_analyst):
    browser = signed_in_browser(contoso_analyst)
    for path in ("/timeline", "/health", "/timeline", "/configuration") * 3:
        assert browser.get(path).status_code == HTTPStatus.OK
    # Sign-in, a dozen pages, each reading the session and the state: one call waited.
    assert hung_redis.unanswered == 1
    assert the_circuit().is_open


def test_without_the_circuit_every_call_waits(hung_redis, settings, contoso_analyst):
    """What the circuit saves: with it off, each page waits on several cache calls."""
    settings.REDIS_CIRCUIT_SECONDS = 0
    browser = signed_in_browser(contoso_analyst)
    before = hung_redis.unanswered
    for _ in range(3):
        assert browser.get("/timeline").status_code == HTTPStatus.OK
    assert hung_redis.unanswered - before >= 3 * 2


def test_after_the_wait_one_probe_runs_in_the_background(hung_redis, contoso_analyst):
    browser = signed_in_browser(contoso_analyst)
    circuit = the_circuit()
    circuit.clock.advance(CIRCUIT_SECONDS - 1)
    assert browser.get("/timeline").status_code == HTTPStatus.OK
    assert hung_redis.unanswered == 1  # still inside the wait: nothing tried

    circuit.clock.advance(2)
    for _ in range(5):  # the first of these starts the probe; none waits for it
        assert browser.get("/timeline").status_code == HTTPStatus.OK
    circuit.wait_for_probe()
    assert hung_redis.unanswered == 2  # one probe, not one per call

    # The probe failed: a new wait starts, and nothing is tried during it.
    for _ in range(5):
        assert browser.get("/timeline").status_code == HTTPStatus.OK
    assert hung_redis.unanswered == 2
    assert circuit.is_open


def test_the_request_that_starts_the_probe_does_not_wait_for_it(hung_redis, contoso_analyst):
    browser = signed_in_browser(contoso_analyst)
    circuit = the_circuit()
    release = threading.Event()
    circuit.probe = lambda: release.wait(5) and 0
    circuit.clock.advance(CIRCUIT_SECONDS + 1)
    try:
        assert browser.get("/timeline").status_code == HTTPStatus.OK
        assert circuit.probe_thread.is_alive()  # the page was served while the probe hangs
    finally:
        release.set()
    circuit.wait_for_probe()
    assert not circuit.is_open


def test_the_health_check_stays_in_service_and_fast_while_redis_hangs(hung_redis):
    client = Client(HTTP_HOST=LEGACY_HOST)
    for _ in range(5):
        response = client.get("/healthz")
        assert response.status_code == HTTPStatus.OK
        assert response.json() == {"status": "degraded", "database": "ok", "cache": "unreachable"}
    assert hung_redis.unanswered == 1


# ------------------------------------------------------------------ the partition heals
def cut_and_serve_from_the_database(link: RedisLink, browser: Client) -> None:
    link.cut = True
    state.forget()  # the page asks Redis for the switch's state, not this process's memory
    assert browser.get("/timeline").status_code == HTTPStatus.OK
    assert link.unanswered == 1 and the_circuit().is_open


def heal_and_probe(link: RedisLink) -> None:
    link.heal()
    circuit = the_circuit()
    circuit.clock.advance(CIRCUIT_SECONDS + 1)
    cache.get("anything")  # any call after the wait starts the probe
    circuit.wait_for_probe()
    assert not circuit.is_open


def end_by_signing_out(browser: Client, row: SignInSession) -> None:
    assert browser.post("/signout").status_code == HTTPStatus.FOUND


def end_by_support(browser: Client, row: SignInSession) -> None:
    assert end_sign_in_session(row, SignInSession.EndReason.ENDED_BY_SUPPORT)


def keys_naming(settings, secret: str) -> list[bytes]:
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        return [key for key in client.scan_iter(count=1000) if secret.encode() in key]
    finally:
        client.close()


@pytest.mark.parametrize("end", [end_by_signing_out, end_by_support])
def test_a_session_ended_during_a_partition_stays_ended_when_redis_returns(
    partitioned_redis, settings, contoso_analyst, end
):
    browser = signed_in_browser(contoso_analyst)
    session_key = browser.cookies["sessionid"].value
    row = SignInSession.objects.get(user=contoso_analyst, portal=SignInSite.LEGACY)
    assert keys_naming(settings, session_key) == []  # nothing of it is in Redis to outlive it

    cut_and_serve_from_the_database(partitioned_redis, browser)
    end(browser, row)
    heal_and_probe(partitioned_redis)

    replay = legacy_browser()
    replay.cookies["sessionid"] = session_key
    response = replay.get("/timeline")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/signin")


def test_a_switch_change_during_a_partition_is_read_as_soon_as_redis_returns(
    partitioned_redis, switch, contoso, contoso_admin, contoso_analyst
):
    browser = signed_in_browser(contoso_analyst)  # caches Contoso's state: Off
    cut_and_serve_from_the_database(partitioned_redis, browser)
    switch(contoso, True, contoso_admin)  # its cache refresh is skipped
    heal_and_probe(partitioned_redis)
    assert state.get_state(contoso.pk).enabled is True
