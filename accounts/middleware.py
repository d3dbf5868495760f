"""Portal sessions: each kept to its own portal, and a visitor without one sent to sign in."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import resolve_url
from django.test.signals import setting_changed
from django.urls import get_urlconf

from accounts.session_keys import PORTAL


class PortalSessionMiddleware:
    """A session signed in on one portal is worth nothing on the other.

    Cookies are host-only already; this also refuses a session key carried across by hand.
    It runs before the account is read (AuthenticationMiddleware), which then finds none.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request: HttpRequest) -> HttpResponse:
        owner = request.session.get(PORTAL)
        if owner is not None and owner != request.portal:
            request.session = self.SessionStore()
        return self.get_response(request)


@cache
def local_sign_in_path(urlconf: str | None) -> str | None:
    """LOGIN_URL on a site's URLconf, when it is a plain path on that site (as it is here)."""
    url = resolve_url(settings.LOGIN_URL)
    scheme, netloc, _path, query, _fragment = urlsplit(url)
    return url if not (scheme or netloc or query) else None


setting_changed.connect(lambda **kwargs: local_sign_in_path.cache_clear(), weak=False)


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, with each site's sign-in path worked out once.

    Django's own resolves LOGIN_URL twice per signed-out request, the second time by trying
    and failing to reverse a path: a fifth of the whole signed-out answer. The answer is the
    same: the site's sign-in path with `next` set to the page asked for.
    """

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        login_url = local_sign_in_path(get_urlconf())
        if login_url is None or getattr(view_func, "login_url", None):
            return super().handle_no_permission(request, view_func)
        query = QueryDict(mutable=True)
        query[self.get_redirect_field_name(view_func)] = request.get_full_path()
        return HttpResponseRedirect(f"{login_url}?{query.urlencode(safe='/')}")
