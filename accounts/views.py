"""Each portal's sign-in and sign-out as a relying party of the directory, one implementation.

`/signin` starts an authorization request (state, nonce, PKCE) and `/signin/callback` ends
it with a session of this portal's own, which names the directory session it came from.
`/signout` ends the whole sign-in before it answers: with the embedded directory, which shares
this database, the directory session and every portal session made from it (accounts.sign_ins).
An external directory is asked to end its own (RP-initiated logout), whose answer passes
through every other portal's `/signout/frontchannel` in turn, each ending that portal's session
of it, and ends on the sign-in page of the portal the sign-out started from. With the embedded
directory, the browser lands on its signed-out page, whose link signs in to that portal again.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

import requests
from authlib.integrations.base_client import OAuthError
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from joserfc.errors import JoseError as JoseRFCError

from accounts.directory_accounts import AccountRefused, account_from_claims
from accounts.directory_client import directory, directory_is_embedded
from accounts.models import SignInSession
from accounts.session_keys import DIRECTORY_SID, ID_TOKEN
from accounts.sign_ins import directory_session_lives
from directory.provider import CALLBACK_PATH, FRONT_CHANNEL_LOGOUT_PATH
from directory.views import signed_out_url
from web.hosts import PORTALS, site_url
from web.local_paths import local_redirect_target

logger = logging.getLogger("accounts.signin")

MODEL_BACKEND = "accounts.backends.AccountBackend"
# What a sign-in that cannot finish may raise: the directory's refusal, a bad or forged
# answer, an unreachable issuer, or an account this portal cannot take.
SIGN_IN_FAILURES = (
    OAuthError,
    JoseRFCError,
    AccountRefused,
    requests.RequestException,
    ValueError,
    KeyError,
)


def portal_url(portal: str) -> str:
    return site_url(portal)


def next_hop(origin: str | None, current: str) -> str | None:
    """The portal after ``current`` on a sign-out from ``origin``: each other portal once, in
    the order of PORTALS; None once all were visited (or for an origin that is no portal)."""
    if origin not in PORTALS:
        return None
    hops = [portal for portal in PORTALS if portal != origin]
    if current == origin:
        position = 0
    elif current in hops:
        position = hops.index(current) + 1
    else:
        return None
    return hops[position] if position < len(hops) else None


# A sign-out's `state`, which the directory hands back as it was and each portal passes on:
# the portal the sign-out started from, and the directory session that ended.
_STATE_SEPARATOR = ":"


def sign_out_state(origin: str, sid: str) -> str:
    return f"{origin}{_STATE_SEPARATOR}{sid or '-'}"


def read_sign_out_state(state: str) -> tuple[str | None, str]:
    """(origin portal, directory session) from a sign-out's state; an unknown origin is None."""
    origin, _separator, sid = state.partition(_STATE_SEPARATOR)
    return (origin if origin in PORTALS else None), sid


def front_channel_url(portal: str, state: str) -> str:
    return f"{portal_url(portal)}{FRONT_CHANNEL_LOGOUT_PATH}?{urlencode({'state': state})}"


@login_not_required
@require_GET
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    target = local_redirect_target(request.GET.get("next")) or "/"
    if request.user.is_authenticated:
        return redirect(target)
    client = directory()
    redirect_uri = portal_url(request.portal) + CALLBACK_PATH
    try:
        authorization = client.create_authorization_url(redirect_uri)
    except SIGN_IN_FAILURES as error:
        return _failed(request, error, HTTPStatus.SERVICE_UNAVAILABLE)
    client.save_authorize_data(request, redirect_uri=redirect_uri, next=target, **authorization)
    # A session made for a sign-in that may never finish lasts no longer than its state; the
    # sign-in itself gives it the full lifetime (remember_sign_in).
    request.session.set_expiry(client.framework.expires_in)
    return HttpResponseRedirect(authorization["url"])


