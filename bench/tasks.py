"""Benchmark steps that run inside Django: accounts, the switch, bulk data, in-process timings.

Run as ``python -m bench.tasks <step>`` with the environment of a bench.harness.Stack.
"""

from __future__ import annotations

import json
import os
import sys
import time
import timeit
from datetime import datetime, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import MD5PasswordHasher  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, RequestFactory, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import DirectoryRole, RoleAssignment, Tenant, User  # noqa: E402
from accounts.signin import SIGNED_IN_AT, TENANT_ID, USER_ID  # noqa: E402
from settings_ui.models import ChangeSource  # noqa: E402
from settings_ui.services import set_portal_redirection  # noqa: E402
from tests.conftest import sign_in  # noqa: E402

TENANT = "contoso.example"
LEGACY_HOST = "portal.atp.localhost"
DEFENDER_HOST = "security.localhost"
SUPERUSER = "bench-support@defender.example"
POLLERS = [f"poller{n}@contoso.example" for n in range(1, 5)]
PROPAGATION_ADMIN = "propagation-admin@contoso.example"
PAGE_PATH = "/preferences2/portal_redirection"
ADMIN_LIST_PATH = "/admin/accounts/signinsession/"
REDIRECTION_MIDDLEWARE = "portal.middleware.LegacyRedirectionMiddleware"


def accounts() -> None:
    """A superuser for the admin list; the propagation accounts (fast hasher: only the
    propagation servers accept them), pollers without a role and an admin to flip."""
    password = settings.DEMO_PASSWORD
    contoso = Tenant.objects.get(domain=TENANT)
    if not User.objects.filter(email=SUPERUSER).exists():
        User.objects.create_superuser(SUPERUSER, password, display_name="Bench support")
    fast_hash = MD5PasswordHasher().encode(password, MD5PasswordHasher().salt())
    for email in [*POLLERS, PROPAGATION_ADMIN]:
        User.objects.update_or_create(
            email=email, defaults={"password": fast_hash, "tenant": contoso, "display_name": email}
        )
    RoleAssignment.objects.get_or_create(
        user=User.objects.get(email=PROPAGATION_ADMIN),
        tenant=contoso,
        role=DirectoryRole.GLOBAL_ADMINISTRATOR,
    )


def switch(domain: str) -> None:
    """Reads "on"/"off" lines and changes the switch through the one writer; answers each."""
    tenant = Tenant.objects.get(domain=domain)
    print("ready", flush=True)
    for line in sys.stdin:
        enabled = line.strip() == "on"
        result = set_portal_redirection(tenant, enabled, source=ChangeSource.CLI)
        stamp = result.setting.enabled_at.timestamp() if result.setting.enabled_at else 0
        print(f"{'on' if enabled else 'off'} {stamp}", flush=True)


# ------------------------------------------------------------------ large data
def large(tenants: int, users: int, sessions: int) -> None:
    """Bulk rows in PostgreSQL with generate_series: tenants, accounts, sign-ins, switches."""
    password = User.objects.get(email="admin@contoso.example").password
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_tenant (name, domain, directory_id, created_at) "
            "SELECT 'Tenant ' || g, 'bulk' || g || '.example', gen_random_uuid(), now() "
            "FROM generate_series(1, %s) g",
            [tenants],
        )
        cursor.execute("SELECT min(id) FROM accounts_tenant WHERE domain LIKE 'bulk%%'")
        first_tenant = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO accounts_user (password, is_superuser, email, display_name, tenant_id,"
            " is_active, is_staff, date_joined) "
            "SELECT %s, false, 'user' || g || '@bulk' || (g %% %s) || '.example', 'User ' || g,"
            " %s + (g %% %s), true, false, now() FROM generate_series(0, %s - 1) g",
            [password, tenants, first_tenant, tenants, users],
        )
        cursor.execute("SELECT min(id) FROM accounts_user WHERE email LIKE 'user%%@bulk%%'")
        first_user = cursor.fetchone()[0]
        # One Global Administrator per tenant: its first account.
        cursor.execute(
            "INSERT INTO accounts_roleassignment (user_id, tenant_id, role, assigned_at) "
            "SELECT %s + g, %s + g, 'global_administrator', now() "
            "FROM generate_series(0, %s - 1) g",
            [first_user, first_tenant, tenants],
        )
        # Sign-ins over the last 30 days, both portals, four in five already ended.
        cursor.execute(
            "INSERT INTO accounts_signinsession (user_id, tenant_id, portal, session_ref, method,"
            " signed_in_at, ended_at, end_reason, ip_address, user_agent) "
            "SELECT %s + (g %% %s), %s + (g %% %s),"
            " CASE WHEN g %% 3 = 0 THEN 'defender' ELSE 'legacy' END,"
            " md5(g::text) || md5(g::text), 'password',"
            " now() - (g %% 2592000) * interval '1 second',"
            " CASE WHEN g %% 5 = 0 THEN NULL"
            "  ELSE now() - (g %% 2592000) * interval '1 second' + interval '1 hour' END,"
            " CASE WHEN g %% 5 = 0 THEN '' ELSE 'signed_out' END,"
            " '10.0.0.1', 'Mozilla/5.0 (bench)' FROM generate_series(0, %s - 1) g",
            [first_user, users, first_tenant, tenants, sessions],
        )
        # Half the tenants have turned the switch On, each after one Off→On→Off→On history.
        cursor.execute(
            "INSERT INTO settings_ui_portalredirection (tenant_id, enabled, enabled_at,"
            " updated_at) SELECT %s + g, g %% 2 = 0, now() - interval '1 day', now()"
            " FROM generate_series(0, %s - 1) g",
            [first_tenant, tenants],
        )
        cursor.execute(
            "INSERT INTO settings_ui_redirectionchange (tenant_id, source, old_value, new_value,"
            " changed_at, user_agent) SELECT %s + (g %% %s), 'api', g %% 2 = 1, g %% 2 = 0,"
            " now() - interval '2 days' + g * interval '1 second', '' "
            "FROM generate_series(0, %s - 1) g",
            [first_tenant, tenants, tenants * 3],
        )
        cursor.execute("ANALYZE")
    print(json.dumps({"seconds": round(time.monotonic() - started, 1)}))


