"""What every benchmark needs: deployments, gunicorn servers, signed-in sessions, flips, wrk."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.manage_process import free_port

BASE_DIR = Path(__file__).resolve().parent.parent
WORK_DIR = Path(os.environ.get("BENCH_WORK_DIR", Path(tempfile.gettempdir()) / "portal-bench"))
PYTHON = str(BASE_DIR / ".venv" / "bin" / "python")
GUNICORN = str(BASE_DIR / ".venv" / "bin" / "gunicorn")

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "portal_bench")
# Two Redis databases of the benchmark's own (emptied on every run): demo data, large data.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
LARGE_REDIS_URL = os.environ.get("BENCH_LARGE_REDIS_URL", "redis://127.0.0.1:6379/13")

DEFENDER_HOST = "security.localhost"
LEGACY_HOST = "portal.atp.localhost"
ENDPOINT_HOST = "securitycenter.localhost"
PROBE_HOST = "bench.localhost"
DEFENDER_URL = f"http://{DEFENDER_HOST}"
TENANT = "contoso.example"
PASSWORD = "bench-" + secrets.token_urlsafe(12)
SECRET_KEY = "bench-" + secrets.token_urlsafe(48)
IDENTITY_URL = "http://login.localhost"


def signing_key() -> str:
    """A new RSA key for the directory's ID tokens, as production requires one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


SIGNING_KEY = signing_key()
API_PATH = "/api/v1/portal-redirection"


class BenchError(SystemExit):
    """Stops the run with one plain line (and a non-zero exit)."""

    def __init__(self, message: str):
        super().__init__(f"bench: {message}")


def say(message: str = "") -> None:
    print(message, flush=True)


def require_tools() -> None:
    """Nothing is installed behind the user's back: say what is missing and how to get it."""
    for tool, package in (("wrk", "wrk"), ("psql", "postgresql-client")):
        if shutil.which(tool) is None:
            raise BenchError(f"{tool} is not installed. Install it with: apt-get install {package}")
    try:
        psql("postgres", "SELECT 1")
    except subprocess.CalledProcessError as error:
        reason = error.stderr.strip()
        raise BenchError(f"PostgreSQL at {POSTGRES} is not reachable: {reason}") from None
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError as error:
        raise BenchError(f"Redis at {REDIS_URL} is not reachable: {error}") from None


