"""The directory's sign-in page and its lockout page."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta
from http import HTTPStatus

from axes.helpers import get_client_username
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from accounts.models import SignInSession
from accounts.session_keys import DIRECTORY_SID
from accounts.sign_ins import end_sign_in
from directory.forms import SignInForm
from directory.throttling import throttle_of
from web.local_paths import local_redirect_target


class SignInView(auth_views.LoginView):
    """The directory's sign-in page: the one place that takes a password (besides the console).

    `next` is the authorization request the directory continues with, a local path. A browser
    signed in here already is sent here only to enter its password again (`prompt=login`,
    `max_age`), so the page asks whoever comes: the new sign-in replaces the one before.
    """

    template_name = "directory/signin.html"
    authentication_form = SignInForm

    def form_valid(self, form: SignInForm) -> HttpResponse:
        request = self.request
        previous = request.session.get(DIRECTORY_SID, "") if request.user.is_authenticated else ""
        if previous and form.get_user().pk == request.user.pk:
            # The same account entering its password again (prompt=login, max_age): the same
            # sign-in goes on, with a new moment; its portal sessions end with it later.
            request.sign_in_sid = previous
            for row in SignInSession.objects.active().of_session(request.session.session_key):
                row.end(SignInSession.EndReason.REPLACED)
        elif previous:
            # Another account at this browser: the sign-in before ends everywhere first.
            end_sign_in(previous, SignInSession.EndReason.REPLACED)
        return super().form_valid(form)

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
        "directory/lockout.html",
        {
            "paused_until": throttle.paused_until or timezone.now() + timedelta(seconds=seconds),
            "minutes_left": math.ceil(seconds / 60),
        },
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response
