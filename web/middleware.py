"""Content Security Policy per portal, no-store for signed-in pages, 503 while the DB is down."""

from __future__ import annotations

import logging
import sys
from functools import cache
from http import HTTPStatus
from urllib.parse import urlsplit

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.test.signals import setting_changed
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext_lazy as _

from web.hosts import DIRECTORY, PORTALS, site_url

SIGN_IN_SITES = frozenset({*PORTALS, DIRECTORY})

logger = logging.getLogger("web.database")

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
DATABASE_UNAVAILABLE_MESSAGE = _(
    "The service is unavailable for a moment. Nothing was changed; try again in 30 seconds."
)
_FLAG = "database_unavailable"

# Answers Django draws as its own debug pages while DEBUG is on.
DEBUG_PAGES = frozenset({HTTPStatus.NOT_FOUND, HTTPStatus.INTERNAL_SERVER_ERROR})


@cache
def portal_policy(portal: str | None, report_only: bool) -> str:
    """The header value for a site: the same for every answer, so built once."""
    update = None
    if portal in SIGN_IN_SITES and not report_only:
        update = {"form-action": sign_in_origins()}
    return build_policy(update=update, report_only=report_only)


@receiver(setting_changed, dispatch_uid="web.forget_portal_policies")
def forget_portal_policies(**kwargs) -> None:
    portal_policy.cache_clear()


class PortalCSPMiddleware:
    """CONTENT_SECURITY_POLICY on every answer, with form-action naming every site a sign-in
    passes through.

    Browsers apply form-action to every redirect that follows a form: the directory's sign-in
    form ends on a portal, a portal's sign-out form passes through the directory and the
    other portals. django-csp builds the header from the settings (its public build_policy);
    no page asks for a policy of its own (no nonces, no per-view decorators), so each site's
    header is built once rather than on every answer, where it cost a tenth of a routed
    answer's own work. An answer that already carries the header keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in DEBUG_PAGES:
            return response  # Django's debug pages style themselves inline
        portal = getattr(request, "portal", None)
        for header, report_only in ((HEADER, False), (HEADER_REPORT_ONLY, True)):
            policy = portal_policy(portal, report_only)
            if policy and header not in response:
                response[header] = policy
        return response


def sign_in_origins() -> list[str]:
    origins = [site_url(site) for site in (*PORTALS, DIRECTORY)]
    if settings.OIDC_ISSUER:
        origins.append(portal_origin_of(settings.OIDC_ISSUER))
    return origins


def portal_origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@receiver(got_request_exception, dispatch_uid="web.flag_database_unavailable")
def flag_database_unavailable(sender, request: HttpRequest | None = None, **kwargs) -> None:
    # Django turns an exception into a 500 at the layer where it is raised (a view, or a
    # middleware loading the session), so the outer middleware only sees the 500; this
    # receiver, which runs while the exception is being handled, tells it why.
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        setattr(request, _FLAG, True)


class DatabaseUnavailableMiddleware:
    """Answers 503 with Retry-After when a request failed because the database is unreachable.

    The page is rendered without a request context: a context processor could touch the
    database again. Load balancers see the same state at /healthz.
    """

    retry_after_seconds = RETRY_AFTER_SECONDS
    api_prefix = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, _FLAG, False):
            return response
        logger.warning("database unreachable: answered %s with 503", request.path)
        if request.path.startswith(self.api_prefix):
            # API callers read JSON, as every other answer of the API is.
            unavailable = JsonResponse(
                {"error": str(DATABASE_UNAVAILABLE_MESSAGE)},
                status=HTTPStatus.SERVICE_UNAVAILABLE,
            )
        else:
            unavailable = HttpResponse(
                render_to_string("503.html"), status=HTTPStatus.SERVICE_UNAVAILABLE
            )
        unavailable["Retry-After"] = str(self.retry_after_seconds)
        add_never_cache_headers(unavailable)
        return unavailable


class SignedInNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every answer to a signed-in account.

    Signed-in pages show a tenant's alerts, identities and settings: neither a shared proxy
    nor the browser's disk cache may keep them after sign-out. Anonymous pages (sign-in,
    static files) keep their own caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