@login_not_required
@require_GET
@never_cache
def sign_in_callback(request: HttpRequest) -> HttpResponse:
    client = directory()
    state = request.GET.get("state", "")
    pending = client.framework.get_state_data(request.session, state) if state else None
    if pending is None:
        # No sign-in of this browser's is waiting for this answer: someone else's code and
        # state must never sign this browser in, nor sign out whoever is signed in here.
        if request.user.is_authenticated:
            return redirect("/")
        return _failed(request, "no pending sign-in for this state", HTTPStatus.BAD_REQUEST)
    try:
        token = client.authorize_access_token(request)
        claims = token.get("userinfo")
        if not claims:
            raise OAuthError(description="the directory sent no ID token")
        user, roles = account_from_claims(claims, embedded=directory_is_embedded())
    except SIGN_IN_FAILURES as error:
        client.framework.clear_state_data(request.session, state)
        return _failed(request, error, HTTPStatus.FORBIDDEN)
    sid = str(claims.get("sid") or "")
    request.sign_in_method = SignInSession.Method.DIRECTORY
    request.sign_in_roles = roles
    request.sign_in_sid = sid
    # Before login(), which stores the session under a new key: its first row names the
    # directory session already, so ending that directory session from now on finds it.
    request.session[DIRECTORY_SID] = sid
    login(request, user, backend=MODEL_BACKEND)
    if directory_is_embedded():
        if not directory_session_lives(sid):
            logout(request)  # the directory session ended while this sign-in was on its way
            ended = AccountRefused(_("This sign-in has ended. Sign in again."))
            return _failed(request, ended, HTTPStatus.FORBIDDEN)
    else:
        request.session[ID_TOKEN] = token["id_token"]
    return redirect(local_redirect_target(pending.get("next")) or "/")


def _failed(request: HttpRequest, error, status: HTTPStatus) -> HttpResponse:
    logger.warning("sign_in_failed portal=%s reason=%s", request.portal, type(error).__name__)
    retry = reverse("accounts:signin")
    return render(
        request,
        "accounts/signin_failed.html",
        {
            "message": error.args[0]
            if isinstance(error, AccountRefused)
            else _("The sign-in could not be completed."),
            "retry_url": retry,
        },
        status=status,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    sid = request.session.get(DIRECTORY_SID, "")
    id_token = request.session.get(ID_TOKEN)
    portal = request.portal
    # Ends the sign-in everywhere this database knows it (accounts.signals), before any
    # redirect: nothing depends on the browser following the answer.
    logout(request)
    if directory_is_embedded() or not id_token:
        return HttpResponseRedirect(signed_out_url(portal))
    try:
        ending = directory().create_logout_url(
            post_logout_redirect_uri=portal_url(next_hop(portal, portal))
            + FRONT_CHANNEL_LOGOUT_PATH,
            id_token_hint=id_token,
            state=sign_out_state(portal, sid),
        )
    except SIGN_IN_FAILURES as error:
        logger.warning("sign_out_directory_unreachable reason=%s", type(error).__name__)
        return redirect("accounts:signin")
    return HttpResponseRedirect(ending["url"])


class SupportConsoleSignOut(auth_views.LogoutView):
    """The support console's log-out (the admin's, a POST): it ends the sign-in as any sign-out
    does, then lands on the directory's signed-out page, for this portal."""

    def get_default_redirect_url(self) -> str:
        return signed_out_url(self.request.portal)


@login_not_required
@require_GET
@never_cache
def front_channel_sign_out(request: HttpRequest) -> HttpResponse:
    """The directory session `state` names has ended: end this portal's session of it too.

    Then on to the next portal of the sign-out, and after the last one to the sign-in page of
    the portal the sign-out started from. A GET, as the directory's
    redirect arrives; it ends nothing unless the directory session matches, which only a
    browser that was signed in to it can name, and it only ever sends the browser to the
    configured origins.
    """
    state = request.GET.get("state", "")
    origin, sid = read_sign_out_state(state)
    mine = request.session.get(DIRECTORY_SID, "")
    if sid and mine and request.user.is_authenticated and constant_time_compare(mine, sid):
        logout(request)
    after = next_hop(origin, request.portal)
    if after is not None:
        return HttpResponseRedirect(front_channel_url(after, state))
    # An external directory's sign-out: back to the sign-in page of the portal it started from
    # (the embedded directory's signed-out page would speak for a directory not used).
    return HttpResponseRedirect(portal_url(origin or request.portal) + reverse("accounts:signin"))
