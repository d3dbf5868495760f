"""Service pages: the health check for load balancers and the local start page."""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts.demo import ACCOUNTS, TENANTS
from accounts.models import DirectoryRole
from web.hosts import DEFENDER, urlconf_for

logger = logging.getLogger("web.health")

HEALTH_KEY = "healthz"


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception as error:  # any failure means the probe must answer "unreachable"
        logger.warning("health check: database unreachable: %s", error)
        return False


def _cache_ok() -> bool:
    try:
        cache.set(HEALTH_KEY, "ok", 10)
        return cache.get(HEALTH_KEY) == "ok"
    except Exception as error:
        logger.warning("health check: cache unreachable: %s", error)
        return False


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database, cache_ok = _database_ok(), _cache_ok()
    # Without the database nothing works: take this instance out. Without the cache every
    # page still works from the database, only slower; taking every instance out of the load
    # balancer for it would turn a slowdown into an outage, so the answer stays 200.
    body = {
        "status": ("ok" if cache_ok else "degraded") if database else "unavailable",
        "database": "ok" if database else "unreachable",
        "cache": "ok" if cache_ok else "unreachable",
    }
    return JsonResponse(body, status=HTTPStatus.OK if database else HTTPStatus.SERVICE_UNAVAILABLE)


@login_not_required
def start(request: HttpRequest) -> HttpResponse:
    if not settings.DEBUG:
        raise Http404
    console = settings.DEFENDER_PORTAL_URL + reverse("admin:index", urlconf=urlconf_for(DEFENDER))
    return render(
        request,
        "start/index.html",
        {
            "accounts": demo_accounts(),
            "demo_password": settings.DEMO_PASSWORD,
            "support_console_url": console,
        },
    )


def demo_accounts() -> list[tuple[str, str, str]]:
    """(email, tenant, role) rows for the start page, from seed_demo's own list."""
    return [
        (
            account.email,
            TENANTS.get(account.tenant_domain, "—"),
            DirectoryRole(account.role).label
            if account.role
            else ("support staff (Django admin)" if account.is_staff else "no directory role"),
        )
        for account in ACCOUNTS
    ]