# ------------------------------------------------------------------ in-process
def _sign_in(client: Client, email: str) -> Client:
    sign_in(client, User.objects.get(email=email), settings.DEMO_PASSWORD)
    return client


def _set(enabled: bool) -> None:
    set_portal_redirection(Tenant.objects.get(domain=TENANT), enabled, source=ChangeSource.CLI)


def _captured(client: Client, path: str, warm: int = 2) -> tuple[int, list[str]]:
    for _ in range(warm):
        client.get(path)
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(path)
    return answer.status_code, [query["sql"] for query in queries.captured_queries]


def pages() -> dict[str, dict]:
    """Status and SQL of each benchmarked page, on a warm cache, signed in for real."""
    _set(False)
    kept = _sign_in(Client(HTTP_HOST=LEGACY_HOST), "analyst@contoso.example")
    _set(True)
    routed = _sign_in(Client(HTTP_HOST=LEGACY_HOST), "operator@contoso.example")
    admin = _sign_in(Client(HTTP_HOST=DEFENDER_HOST), "admin@contoso.example")
    support = _sign_in(Client(HTTP_HOST=DEFENDER_HOST), SUPERUSER)

    found = {}
    found["1 legacy page, middleware"] = _captured(kept, "/timeline")
    without = [name for name in settings.MIDDLEWARE if name != REDIRECTION_MIDDLEWARE]
    with override_settings(MIDDLEWARE=without):
        bare = Client(HTTP_HOST=LEGACY_HOST)
        bare.cookies = kept.cookies
        found["2 legacy page, no middleware"] = _captured(bare, "/timeline")
    found["3 routed legacy request"] = _captured(routed, "/timeline")
    found["5 Portal redirection page"] = _captured(admin, PAGE_PATH)
    found["admin session list"] = _captured(support, ADMIN_LIST_PATH)
    return {
        name: {"status": status, "queries": len(sql), "sql": sql}
        for name, (status, sql) in found.items()
    }


def query_counts() -> None:
    print(json.dumps({name: page for name, page in pages().items()}))


def micro() -> None:
    """µs per call of the middleware's decision on a warm cache (locmem, then Redis)."""
    from portal.decision import should_route
    from portal.middleware import LegacyRedirectionMiddleware
    from settings_ui.state import get_state

    _set(False)
    _set(True)
    tenant = Tenant.objects.get(domain=TENANT)
    user = User.objects.get(email="operator@contoso.example")
    enabled_at = get_state(tenant.pk).enabled_at
    ok = HttpResponse(b"ok")

    def request_for(signed_in: datetime):
        request = RequestFactory(HTTP_HOST=LEGACY_HOST).get("/timeline")
        request.portal = "legacy"
        request.session = {
            USER_ID: str(user.pk),
            TENANT_ID: tenant.pk,
            SIGNED_IN_AT: signed_in.timestamp(),
        }
        return request

    kept = request_for(enabled_at - timedelta(minutes=5))
    routed = request_for(enabled_at + timedelta(seconds=1))
    middleware = LegacyRedirectionMiddleware(lambda request: ok)
    window = settings.REDIRECTION_PROPAGATION_SECONDS

    def decision() -> bool:
        return should_route(
            get_state(tenant.pk),
            enabled_at,
            tenant_id=tenant.pk,
            account_id=user.pk,
            window_seconds=window,
        )

    def per_call(function, number: int) -> float:
        function()  # warms the cache
        best = min(timeit.repeat(function, number=number, repeat=5))
        return best / number * 1e6

    results = {}
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem):
        results["locmem: get_state + should_route"] = per_call(decision, 20000)
        results["locmem: middleware, session kept"] = per_call(lambda: middleware(kept), 20000)
        results["locmem: middleware, session routed (302)"] = per_call(
            lambda: middleware(routed), 5000
        )
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        results["Redis: get_state + should_route"] = per_call(decision, 2000)
        results["Redis: middleware, session kept"] = per_call(lambda: middleware(kept), 2000)
    print(json.dumps(results))


def explain() -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT the routed request, page and list run."""
    wanted = ("3 routed legacy request", "5 Portal redirection page", "admin session list")
    report = {}
    for name, page in pages().items():
        if name not in wanted:
            continue
        plans = []
        for sql in page["sql"]:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plans.append({"sql": sql, "plan": [row[0] for row in cursor.fetchall()]})
        report[name] = {"status": page["status"], "queries": page["queries"], "plans": plans}
    print(json.dumps(report))


STEPS = {
    "accounts": accounts,
    "switch": switch,
    "large": large,
    "query-counts": query_counts,
    "micro": micro,
    "explain": explain,
}

if __name__ == "__main__":
    step, *arguments = sys.argv[1:]
    if step == "large":
        large(*(int(value) for value in arguments))
    else:
        STEPS[step](*arguments)
