"""Benchmark steps that run inside Django: sign-ins, bulk data and in-process timings.

Run as ``python -m bench.tasks <step>`` with the environment of a bench.harness.Stack.
"""

from __future__ import annotations

import io
import json
import os
import re
import statistics
import sys
import time
import timeit

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.contrib.auth import login  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.urls import URLPattern, URLResolver, get_resolver, reverse  # noqa: E402

from accounts import session_keys  # noqa: E402
from accounts.models import RoleAssignment, User  # noqa: E402
from portal.models import Alert, Group  # noqa: E402
from web.hosts import DEFENDER, ENDPOINT, LEGACY, SERVICE, URLCONFS, portal_for_host  # noqa: E402

ADMIN = "admin@contoso.example"
SUPPORT = "support@defender.example"
KEPT = "analyst@contoso.example"  # signs in before the switch is turned On
ROUTED = "operator@contoso.example"  # signs in after
# Each portal's pages are read by the account a user of that portal would be.
# The Security Center is read by the same analyst as the legacy portal: its switch stays Off.
READER = {DEFENDER: ADMIN, LEGACY: KEPT, ENDPOINT: KEPT}
NOT_PAGES = {"signout", "handoff", "thanks"}  # POST only, or only reached from another step
SAMPLES = int(os.environ.get("BENCH_PAGE_SAMPLES", "9"))


# ------------------------------------------------------------------ sign-ins
def host_of_portal() -> dict[str, str]:
    """Every site's host name, by the name of its URLconf (the directory's too, once it has one)."""
    return {portal_for_host(host): host for host in reversed(settings.ALLOWED_HOSTS)}


def sign_in(email: str, host: str) -> str:
    """A session signed in through the product's own sign-in code; returns its Cookie header."""
    user = User.objects.get(email=email)
    request = RequestFactory().get("/", HTTP_HOST=host, HTTP_USER_AGENT="bench")
    request.portal = portal_for_host(host)
    request.session = django_session_store()()
    # The roles the directory's ID token would name, as the portal's sign-in hands them over.
    mine = RoleAssignment.objects.filter(user=user, tenant_id=user.tenant_id)
    request.sign_in_roles = list(mine.values_list("role", flat=True))
    backends = settings.AUTHENTICATION_BACKENDS
    login(request, user, backend=next((b for b in backends if "ModelBackend" in b), backends[-1]))
    request.session.save()
    return f"{settings.SESSION_COOKIE_NAME}={request.session.session_key}"


def django_session_store():
    from importlib import import_module

    return import_module(settings.SESSION_ENGINE).SessionStore


def sign_ins() -> None:
    """Reads "email host" lines, answers each with "cookie <Cookie header>"."""
    for line in sys.stdin:
        email, host = line.split()
        try:
            print(f"cookie {sign_in(email, host)}", flush=True)
        except Exception as error:  # the harness stops the run with this line
            print(f"error {type(error).__name__}: {error}", flush=True)


# ------------------------------------------------------------------ large data
def large(tenants: str, users: str, sessions: str) -> None:
    """Bulk rows in PostgreSQL with generate_series: tenants, accounts, sign-ins, switches."""
    started = time.monotonic()
    password = User.objects.get(email=ADMIN).password
    sql = (settings.BASE_DIR / "bench" / "large.sql").read_text()
    with connection.cursor() as cursor:
        # The bulk load runs for minutes by design: the limit per statement that keeps a
        # request from hanging on the database is lifted for this connection only.
        cursor.execute("SET statement_timeout = 0")
        for statement in filter(str.strip, sql.split(";\n")):
            cursor.execute(
                statement,
                {"tenants": int(tenants), "users": int(users), "sessions": int(sessions),
                 "password": password},
            )  # fmt: skip
    print(json.dumps({"seconds": round(time.monotonic() - started, 1)}))


# ------------------------------------------------------------------ in-process timings
def environ(host: str, path: str, cookie: str) -> dict:
    """The WSGI environ gunicorn would hand to Django for a GET."""
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": host,
        "HTTP_COOKIE": cookie,
        "HTTP_USER_AGENT": "bench",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def server_time(
    handler: WSGIHandler, host: str, path: str, cookie: str
) -> tuple[int, float, float]:
    """(status, p50 ms, p50 ms of this process's CPU) of a page through Django's WSGI
    handler, as gunicorn calls it. The CPU time tells a busy machine from a slow page."""
    status = []

    def start_response(line, headers, exc_info=None):
        status.append(int(line.split()[0]))

    times, cpu = [], []
    for n in range(SAMPLES + 2):  # two to warm templates, caches and the connection
        started, started_cpu = time.perf_counter(), time.process_time()
        answer = handler(environ(host, path, cookie), start_response)
        b"".join(answer)
        answer.close()  # request_finished: where Django closes or keeps the connection
        if n >= 2:
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    return status[-1], statistics.median(times) * 1000, statistics.median(cpu) * 1000