def psql(database: str, sql: str) -> str:
    done = subprocess.run(
        ["psql", "-XqAt", "-v", "ON_ERROR_STOP=1", f"{POSTGRES}/{database}", "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


# ------------------------------------------------------------------ deployments
@dataclass
class Stack:
    """One deployment: its database and cache, with the production settings."""

    name: str
    database_url: str
    redis_url: str = ""
    env_extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def embedded(cls, name: str) -> Stack:
        """The embedded default: a SQLite file and each worker's local-memory cache."""
        return cls(name, f"sqlite:///{WORK_DIR / name}.sqlite3")

    @classmethod
    def postgres(cls, name: str, redis_url: str = REDIS_URL) -> Stack:
        return cls(name, f"{POSTGRES}/{name}", redis_url)

    @property
    def label(self) -> str:
        return "PostgreSQL + Redis" if self.redis_url else "SQLite + local memory"

    def env(self, **overrides: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(
                ("DJANGO_", "DATABASE_", "REDIS_", "REDIRECTION_", "DEMO_", "OIDC_", "IDENTITY_")
            )
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DJANGO_SECRET_KEY=SECRET_KEY,
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_ALLOWED_HOSTS=PROBE_HOST,
            DATABASE_URL=self.database_url,
            DEFENDER_PORTAL_URL=DEFENDER_URL,
            LEGACY_PORTAL_URL=f"http://{LEGACY_HOST}",
            ENDPOINT_PORTAL_URL=f"http://{ENDPOINT_HOST}",
            IDENTITY_URL=IDENTITY_URL,
            OIDC_RSA_PRIVATE_KEY=SIGNING_KEY,
            DEMO_PASSWORD=PASSWORD,
            PYTHONPATH=str(BASE_DIR),
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(self.env_extra)
        env.update(overrides)
        return env

    def run(self, *command: str) -> str:
        done = subprocess.run(
            [PYTHON, *command], cwd=BASE_DIR, env=self.env(), capture_output=True, text=True
        )
        if done.returncode != 0:
            raise BenchError(f"{' '.join(command)} failed:\n{done.stderr.strip()[-3000:]}")
        return done.stdout

    def task(self, *args: str) -> dict:
        return json.loads(self.run("-m", "bench.tasks", *args))

    def prepare(self) -> None:
        """A fresh database with the demo data."""
        if self.redis_url:
            psql("postgres", f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            psql("postgres", f'CREATE DATABASE "{self.name}"')
            import redis

            redis.Redis.from_url(self.redis_url).flushdb()
        else:
            WORK_DIR.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{WORK_DIR / self.name}.sqlite3{suffix}").unlink(missing_ok=True)
        self.run("manage.py", "migrate", "--no-input", "-v", "0")
        self.run("manage.py", "seed_demo", "--password", PASSWORD)


def collect_static() -> None:
    """Production serves hashed static files: collect them once (into the usual STATIC_ROOT)."""
    Stack.embedded("static").run("manage.py", "collectstatic", "--no-input", "-v", "0")


# ------------------------------------------------------------------ servers
class Server:
    """gunicorn with the project's own config file (2 sync workers), on loopback."""

    def __init__(self, stack: Stack | None, name: str, app: str = "config.wsgi"):
        self.stack, self.name, self.app = stack, name, app
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def log(self) -> Path:
        return WORK_DIR / f"{self.name}.log"

    def __enter__(self) -> Server:
        WORK_DIR.mkdir(parents=True, exist_ok=True)
        env = (self.stack or Stack("floor", "")).env(
            HOST="127.0.0.1", PORT=str(self.port), WEB_CONCURRENCY="2"
        )
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [GUNICORN, "--config", "config/gunicorn.py", self.app],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"server {self.name} stopped; see {self.log}")
            try:
                if self.get("/healthz", PROBE_HOST).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise BenchError(f"server {self.name} did not answer /healthz within 30 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
            except OSError:
                continue
            if stat and int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                found.append(int(entry.name))
        return sorted(found)

    def request(self, method: str, path: str, host: str, cookie: str = "", **kw) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            headers = {"Host": host, **kw.get("headers", {})}
            if cookie:
                headers["Cookie"] = cookie
            connection.request(method, path, body=kw.get("body"), headers=headers)
            response = connection.getresponse()
            return Answer(response.status, response.getheader("Location", ""), response.read())
        finally:
            connection.close()

    def get(self, path: str, host: str, cookie: str = "") -> Answer:
        return self.request("GET", path, host, cookie)


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    body: bytes

    @property
    def routed(self) -> bool:
        """Any 302 to the Defender portal: the routed answer, wherever on it it lands."""
        return self.status == 302 and self.location.startswith(DEFENDER_URL)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# ------------------------------------------------------------------ sessions and the switch
class SignIns:
    """Signed-in sessions made by the product's own sign-in code in a helper process.

    The servers see exactly what a browser's sign-in leaves (session row, SignInSession, the
    session's portal, tenant and sign-in time), whatever the sign-in pages look like.
    """

    def __init__(self, stack: Stack):
        self.lock = threading.Lock()
        self.helper = subprocess.Popen(
            [PYTHON, "-m", "bench.tasks", "sign-ins"],
            cwd=BASE_DIR,
            env=stack.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def cookie(self, email: str, host: str) -> str:
        """A new session of the account on the portal at ``host``: its Cookie header."""
        with self.lock:
            self.helper.stdin.write(f"{email} {host}\n")
            self.helper.stdin.flush()
            line = self.helper.stdout.readline().strip()
        if not line.startswith("cookie "):
            raise BenchError(f"signing in {email} on {host}: {line or 'helper stopped'}")
        return line.removeprefix("cookie ")

    def close(self) -> None:
        self.helper.stdin.close()
        self.helper.wait(timeout=10)


@dataclass(frozen=True)
class Flip:
    enabled: bool
    started: float  # wall clock before the request: the commit is after this ...
    committed: float  # ... and before this


class Switch:
    """The tenant's Automatic redirection, changed as the admin's browser does: the JSON API."""

    def __init__(self, server: Server, sign_ins: SignIns, admin: str = "admin@contoso.example"):
        self.server = server
        token = secrets.token_hex(16)  # a CSRF secret of our own, sent as cookie and header
        self.cookie = f"{sign_ins.cookie(admin, DEFENDER_HOST)}; csrftoken={token}"
        self.headers = {"Content-Type": "application/json", "X-CSRFToken": token}
        self.refused: list[int] = []  # statuses of attempts that failed (and were retried)

    def set(self, enabled: bool) -> Flip:
        body = json.dumps({"enabled": enabled})
        for _ in range(5):
            started = time.time()
            answer = self.server.request(
                "PUT", API_PATH, DEFENDER_HOST, self.cookie, body=body, headers=self.headers
            )
            if answer.status == 200:
                return Flip(enabled, started, time.time())
            self.refused.append(answer.status)
            time.sleep(0.5)
        raise BenchError(f"PUT {API_PATH} answered {answer.status}: {answer.body[:200]!r}")


# ------------------------------------------------------------------ wrk
@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50_ms: float
    unexpected: int  # answers other than the expected status (and place), plus socket errors


def wrk(
    port: int, path: str, host: str, cookie: str, expect: int, location: str, seconds: int
) -> WrkResult:
    """16 connections on one page; counts every answer that is not the one expected."""
    env = {
        **os.environ,
        "BENCH_HOST": host,
        "BENCH_PATH": path,
        "BENCH_COOKIE": cookie,
        "BENCH_EXPECT": str(expect),
        "BENCH_LOCATION": location,
    }
    done = subprocess.run(
        [
            "wrk",
            "--threads=2",
            f"--connections={os.environ.get('BENCH_CONNECTIONS', '16')}",
            f"--duration={seconds}s",
            "--timeout=5s",
            f"--script={BASE_DIR / 'bench' / 'lua' / 'measure.lua'}",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH_RESULT "))
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    return WrkResult(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        unexpected=data["unexpected"] + data["socket_errors"],
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


if __name__ == "__main__":
    sys.exit("bench.harness is a library: run `make bench` or `make load`.")
