"""The cache layer: django-redis behind a circuit breaker, so a hung Redis costs one timeout.

The cache only ever speeds things up here: the database stays the source of truth. django-redis
pools the connections and, with IGNORE_EXCEPTIONS, turns a failed call into a miss. What it
does not do is remember a failure: against a hung Redis (a network partition, where nothing
refuses the connection) every call would wait out the socket timeout, several times per
request. So after a failure the circuit opens: for REDIS_CIRCUIT_SECONDS every call is skipped
at once, without touching the network, and the database answers. The first call after that
starts one probe in a background thread; the circuit closes only once the probe has reached
Redis and dropped every entry cached before, because a switch change made while Redis was
unreachable could not reach those copies. (Sessions are never cached: accounts/sessions.py.)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import redis
from django.conf import settings
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.client.default import glob_escape

logger = logging.getLogger("web.cache")

DROP_BATCH = 500


class CacheSkipped(redis.ConnectionError):
    """Raised instead of a network call while the circuit is open; django-redis ignores it."""


def circuit_seconds() -> float:
    # Read at call time, so tests and a running shell can change it.
    return settings.REDIS_CIRCUIT_SECONDS


class Circuit:
    """One Redis server's circuit in this process: closed, open until a moment, or probing."""

    def __init__(self, probe: Callable[[], int], clock: Callable[[], float]):
        self.probe = probe  # raises while Redis still fails; answers how many entries it dropped
        self.clock = clock
        self.open_until: float | None = None
        self.opened_at: float | None = None
        self.probe_thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self.open_until is not None

    def check(self) -> None:
        """Raise CacheSkipped while open; once the wait is over, start one background probe."""
        if self.open_until is None:
            return
        with self._lock:
            if self.open_until is None:
                return
            probing = self.probe_thread is not None and self.probe_thread.is_alive()
            if not probing and self.clock() >= self.open_until:
                self.probe_thread = threading.Thread(
                    target=self._probe, name="cache-probe", daemon=True
                )
                self.probe_thread.start()
        # No address in the message: a LOCATION may carry a password.
        raise CacheSkipped("cache skipped after a failure; a background probe will retry")

    def trip(self, error: Exception) -> None:
        seconds = circuit_seconds()
        if seconds <= 0:
            return  # the breaker is turned off: every call tries Redis
        with self._lock:
            was_closed = self.open_until is None
            now = self.clock()
            self.open_until = now + seconds
            if was_closed:
                self.opened_at = now
        if was_closed:
            logger.warning(
                "cache unreachable, reading from the database for the next %s s: %s",
                seconds,
                error,
            )

    def _probe(self) -> None:
        try:
            dropped = self.probe()
        except Exception:  # any failure of the probe means Redis is still not usable
            with self._lock:
                self.open_until = self.clock() + circuit_seconds()
            return
        with self._lock:
            down_for = self.clock() - (self.opened_at or self.clock())
            self.open_until = self.opened_at = None
        logger.warning(
            "cache reachable again after %.0f s; dropped %s entries cached before",
            down_for,
            dropped,
        )

    def wait_for_probe(self, timeout: float = 5.0) -> None:
        """Tests wait for a probe they started; requests never do."""
        if self.probe_thread is not None:
            self.probe_thread.join(timeout)


_circuits: dict[str, Circuit] = {}
_circuits_lock = threading.Lock()


def circuit_for(location: str, probe: Callable[[], int]) -> Circuit:
    """One circuit per Redis server and process, shared by every thread's cache backend."""
    with _circuits_lock:
        if location not in _circuits:
            _circuits[location] = Circuit(probe, clock=time.monotonic)
        return _circuits[location]


class CircuitConnection(redis.Connection):
    """A redis-py connection that asks the circuit first and reports its failures to it.

    Every command takes a connection from the pool through `connect()`, so checking there
    skips every call while the circuit is open.
    """

    def __init__(self, *args, circuit: Circuit, **kwargs):
        super().__init__(*args, **kwargs)
        self.circuit = circuit

    def connect(self):
        self.circuit.check()
        with reporting_failures(self.circuit):
            return super().connect()

    def send_packed_command(self, command, check_health=True):
        with reporting_failures(self.circuit):
            return super().send_packed_command(command, check_health)

    def read_response(self, *args, **kwargs):
        with reporting_failures(self.circuit):
            return super().read_response(*args, **kwargs)


@contextmanager
def reporting_failures(circuit: Circuit) -> Iterator[None]:
    try:
        yield
    except CacheSkipped:
        raise
    except (redis.ConnectionError, redis.TimeoutError) as error:
        circuit.trip(error)
        raise


class RedisCache(DjangoRedisCache):
    """django-redis with the circuit wired into its connection pool, and failures as misses."""

    def __init__(self, server: str, params: dict):
        options = dict(params.get("OPTIONS", {}))
        options.setdefault("IGNORE_EXCEPTIONS", True)
        key_prefix = params.get("KEY_PREFIX", "")
        self.circuit = circuit_for(
            server, probe=lambda: drop_cached_entries(server, key_prefix, options)
        )
        options["CONNECTION_POOL_KWARGS"] = {
            **options.get("CONNECTION_POOL_KWARGS", {}),
            "connection_class": CircuitConnection,
            "circuit": self.circuit,
        }
        super().__init__(server, {**params, "OPTIONS": options})


def drop_cached_entries(location: str, key_prefix: str, options: dict) -> int:
    """The probe: reach Redis outside the circuit and delete every entry under our prefix.

    Raises while Redis still fails. Deleting by prefix (not FLUSHDB) leaves alone anything
    else that shares the Redis database.
    """
    client = redis.Redis.from_url(
        location,
        socket_connect_timeout=options.get("SOCKET_CONNECT_TIMEOUT"),
        socket_timeout=options.get("SOCKET_TIMEOUT"),
    )
    try:
        dropped, batch = 0, []
        for key in client.scan_iter(match=f"{glob_escape(key_prefix)}:*", count=1000):
            batch.append(key)
            if len(batch) == DROP_BATCH:
                dropped += client.unlink(*batch)
                batch = []
        if batch:
            dropped += client.unlink(*batch)
        return dropped
    finally:
        client.close()
