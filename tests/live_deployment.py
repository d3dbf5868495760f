"""A production deployment for tests: its own PostgreSQL database, gunicorn with two workers,
and browsers that speak plain HTTP to it (a cookie jar per host, redirects followed by hand).

The servers run with production settings (debug off) on loopback; every site is reached on
127.0.0.1 with the site's Host header, as DESIGN.md says scripts must.
"""

from __future__ import annotations

import http.client
import re
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from html import unescape
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
from psycopg import sql

from tests.manage_process import ROOT, free_port, manage_env, run_manage

DEFENDER_HOST = "security.localhost"
LEGACY_HOST = "portal.atp.localhost"
IDENTITY_HOST = "login.localhost"
PASSWORD = "live-" + secrets.token_urlsafe(12)
SECRET_KEY = "live-" + secrets.token_urlsafe(48)
HIDDEN_NEXT = re.compile(r'<input type="hidden" name="next" value="([^"]*)">')


@dataclass(frozen=True)
class Answer:
    url: str
    status: int
    location: str
    body: str


class Deployment:
    """A fresh database with the demo data, and the servers that share it."""

    def __init__(self, postgres: dict, home: Path):
        self.postgres = postgres
        self.name = f"sign_in_end_{secrets.token_hex(4)}"
        self.home = home
        self.port = free_port()
        self.servers: list[subprocess.Popen] = []

    @property
    def database_url(self) -> str:
        p = self.postgres
        credentials = p["USER"] + (f":{p['PASSWORD']}" if p.get("PASSWORD") else "")
        address = f"{p['HOST'] or '127.0.0.1'}:{p['PORT'] or 5432}"
        return f"postgres://{credentials}@{address}/{self.name}"

    def url(self, host: str) -> str:
        return f"http://{host}:{self.port}"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DJANGO_STATIC_MANIFEST": "false",
            "DATABASE_URL": self.database_url,
            "DEFENDER_PORTAL_URL": self.url(DEFENDER_HOST),
            "LEGACY_PORTAL_URL": self.url(LEGACY_HOST),
            "IDENTITY_URL": self.url(IDENTITY_HOST),
            "DEMO_PASSWORD": PASSWORD,
            "REDIS_URL": "",
            **extra,
        }

    def _admin(self, statement: sql.Composable) -> None:
        p = self.postgres
        with psycopg.connect(
            host=p["HOST"] or "127.0.0.1",
            port=p["PORT"] or 5432,
            user=p["USER"],
            password=p.get("PASSWORD") or None,
            dbname="postgres",
            autocommit=True,
        ) as connection:
            connection.execute(statement)

    def create(self) -> None:
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        for command in (("migrate", "--no-input", "-v", "0"), ("seed_demo",)):
            done = run_manage(*command, **self.env())
            assert done.returncode == 0, done.stderr

    def serve(self, **extra: str) -> None:
        """gunicorn, two sync workers, on this deployment's port."""
        log = (self.home / f"server-{len(self.servers)}.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env=manage_env(
                **self.env(**extra), HOST="127.0.0.1", PORT=str(self.port), WEB_CONCURRENCY="2"
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.servers.append(server)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert server.poll() is None, f"the server stopped; see {log.name}"
            try:
                if Browser(self).get(self.url(DEFENDER_HOST) + "/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("the server did not answer /healthz")

    def stop(self) -> None:
        for server in self.servers:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        self.servers.clear()

    def drop(self) -> None:
        self.stop()
        self._admin(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
        )


class Browser:
    """One person's browser: host-only cookies per host, redirects followed across the sites."""

    def __init__(self, deployment: Deployment):
        self.deployment = deployment
        self.cookies: dict[str, dict[str, str]] = {}

    def request(self, method: str, url: str, form: dict | None = None) -> Answer:
        parts = urlsplit(url)
        host = parts.hostname
        headers = {"Host": parts.netloc}
        jar = self.cookies.setdefault(host, {})
        if jar:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in jar.items())
        body = None
        if method == "POST":
            form = dict(form or {})
            form.setdefault("csrfmiddlewaretoken", jar.get("csrftoken", ""))
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"{parts.scheme}://{parts.netloc}"
        connection = http.client.HTTPConnection("127.0.0.1", self.deployment.port, timeout=30)
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for line in response.headers.get_all("Set-Cookie") or ():
                self._keep(jar, line)
            location = response.getheader("Location", "")
            if location.startswith("/"):
                location = f"{parts.scheme}://{parts.netloc}{location}"
            return Answer(url, response.status, location, response.read().decode())
        finally:
            connection.close()

    @staticmethod
    def _keep(jar: dict[str, str], line: str) -> None:
        for name, morsel in SimpleCookie(line).items():
            if morsel.value in ("", '""') or morsel["max-age"] == "0":
                jar.pop(name, None)
            else:
                jar[name] = morsel.value

    def get(self, url: str) -> Answer:
        return self.request("GET", url)

    def visit(self, url: str, method: str = "GET", form=None, email: str = "") -> list[Answer]:
        """Every answer of a journey, as a browser follows it; fills the directory's
        sign-in form for ``email`` if it is asked for."""
        answers = [self.request(method, url, form)]
        for _ in range(16):
            last = answers[-1]
            step = self._directory_step(last) if last.status == HTTPStatus.OK else None
            if email and step in ("/signin", "/signin/stay"):
                found = HIDDEN_NEXT.search(last.body)
                # Both fields at once on the first step (as a password manager posts them),
                # then No to "Stay signed in?".
                fields = (
                    {"username": email, "password": PASSWORD}
                    if step == "/signin"
                    else {"stay": "no"}
                )
                answers.append(
                    self.request(
                        "POST",
                        last.url.split("?")[0],
                        {**fields, "next": unescape(found.group(1)) if found else ""},
                    )
                )
                if step == "/signin/stay":
                    email = ""
                continue
            if last.status != HTTPStatus.FOUND:
                return answers
            answers.append(self.request("GET", last.location))
        raise AssertionError(f"too many redirects: {[a.url for a in answers]}")

    def _directory_step(self, answer: Answer) -> str | None:
        """The directory's sign-in step this answer is, if it is one."""
        parts = urlsplit(answer.url)
        return parts.path if parts.hostname == IDENTITY_HOST else None

    def sign_in(self, host: str, email: str = "", next_path: str = "/") -> list[Answer]:
        return self.visit(f"{self.deployment.url(host)}/signin?next={next_path}", email=email)

    def sign_out(self, host: str) -> list[Answer]:
        return self.visit(f"{self.deployment.url(host)}/signout", method="POST")

    def session_cookie(self, host: str) -> str:
        return self.cookies.get(host, {}).get("sessionid", "")

    def asks_for_password(self, host: str) -> bool:
        """Whether a new sign-in on ``host`` stops on the directory's sign-in (its first step)."""
        last = self.sign_in(host)[-1]
        return last.status == HTTPStatus.OK and self._directory_step(last) == "/signin"


def replay(deployment: Deployment, host: str, path: str, session_key: str) -> int:
    """One request carrying only an old session cookie: its status."""
    browser = Browser(deployment)
    browser.cookies[host] = {"sessionid": session_key}
    return browser.get(deployment.url(host) + path).status
