"""A hung database (connections accepted, never answered) gets the same 503 as a refused one.

A real server process (gunicorn, debug off, the project's own settings) is pointed at a
listener that accepts every connection and never says a word. Every site must still answer,
with the 503 page, the API's JSON or the health check's, long before the worker's own timeout
would end the request. The client's bound is generous: each test asserts that an answer came
at all, never how fast. The timeouts behind it are pinned by value, and a statement that runs
past the server's own timeout answers 503 too."""

from __future__ import annotations

import contextlib
import json
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http import HTTPStatus

import pytest
import requests
from django.db import connection
from django.test import Client

from tests.conftest import DEFENDER_HOST, IDENTITY_HOST, LEGACY_HOST, sign_in
from tests.manage_process import ROOT, free_port, manage_env, run_manage

# Far below the worker's 30 s timeout, far above the few seconds an answer takes.
ANSWER_WITHIN_SECONDS = 15
SERVICE_HOST = "127.0.0.1"


class SilentDatabase:
    """A TCP listener on 127.0.0.1 that accepts every connection, then reads and writes nothing.

    It stops by itself after `lifetime` seconds, so a test that dies early leaves nothing behind.
    """

    def __init__(self, lifetime: float = 300.0):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.accepted = 0
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._deadline = time.monotonic() + lifetime
        self._thread = threading.Thread(target=self._hold, name="silent-database", daemon=True)
        self._thread.start()

    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def _hold(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            self._held.append(connection)
        for each in (*self._held, self._listener):
            with contextlib.suppress(OSError):
                each.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)


@pytest.fixture(scope="module")
def silent_database() -> Iterator[SilentDatabase]:
    database = SilentDatabase()
    try:
        yield database
    finally:
        database.close()


@pytest.fixture(scope="module")
def server(silent_database, tmp_path_factory) -> Iterator[str]:
    """gunicorn serving every site from the silent database; the address to send requests to."""
    port = free_port()
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_STATIC_MANIFEST": "false",
        "DJANGO_ALLOWED_HOSTS": SERVICE_HOST,
        "DATABASE_URL": silent_database.url(),
        "REDIS_URL": "",
        "DEFENDER_PORTAL_URL": f"http://{DEFENDER_HOST}:8000",
        "LEGACY_PORTAL_URL": f"http://{LEGACY_HOST}:8000",
        "IDENTITY_URL": f"http://{IDENTITY_HOST}:8000",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
    }
    log = (tmp_path_factory.mktemp("hung-database") / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=manage_env(**env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        _wait_for_the_worker(address, process)
        yield address
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _wait_for_the_worker(address: str, process: subprocess.Popen) -> None:
    # A static file is answered before anything reads the database: it shows the worker is up.
    for _ in range(150):
        assert process.poll() is None, "the server stopped"
        with contextlib.suppress(requests.ConnectionError, requests.Timeout):
            answer = requests.get(f"{address}/static/css/common.css", timeout=5)
            if answer.status_code == HTTPStatus.OK:
                return
        time.sleep(0.2)
    raise AssertionError("the server did not answer")


def ask(server: str, host: str, path: str, signed_in: bool = False) -> requests.Response:
    """One request as a browser on `host` sends it; a session cookie makes the server read it."""
    headers = {"Host": host}
    if signed_in:
        headers["Cookie"] = f"sessionid={secrets.token_hex(16)}"
    return requests.get(
        f"{server}{path}", headers=headers, timeout=ANSWER_WITHIN_SECONDS, allow_redirects=False
    )


@pytest.mark.parametrize("host", [DEFENDER_HOST, LEGACY_HOST, IDENTITY_HOST, SERVICE_HOST])
def test_the_health_check_names_a_hung_database(server, silent_database, host):
    response = ask(server, host, "/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json() == {"status": "unavailable", "database": "unreachable", "cache": "ok"}
    assert silent_database.accepted > 0  # it was this database that did not answer


@pytest.mark.parametrize(
    ("host", "path"),
    [
        (DEFENDER_HOST, "/alerts"),
        (DEFENDER_HOST, "/preferences2/portal_redirection"),
        (LEGACY_HOST, "/timeline"),
        (IDENTITY_HOST, "/signin"),
    ],
)
def test_a_signed_in_page_answers_the_503_page(server, host, path):
    response = ask(server, host, path, signed_in=True)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.headers["Retry-After"] == "30"
    assert "Service unavailable" in response.text


def test_the_api_answers_503_json(server):
    response = ask(server, DEFENDER_HOST, "/api/v1/portal-redirection", signed_in=True)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.headers["Retry-After"] == "30"
    assert "error" in response.json()


# ------------------------------------------------------------------ the bounds, by value
def postgresql_options(url: str = "postgres://postgres@127.0.0.1:5432/portal", **env: str):
    shown = run_manage(
        "shell",
        "--no-imports",
        "-c",
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.DATABASES['default']['OPTIONS']))",
        DJANGO_DEBUG="true",
        DATABASE_URL=url,
        **env,
    )
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def test_postgresql_waits_seconds_not_minutes_by_default():
    options = postgresql_options()
    assert options["connect_timeout"] == 3
    assert options["tcp_user_timeout"] == 3000
    assert (options["keepalives"], options["keepalives_idle"]) == (1, 3)
    assert options["options"] == "-c statement_timeout=5s"


def test_the_bounds_come_from_the_environment_and_the_url():
    options = postgresql_options(DATABASE_CONNECT_TIMEOUT="10", DATABASE_STATEMENT_TIMEOUT="0")
    assert (options["connect_timeout"], options["tcp_user_timeout"]) == (10, 10000)
    assert options["options"] == "-c statement_timeout=0s"

    options = postgresql_options("postgres://postgres@127.0.0.1:5432/portal?connect_timeout=7")
    assert options["connect_timeout"] == 7


# ------------------------------------------------------------------ a statement that runs too long
@pytest.mark.postgres
@pytest.mark.django_db
def test_a_statement_past_the_timeout_answers_503(contoso_analyst):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the timeout is the server's; set DATABASE_URL=postgres://..."
        )
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("5s",)
        # The same cancel, sooner: the test's transaction takes this setting back with it.
        cursor.execute("SET statement_timeout = '50ms'")
    browser = Client(HTTP_HOST=LEGACY_HOST, raise_request_exception=False)
    sign_in(browser, contoso_analyst)

    def slow(execute, sql, params, many, context):
        execute("SELECT pg_sleep(1)", None, False, context)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(slow):
        response = browser.get("/timeline")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "Service unavailable" in response.content.decode()
