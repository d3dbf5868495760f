"""The directory's sign-in pages (Email, Password, Stay signed in?), its lockout page and the
page a sign-out lands on.

Each step is a plain form of its own, posted and answered with a redirect, so the flow works
without JavaScript. The email typed at the first step waits in this browser's (anonymous)
session for the second, never in a URL; the first step says nothing of whether the account
exists, and the second refuses an unknown email and a wrong password alike. A browser whose
"Stay signed in?" was answered with "Don't show this again" skips the third step: its answer
is applied after the password, as if chosen again.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from datetime import timedelta
from http import HTTPStatus

from axes.helpers import get_client_username
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.generic import FormView, View

from accounts.directory_client import PENDING_SIGN_IN_SECONDS
from accounts.models import SignInSession
from accounts.session_keys import DIRECTORY_SID, STAYS_SIGNED_IN
from accounts.sign_ins import end_sign_in
from directory.forms import EMAIL_FIELD, PENDING_EMAIL, EmailForm, SignInForm
from directory.throttling import throttle_of
from web.hosts import DEFENDER, DIRECTORY, PORTALS, page_url, site_url
from web.local_paths import local_redirect_target

NEXT = "next"

logger = logging.getLogger("accounts.signin")

# "Don't show this again": this browser's answer to "Stay signed in?", kept by the browser (not
# by an account: whoever signs in next in it gets the same answer, as with Microsoft's).
STAY_ANSWER_COOKIE = "stay_signed_in"
STAY_ANSWER_SALT = "directory.stay-signed-in"
STAY_ANSWER_SECONDS = 365 * 24 * 60 * 60
DONT_SHOW_AGAIN = "dont_show_again"
_ANSWERS = {"yes": True, "no": False}


def step_url(url_name: str, next_path: str | None) -> str:
    """A step of the sign-in, carrying on the (local) page it returns to."""
    target = local_redirect_target(next_path)
    url = reverse(url_name)
    return f"{url}?{urlencode({NEXT: target})}" if target else url


def _next_of(request: HttpRequest) -> str:
    return local_redirect_target(request.POST.get(NEXT) or request.GET.get(NEXT)) or ""


def remember_pending_email(request: HttpRequest, email: str) -> None:
    """Keep the email for the password step, in this browser's session.

    An anonymous session made for it lasts as long as a portal's pending sign-in, not a
    sign-in's lifetime: emails typed and never followed by a password leave nothing that lasts.
    A signed-in session (entering the password again) keeps its own end.
    """
    request.session[PENDING_EMAIL] = email
    if not request.user.is_authenticated:
        request.session.set_expiry(PENDING_SIGN_IN_SECONDS)


def remembered_stay_answer(request: HttpRequest) -> bool | None:
    """This browser's remembered answer to "Stay signed in?", or None: ask.

    A cookie whose signature does not hold (altered, hand-made, or older than its lifetime)
    is no answer, so the page is shown.
    """
    value = request.get_signed_cookie(
        STAY_ANSWER_COOKIE, default=None, salt=STAY_ANSWER_SALT, max_age=STAY_ANSWER_SECONDS
    )
    return _ANSWERS.get(value)


def remember_stay_answer(response: HttpResponse, stays: bool) -> None:
    """Keep the answer in this browser, for the directory's sign-in steps alone.

    Host-only and limited to the sign-in's paths, so neither the portals nor the directory's
    other endpoints ever receive it; HttpOnly, SameSite and Secure as the session cookie is.
    """
    response.set_signed_cookie(
        STAY_ANSWER_COOKIE,
        "yes" if stays else "no",
        salt=STAY_ANSWER_SALT,
        max_age=STAY_ANSWER_SECONDS,
        path=reverse("accounts:signin"),
        domain=None,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )


def answer_stay_signed_in(
    request: HttpRequest, stays: bool, *, asked: bool, dont_show_again: bool
) -> None:
    """Apply an answer to "Stay signed in?", chosen on the page or remembered by the browser.

    Both ways go through here, so a skipped page leaves the same session and the same line
    in the log as the page answered by hand.
    """
    request.session[STAYS_SIGNED_IN] = stays
    logger.info(
        "stay_signed_in tenant=%s account=%s answer=%s asked=%s dont_show_again=%s",
        request.user.tenant_id,
        request.user.pk,
        "yes" if stays else "no",
        "yes" if asked else "no",
        "yes" if dont_show_again else "no",
    )


@method_decorator([login_not_required, csrf_protect, never_cache], name="dispatch")
class EmailStepView(FormView):
    """The first step: the email alone, then on to the password whatever the email is.

    A POST that carries the password too (both fields at once, as a password manager or a
    scripted client posts them) is the two steps in one: it goes to the password step's check.
    """

    template_name = "directory/signin.html"
    form_class = EmailForm

    def post(self, request, *args, **kwargs):
        if "password" in request.POST:
            return PasswordStepView.as_view(both_steps=True)(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        return {EMAIL_FIELD: self.request.session.get(PENDING_EMAIL, "")}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, next=_next_of(self.request))

    def form_valid(self, form: EmailForm) -> HttpResponse:
        remember_pending_email(self.request, form.cleaned_data[EMAIL_FIELD])
        return redirect(step_url("accounts:signin-password", _next_of(self.request)))


# Overriding dispatch drops the login_not_required LoginView puts on its own.
@method_decorator(login_not_required, name="dispatch")
class PasswordStepView(auth_views.LoginView):
    """The second step: the password of the email this browser entered at the first step.

    The one place that takes a password (besides the console). Without an email entered in
    this browser it sends back to the first step.

    `next` is the authorization request the directory continues with, a local path. A browser
    signed in here already is sent here only to enter its password again (`prompt=login`,
    `max_age`), so the page asks whoever comes: the new sign-in replaces the one before.
    """

    template_name = "directory/signin_password.html"
    authentication_form = SignInForm
    both_steps = False
    # This browser's remembered answer to the next step, once the password is right.
    stay_answer: bool | None = None

    def dispatch(self, request, *args, **kwargs):
        if self.both_steps:
            email = request.POST.get(EMAIL_FIELD)
            if isinstance(email, str) and EmailForm({EMAIL_FIELD: email}).is_valid():
                remember_pending_email(request, EmailForm.normalized(email))
        elif not request.session.get(PENDING_EMAIL):
            return redirect(step_url("accounts:signin", _next_of(request)))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if "data" in kwargs and not self.both_steps:
            data = kwargs["data"].copy()
            data[EMAIL_FIELD] = self.request.session[PENDING_EMAIL]
            kwargs["data"] = data
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs,
            email=self.request.session.get(PENDING_EMAIL, ""),
            change_email_url=step_url("accounts:signin", _next_of(self.request)),
        )

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
        # Read only now, after a right password: a wrong one or an unknown email is refused
        # alike, whatever this browser remembers.
        self.stay_answer = remembered_stay_answer(request)
        response = super().form_valid(form)
        request.session.pop(PENDING_EMAIL, None)
        if self.stay_answer is None:
            # Until the next step's answer, the single sign-on ends with the browser.
            request.session[STAYS_SIGNED_IN] = False
        else:
            answer_stay_signed_in(request, self.stay_answer, asked=False, dont_show_again=True)
        return response

    def get_redirect_url(self) -> str:
        return local_redirect_target(super().get_redirect_url()) or ""

    def get_success_url(self) -> str:
        if self.stay_answer is not None:
            # Answered before in this browser, with "Don't show this again": no third step.
            return self.get_redirect_url() or "/"
        return step_url("accounts:stay-signed-in", self.get_redirect_url())


@method_decorator([login_not_required, csrf_protect, never_cache], name="dispatch")
class StaySignedInView(View):
    """The third step: whether the directory's single sign-on outlives the browser.

    No keeps its cookie a browser-session cookie; Yes makes it last until the sign-in's end.
    The sign-in itself ends at the same moment either way (accounts.session_keys). With
    "Don't show this again" ticked, this browser keeps the answer and its later sign-ins skip
    this step; leaving it unticked leaves what the browser remembers as it was.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(step_url("accounts:signin", _next_of(request)))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "directory/stay_signed_in.html",
            {
                "next": _next_of(request),
                "email": request.user.email,
                "dont_show_again": DONT_SHOW_AGAIN,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        stays = request.POST.get("stay") == "yes"
        dont_show_again = request.POST.get(DONT_SHOW_AGAIN) == "yes"
        answer_stay_signed_in(request, stays, asked=True, dont_show_again=dont_show_again)
        response = redirect(_next_of(request) or "/")
        if dont_show_again:
            remember_stay_answer(response, stays)
        return response


@login_not_required
@never_cache
def signed_out(request: HttpRequest) -> HttpResponse:
    """Where a portal's sign-out lands: the sign-in has ended; sign in again to that portal.

    The way back is built from the configured origins only: `portal` merely picks one.
    """
    portal = request.GET.get("portal")
    portal = portal if portal in PORTALS else DEFENDER
    return render(
        request,
        "directory/signed_out.html",
        {"sign_in_again_url": site_url(portal) + "/signin"},
    )


def signed_out_url(portal: str | None) -> str:
    """The directory's signed-out page for a sign-out from ``portal``."""
    query = f"?{urlencode({'portal': portal})}" if portal in PORTALS else ""
    return page_url(DIRECTORY, "accounts:signed-out") + query


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