def page_paths(urlconf: str, ids: dict[str, int]) -> list[tuple[str, str]]:
    """(URL name, path) of every GET page of a URLconf, ids filled in from the demo data."""
    found = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin":
                    walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and pattern.name not in NOT_PAGES:
                names = re.findall(r"<(?:\w+:)?(\w+)>", route)
                if all(name in ids for name in names):
                    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), route)
                    found.append((pattern.name or path, "/" + path.lstrip("^").rstrip("$")))

    walk(get_resolver(urlconf).url_patterns, "")
    return found


def support_console_paths() -> list[tuple[str, str]]:
    urlconf = URLCONFS[DEFENDER]
    paths = [("admin index", reverse("admin:index", urlconf=urlconf))]
    for model in admin.site._registry:
        meta = model._meta
        name = f"admin:{meta.app_label}_{meta.model_name}_changelist"
        paths.append((f"admin {meta.verbose_name_plural}", reverse(name, urlconf=urlconf)))
    return paths


def pages(kept_cookie: str = "") -> None:
    """p50 server time of every page of every site, each read by the account a user would be.

    The legacy portal's pages are read by a kept session (signed in before On), if given.
    """
    alert = Alert.objects.filter(tenant__domain="contoso.example").order_by("pk").first()
    group = Group.objects.filter(tenant=alert.tenant, is_sensitive=True).order_by("pk").first()
    ids = {
        "alert_id": alert.pk,
        "identity_id": alert.identity_id,
        "device_id": alert.device_id,
        "group_id": group.pk,
        "report": "sensitive-groups",
    }
    # The Security Center opens its own product's alerts only.
    endpoint = alert.tenant.alerts.filter(service_source="endpoint").order_by("pk").first()
    ids_of = {ENDPOINT: {**ids, "alert_id": endpoint.pk, "device_id": endpoint.device_id}}
    hosts = host_of_portal()
    cookies = {portal: sign_in(email, hosts[portal]) for portal, email in READER.items()}
    if kept_cookie:
        cookies[LEGACY] = kept_cookie
    handler = WSGIHandler()
    rows = []
    for portal, urlconf in URLCONFS.items():
        if portal not in hosts or portal == SERVICE:
            continue
        cookie = cookies.get(portal, "")
        for name, path in page_paths(urlconf, ids_of.get(portal, ids)):
            rows.append([portal, name, path, *server_time(handler, hosts[portal], path, cookie)])
    support = sign_in(SUPPORT, hosts[DEFENDER])
    for name, path in support_console_paths():
        rows.append([DEFENDER, name, path, *server_time(handler, hosts[DEFENDER], path, support)])
    print(json.dumps(rows))


def flows(routed_cookie: str, kept_cookie: str) -> None:
    """In-process p50 of the three answers the throughput run measures (switch already On)."""
    host = host_of_portal()[LEGACY]
    handler = WSGIHandler()
    rows = {
        "routed legacy request": server_time(handler, host, "/timeline", routed_cookie),
        "signed-out request": server_time(handler, host, "/timeline", ""),
        "kept-session legacy /timeline": server_time(handler, host, "/timeline", kept_cookie),
    }
    print(json.dumps(rows))


class RoundTrips:
    """Counts what is sent to Redis (a pipeline is one send): one count per round trip."""

    def __init__(self):
        from redis.connection import AbstractConnection

        self.count = 0
        self.original = AbstractConnection.send_packed_command
        counter = self

        def counted(connection, command, check_health=True):
            counter.count += 1
            return counter.original(connection, command, check_health)

        AbstractConnection.send_packed_command = counted


def middleware(kept_cookie: str, routed_cookie: str) -> None:
    """The redirection middleware's own cost: µs per call (best of 5) and cache round trips.

    The session is loaded beforehand (that is the session middleware's cost, which any
    signed-in page pays); what remains is the middleware's own work on a warm cache.
    """
    from portal.middleware import FormerPortalRedirectionMiddleware

    host = host_of_portal()[LEGACY]
    answer = HttpResponse(b"ok")
    redirection = FormerPortalRedirectionMiddleware(lambda request: answer)
    store = django_session_store()
    results = {}
    for name, cookie in (("kept", kept_cookie), ("routed", routed_cookie)):
        request = RequestFactory().get("/timeline", HTTP_HOST=host)
        request.portal = LEGACY
        request.session = store(cookie.split("=", 1)[1])
        # loads the session
        request.user = User.objects.get(pk=request.session[session_keys.USER_ID])
        redirection(request)  # warms the cache

        def call(request=request):
            return redirection(request)

        number = 2000
        best = min(timeit.repeat(call, number=number, repeat=5)) / number * 1e6
        trips = None
        if settings.CACHES["default"]["BACKEND"].lower().find("redis") >= 0:
            counter = RoundTrips()
            call()
            trips = counter.count
        results[name] = {"us": round(best, 1), "status": call().status_code, "round_trips": trips}
    print(json.dumps(results))


STEPS = {
    "sign-ins": sign_ins,
    "large": large,
    "pages": pages,
    "flows": flows,
    "middleware": middleware,
}

if __name__ == "__main__":
    step, *arguments = sys.argv[1:]
    STEPS[step](*arguments)
