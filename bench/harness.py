"""What every benchmark needs: databases, gunicorn servers, real sign-ins, flips and wrk runs."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from tests.manage_process import free_port

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "bench"
WORK_DIR = Path(os.environ.get("BENCH_WORK_DIR", Path(tempfile.gettempdir()) / "portal-bench"))
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
GUNICORN = str(BASE_DIR / ".venv" / "bin" / "gunicorn")

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")

DEFENDER_HOST = "security.localhost"
LEGACY_HOST = "portal.atp.localhost"
SERVICE_HOST = "bench.localhost"
DEFENDER_URL = f"http://{DEFENDER_HOST}"
TENANT = "contoso.example"

# One password for every account the benchmark creates, new on every run.
PASSWORD = os.environ.get("BENCH_PASSWORD") or "bench-" + secrets.token_urlsafe(12)
SECRET_KEY = "bench-" + secrets.token_urlsafe(48)

SESSION_COOKIE = "sessionid"
CSRF_COOKIE = "csrftoken"
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class BenchError(SystemExit):
    """Stops the run with one plain line (and a non-zero exit)."""

    def __init__(self, message: str):
        super().__init__(f"bench: {message}")


# ------------------------------------------------------------------ prerequisites
def require_tools() -> None:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed. Install it with: sudo apt-get install wrk")
    if shutil.which("psql") is None:
        raise BenchError(
            "psql is not installed. Install it with: sudo apt-get install postgresql-client"
        )
    try:
        psql("postgres", "SELECT 1")
    except subprocess.CalledProcessError as error:
        raise BenchError(
            f"PostgreSQL at {POSTGRES} is not reachable: {error.stderr.strip()}"
        ) from None
    host, port = REDIS_URL.split("//", 1)[1].split("/", 1)[0].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError as error:
        raise BenchError(f"Redis at {REDIS_URL} is not reachable: {error}") from None


def machine_is_quiet(limit: float = 1.0) -> tuple[bool, float]:
    load = os.getloadavg()[0]
    return load < limit, load


# ------------------------------------------------------------------ databases and Django tasks
def database_url(name: str) -> str:
    return f"{POSTGRES}/{name}"


def psql(database: str, sql: str) -> str:
    done = subprocess.run(
        [
            "psql",
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            database_url(database),
            "-c",
            sql,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def recreate_database(name: str, template: str | None = None) -> None:
    psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    suffix = f' TEMPLATE "{template}"' if template else ""
    psql("postgres", f'CREATE DATABASE "{name}"{suffix}')


def flush_redis(url: str = REDIS_URL) -> None:
    """Empty the benchmark's own Redis database (never another one)."""
    import redis

    redis.Redis.from_url(url).flushdb()


