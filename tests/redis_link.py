"""A TCP link to Redis that can be cut as a network partition cuts it: it accepts, never answers.

Cut, it is a black hole: connections are accepted (nothing refuses them) and every byte is
dropped, so each Redis call waits out its socket timeout. With an upstream it forwards to a
real Redis until cut, and again once healed. It counts the requests that went unanswered,
that is, how many cache calls waited for a timeout: tests assert on that, never on time.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
import time


class RedisLink:
    def __init__(self, upstream: tuple[str, int] | None = None):
        self.upstream = upstream
        self.cut = upstream is None
        self._unanswered = 0
        self._idle_rounds = 0
        self._closed = False
        self._selector = selectors.DefaultSelector()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._selector.register(self._listener, selectors.EVENT_READ)
        # One thread does everything, so "it has seen all that was sent" is easy to know.
        self._thread = threading.Thread(target=self._serve, name="redis-link", daemon=True)
        self._thread.start()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def heal(self) -> None:
        if self.upstream is None:
            raise ValueError("a link without an upstream has nothing to heal to")
        self.cut = False

    @property
    def unanswered(self) -> int:
        """Requests dropped so far, counted once the link has read all that was sent to it."""
        self.settle()
        return self._unanswered

    def settle(self, timeout: float = 10.0) -> None:
        # Whatever a client sent before this call is already in the link's socket buffers; two
        # rounds that found nothing to read mean a whole round began after this call.
        target = self._idle_rounds + 2
        deadline = time.monotonic() + timeout
        while self._idle_rounds < target and time.monotonic() < deadline:
            time.sleep(0.005)

    def _serve(self) -> None:
        while not self._closed:
            events = self._selector.select(timeout=0.005)
            if not events:
                self._idle_rounds += 1
            for key, _mask in events:
                if key.fileobj is self._listener:
                    self._accept()
                else:
                    self._relay(key.fileobj, *key.data)

    def _accept(self) -> None:
        client, _ = self._listener.accept()
        server = socket.create_connection(self.upstream) if self.upstream else None
        self._selector.register(client, selectors.EVENT_READ, (server, True))
        if server is not None:
            self._selector.register(server, selectors.EVENT_READ, (client, False))

    def _relay(self, source: socket.socket, target: socket.socket | None, from_client: bool):
        try:
            data = source.recv(65536)
        except OSError:
            data = b""
        if not data:
            for each in (source, target):
                if each is not None and each.fileno() != -1:
                    self._selector.unregister(each)
                    hang_up(each)
            return
        if self.cut or target is None:
            if from_client:
                self._unanswered += 1
            return  # dropped, as a partition drops packets
        with contextlib.suppress(OSError):
            target.sendall(data)

    def close(self) -> None:
        self._closed = True
        self._thread.join(1)
        for key in list(self._selector.get_map().values()):
            hang_up(key.fileobj)
        self._selector.close()

    def __enter__(self) -> RedisLink:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def hang_up(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def use_redis(settings, url: str, timeout: float = 0.05) -> None:
    """Point the cache at `url`, as REDIS_URL does, with a test-sized timeout.

    Short where nothing answers anyway; a link to a real Redis needs room for a busy machine.

    django-redis keeps one pool per URL for the life of the process, and the cache layer one
    circuit per URL: give each test a URL of its own (a RedisLink's port) so none inherits
    another's state.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "web.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "portal-test",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": timeout,
                "SOCKET_TIMEOUT": timeout,
            },
        }
    }
    settings.REDIRECTION_CACHE_SECONDS = 5
    settings.REDIS_CIRCUIT_SECONDS = 30
