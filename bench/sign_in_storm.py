"""20 browsers sign in at once against 2 sync gunicorn workers: none may wait for ever.

Each browser goes the whole way: the legacy portal's /signin, the directory's authorization
endpoint and sign-in form, back to the portal's callback (which exchanges the code with the
embedded directory in-process) and on to the portal's page. Prints one JSON line.

    DATABASE_URL=postgres://… python -m bench.sign_in_storm [--browsers 20] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "storm-password-1"  # noqa: S105 (a throwaway database)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(port: int, email: str) -> float:
    """One browser's whole sign-in; returns its seconds."""
    sites: dict[str, requests.Session] = {}  # one cookie jar per host, as a browser keeps
    started = time.monotonic()
    host, path, method, data = "portal.atp.localhost", "/signin?next=/timeline", "GET", None
    for _ in range(12):
        session = sites.setdefault(host, requests.Session())
        answer = session.request(
            method,
            f"http://127.0.0.1:{port}{path}",
            headers={"Host": f"{host}:{port}"},
            data=data,
            allow_redirects=False,
            timeout=120,
        )
        if answer.status_code == 200 and host.startswith("login.") and method == "GET":
            token = CSRF_FIELD.search(answer.text).group(1)
            nxt = re.search(r'name="next" value="([^"]*)"', answer.text).group(1)
            method = "POST"
            data = {
                "username": email,
                "password": PASSWORD,
                "next": nxt.replace("&amp;", "&"),
                "csrfmiddlewaretoken": token,
            }
            path = "/signin"
            continue
        if answer.status_code != 302:
            if host.startswith("portal.atp.") and answer.status_code == 200:
                return time.monotonic() - started
            raise RuntimeError(f"{email}: {answer.status_code} at {host}{path}")
        location = urlsplit(answer.headers["Location"])
        host = location.hostname or host
        path = location.path + (f"?{location.query}" if location.query else "")
        method, data = "GET", None
    raise RuntimeError(f"{email}: too many redirects")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--browsers", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()
    port = options.port
    with tempfile.TemporaryDirectory() as workdir:
        env = {
            **os.environ,
            "DJANGO_DEBUG": "true",
            # PostgreSQL when DATABASE_URL names it: two processes writing one SQLite file wait
            # on its lock, which measures SQLite, not the sign-in.
            "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{workdir}/db.sqlite3"),
            "DEFENDER_PORTAL_URL": f"http://security.localhost:{port}",
            "LEGACY_PORTAL_URL": f"http://portal.atp.localhost:{port}",
            "ENDPOINT_PORTAL_URL": f"http://securitycenter.localhost:{port}",
            "IDENTITY_URL": f"http://login.localhost:{port}",
            "PORT": str(port),
            "WEB_CONCURRENCY": str(options.workers),
        }
        env.pop("REDIS_URL", None)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [*manage, "seed_demo", "--password", PASSWORD],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env={**env, "HOST": "127.0.0.1"},
            stdout=subprocess.DEVNULL,
            stderr=open(os.environ.get("STORM_SERVER_LOG", os.devnull), "w"),  # noqa: SIM115
        )
        try:
            for _ in range(100):
                try:
                    requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except requests.RequestException:
                    time.sleep(0.2)
            emails = [
                "analyst@contoso.example",
                "reader@contoso.example",
                "operator@contoso.example",
            ]
            started = time.monotonic()
            with ThreadPoolExecutor(options.browsers) as pool:
                times = list(
                    pool.map(
                        lambda n: sign_in(port, emails[n % len(emails)]), range(options.browsers)
                    )
                )
            total = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=10)
    times.sort()
    print(
        json.dumps(
            {
                "browsers": options.browsers,
                "workers": options.workers,
                "all_finished_seconds": round(total, 2),
                "median_seconds": round(times[len(times) // 2], 2),
                "slowest_seconds": round(times[-1], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