@dataclass
class Stack:
    """One deployment: a database, a cache and the settings the servers run with."""

    database: str
    redis: bool = True
    cache_prefix: str = "bench"
    settings: str = "bench.settings"
    fast_signin: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self, **overrides: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "REDIRECTION_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE=self.settings,
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=SECRET_KEY,
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_ALLOWED_HOSTS=SERVICE_HOST,
            DATABASE_URL=database_url(self.database),
            DEFENDER_PORTAL_URL=DEFENDER_URL,
            LEGACY_PORTAL_URL=f"http://{LEGACY_HOST}",
            DEMO_PASSWORD=PASSWORD,
            BENCH_CACHE_PREFIX=self.cache_prefix,
            BENCH_STATIC_ROOT=str(WORK_DIR / "staticfiles"),
            BENCH_FAST_SIGNIN="true" if self.fast_signin else "false",
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(BASE_DIR),
        )
        if self.redis:
            env["REDIS_URL"] = REDIS_URL
        env.update(self.extra_env)
        env.update(overrides)
        return env

    def manage(self, *args: str) -> str:
        return self._run([PYTHON, "manage.py", *args])

    def task(self, *args: str) -> str:
        return self._run([PYTHON, "-m", "bench.tasks", *args])

    def _run(self, command: list[str]) -> str:
        done = subprocess.run(
            command, cwd=BASE_DIR, env=self.env(), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise BenchError(f"{' '.join(command[1:])} failed:\n{done.stderr.strip()[-3000:]}")
        return done.stdout


def prepare(stack: Stack) -> None:
    """A fresh database with the demo data, and static files collected for production."""
    recreate_database(stack.database)
    stack.manage("migrate", "--no-input", "-v", "0")
    stack.manage("collectstatic", "--no-input", "-v", "0")
    stack.manage("seed_demo", "--password", PASSWORD)
    stack.task("accounts")


# ------------------------------------------------------------------ servers
class Server:
    """gunicorn with the project's own config (2 workers), on loopback, until stopped."""

    def __init__(self, stack: Stack, name: str, workers: int = 2):
        self.stack = stack
        self.name = name
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        log = open(WORK_DIR / f"{self.name}.log", "wb")  # noqa: SIM115 (lives with the server)
        env = self.stack.env(
            HOST="127.0.0.1", PORT=str(self.port), WEB_CONCURRENCY=str(self.workers)
        )
        self.process = subprocess.Popen(
            [GUNICORN, "--config", "config/gunicorn.py", "config.wsgi"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"server {self.name} stopped; see {WORK_DIR / self.name}.log")
            try:
                if self.get("/healthz", SERVICE_HOST).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise BenchError(f"server {self.name} did not answer /healthz within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if self.process and parent == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def request(self, method, path, host, *, cookies=None, body=None, headers=None) -> Answer:
        return http_request(
            self.port, method, path, host, cookies=cookies, body=body, headers=headers
        )

    def get(self, path: str, host: str, cookies: dict | None = None) -> Answer:
        return self.request("GET", path, host, cookies=cookies)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# ------------------------------------------------------------------ HTTP as a browser does it
@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def cookies(self) -> dict[str, str]:
        found = {}
        for line in self.headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            found[name.strip()] = rest.split(";", 1)[0]
        return found

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


def http_request(port, method, path, host, *, cookies=None, body=None, headers=None) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        sent = {"Host": host, **(headers or {})}
        if cookies:
            sent["Cookie"] = cookie_header(cookies)
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


class SignInForm:
    """The portal's real sign-in form; one CSRF pair serves every later sign-in."""

    def __init__(self, port: int, host: str):
        self.port = port
        self.host = host
        page = http_request(port, "GET", "/signin", host)
        match = CSRF_FIELD.search(page.body)
        if page.status != 200 or not match:
            raise BenchError(f"no sign-in form on {host} (status {page.status})")
        self.csrf_cookie = page.cookies()[CSRF_COOKIE]
        self.csrf_field = match.group(1).decode()

    def sign_in(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        """A new signed-in session: its cookies (session and the rotated CSRF token)."""
        body = urlencode(
            {"username": email, "password": password, "csrfmiddlewaretoken": self.csrf_field}
        )
        answer = http_request(
            self.port,
            "POST",
            "/signin",
            self.host,
            cookies={CSRF_COOKIE: self.csrf_cookie},
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        cookies = answer.cookies()
        if answer.status != 302 or SESSION_COOKIE not in cookies:
            raise BenchError(f"sign-in of {email} on {self.host} failed (status {answer.status})")
        return {
            SESSION_COOKIE: cookies[SESSION_COOKIE],
            CSRF_COOKIE: cookies.get(CSRF_COOKIE, self.csrf_cookie),
        }


def sign_in(server: Server, host: str, email: str, password: str = PASSWORD) -> dict[str, str]:
    return SignInForm(server.port, host).sign_in(email, password)


# ------------------------------------------------------------------ the switch
API_PATH = "/api/v1/portal-redirection"


def api_available(server: Server, admin_cookies: dict[str, str]) -> bool:
    return server.get(API_PATH, DEFENDER_HOST, admin_cookies).status == 200


@dataclass(frozen=True)
class Flip:
    enabled: bool
    started: float  # wall clock before the request: the commit is after this ...
    committed: float  # ... and before this


class Switch:
    """Turns the tenant's Automatic redirection On/Off: through the JSON API when it exists,
    else through the one writer (settings_ui.services) in a long-lived helper process."""

    def __init__(self, stack: Stack, server: Server | None = None, admin_cookies=None):
        self.server = server
        self.admin_cookies = admin_cookies
        self.via_api = bool(server and admin_cookies and api_available(server, admin_cookies))
        self.helper: subprocess.Popen | None = None
        if not self.via_api:
            self.helper = subprocess.Popen(
                [PYTHON, "-m", "bench.tasks", "switch", TENANT],
                cwd=BASE_DIR,
                env=stack.env(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            self._read_helper()  # "ready"

    @property
    def how(self) -> str:
        return (
            "JSON API (PUT /api/v1/portal-redirection)" if self.via_api else "settings_ui.services"
        )

    def set(self, enabled: bool) -> Flip:
        started = time.time()
        if self.via_api:
            answer = self.server.request(
                "PUT",
                API_PATH,
                DEFENDER_HOST,
                cookies=self.admin_cookies,
                body=json.dumps({"enabled": enabled}),
                headers={
                    "Content-Type": "application/json",
                    "X-CSRFToken": self.admin_cookies[CSRF_COOKIE],
                },
            )
            if answer.status != 200:
                raise BenchError(f"PUT {API_PATH} answered {answer.status}: {answer.body[:200]!r}")
        else:
            self.helper.stdin.write("on\n" if enabled else "off\n")
            self.helper.stdin.flush()
            self._read_helper()
        return Flip(enabled, started, time.time())

    def _read_helper(self) -> str:
        line = self.helper.stdout.readline().strip()
        if not line.startswith(("ready", "on", "off")):
            raise BenchError(f"switch helper: {line or 'stopped'}")
        return line

    def close(self) -> None:
        if self.helper:
            self.helper.stdin.close()
            self.helper.wait(timeout=10)


# ------------------------------------------------------------------ wrk
@dataclass(frozen=True)
class WrkResult:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    statuses: dict[str, int]


def wrk(
    port: int, path: str, host: str, cookies: dict | None, *, seconds: int, connections: int
) -> WrkResult:
    env = {
        **os.environ,
        "BENCH_HOST": host,
        "BENCH_PATH": path,
        "BENCH_COOKIE": cookie_header(cookies) if cookies else "",
    }
    done = subprocess.run(
        [
            "wrk",
            f"--threads={min(2, connections)}",
            f"--connections={connections}",
            f"--duration={seconds}s",
            "--timeout=5s",
            "--latency",
            f"--script={BENCH_DIR / 'lua' / 'measure.lua'}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH_RESULT "))
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    statuses = {str(k): v for k, v in data["statuses"].items()}
    bad_status = sum(v for k, v in statuses.items() if not 200 <= int(k) < 400)
    return WrkResult(
        requests=data["requests"],
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=bad_status + data["socket_errors"],
        statuses=statuses,
    )


def say(message: str = "") -> None:
    print(message, flush=True)
    sys.stdout.flush()
