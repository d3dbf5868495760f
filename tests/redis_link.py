"""A TCP link to Redis that can be cut as a network partition cuts it: it accepts, never answers.

Cut, it is a black hole: connections are accepted (nothing refuses them) and every byte is
dropped, so each Redis call waits out its socket timeout. With an upstream it forwards to a
real Redis until cut, and again once healed. It counts the requests that went unanswered,
that is, how many cache calls waited for a timeout: tests assert on that, never on time.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class RedisLink:
    def __init__(self, upstream: tuple[str, int] | None = None):
        self.upstream = upstream
        self.cut = upstream is None
        self.unanswered = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, name="redis-link", daemon=True).start()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def heal(self) -> None:
        if self.upstream is None:
            raise ValueError("a link without an upstream has nothing to heal to")
        self.cut = False

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(self.upstream) if self.upstream else None
            with self._lock:
                self._sockets += [client, *([server] if server else [])]
            self._start(client, server, counted=True)
            if server is not None:
                self._start(server, client, counted=False)

    def _start(self, source, target, *, counted: bool) -> None:
        threading.Thread(
            target=self._pump, args=(source, target, counted), name="redis-link", daemon=True
        ).start()

    def _pump(self, source: socket.socket, target: socket.socket | None, counted: bool) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                if target is not None:
                    hang_up(target)
                return
            if self.cut or target is None:
                if counted:
                    with self._lock:
                        self.unanswered += 1
                continue  # dropped, as a partition drops packets
            try:
                target.sendall(data)
            except OSError:
                return

    def close(self) -> None:
        hang_up(self._listener)
        with self._lock:
            for each in self._sockets:
                hang_up(each)

    def __enter__(self) -> RedisLink:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def hang_up(sock: socket.socket) -> None:
    # shutdown first: a bare close() does not wake a thread blocked in accept() or recv().
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def use_redis(settings, url: str) -> None:
    """Point the cache and sessions at `url`, as REDIS_URL does, with test-sized timeouts.

    django-redis keeps one pool per URL for the life of the process, and the cache layer one
    circuit per URL: give each test a URL of its own (a RedisLink's port) so none inherits
    another's state.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "portal-test",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.05,
                "SOCKET_TIMEOUT": 0.05,
            },
        }
    }
    settings.SESSION_ENGINE = "config.sessions"
    settings.REDIRECTION_CACHE_SECONDS = 5
    settings.REDIS_CIRCUIT_SECONDS = 30
