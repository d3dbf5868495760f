"""The directory's sign-in page, the lockout page, and the one check of a redirect target."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import unquote, urlsplit

from axes.helpers import get_client_username
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.forms import SignInForm
from accounts.throttling import throttle_of

# Unicode categories that have no business in a path: controls, invisible format characters,
# and line or paragraph separators, which browsers strip or treat as breaks.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def local_redirect_target(url: str | None) -> str | None:
    """`url` if it is a path on this very site, else None.

    Stricter than Django's own check: it also refuses absolute URLs to this host, leading or
    trailing whitespace, control and invisible characters, and anything a browser could read
    as another host (`//host`, `/\\host`). Every page that redirects to a target taken from
    the request (sign-in `next`, and later ones) passes it through here.
    """
    if not url or url != url.strip() or not url.startswith("/") or url.startswith(("//", "/\\")):
        return None
    if any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in url):
        return None
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return None
    # Every page path of ours is plain ASCII (a query may carry any text): refusing the rest
    # refuses look-alike slashes and dots (/\u2215\u2215host). Encoded slashes (/%2F%2Fhost)
    # reach the server as //host; no page of ours needs them either.
    path = urlsplit(url).path
    if not path.isascii() or unquote(path).startswith(("//", "/\\")):
        return None
    return url


class SignInView(auth_views.LoginView):
    """The directory's sign-in page: the one place that takes a password (besides the console).

    `next` is the authorization request the directory continues with, a local path.
    """

    template_name = "accounts/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        return local_redirect_target(super().get_redirect_url()) or ""


def sign_in_locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: Mapping | None = None,
) -> HttpResponse:
    """The page shown instead of the sign-in form while sign-in is paused (AXES_LOCKOUT_CALLABLE).

    It says when the pause ends, and neither whether the email exists nor whether the last
    password was right.
    """
    address = getattr(request, "axes_ip_address", None)
    throttle = throttle_of(get_client_username(request, credentials), address)
    # Axes pauses only on records the throttle reads too; the cool-off is the fallback for a
    # record lifted between the two reads.
    seconds = throttle.seconds_left() or int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(
        request,
        "lockout.html",
        {
            "paused_until": throttle.paused_until or timezone.now() + timedelta(seconds=seconds),
            "minutes_left": math.ceil(seconds / 60),
        },
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response
