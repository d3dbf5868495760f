"""Single sign-on hand-off: a routed legacy session arrives on the Defender portal signed in.

The legacy middleware mints a short-lived signed token bound to the account, its tenant and
the mapped Defender path; the Defender portal redeems it once. Minting reads nothing from the
database, so the legacy request path stays free of queries; redeeming records the token's
nonce in a unique row, which makes a token single-use across every worker and server.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.models import HandoffRedemption, SignInSession
from accounts.views import local_redirect_target

logger = logging.getLogger("accounts.handoff")

SALT = "accounts.handoff"
HANDOFF_PATH = "/signin/handoff"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class HandoffRefused(Exception):
    """The token cannot sign anyone in; the message says why in the user's words.

    ``target`` is the page to offer after a normal sign-in, when the token vouches for one.
    """

    def __init__(self, message, target: str = "/"):
        super().__init__(message)
        self.target = target


@dataclass(frozen=True)
class HandoffClaim:
    account_id: int
    tenant_id: int
    target: str
    nonce: str


def handoff_url(*, account_id, tenant_id, target: str) -> str:
    """The absolute Defender URL that signs this account in and lands on ``target``."""
    claim = {"a": int(account_id), "t": int(tenant_id), "p": target, "n": secrets.token_urlsafe(16)}
    token = signing.dumps(claim, salt=SALT, compress=False)
    return f"{settings.DEFENDER_PORTAL_URL}{HANDOFF_PATH}?{urlencode({'token': token})}"


def read_claim(token: str) -> HandoffClaim:
    """Check the signature and age of a token; raises HandoffRefused."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.HANDOFF_TOKEN_SECONDS)
        claim = HandoffClaim(
            account_id=int(data["a"]),
            tenant_id=int(data["t"]),
            target=str(data["p"]),
            nonce=str(data["n"]),
        )
    except signing.SignatureExpired as error:
        # The signature is sound, so the page it names can still be offered after sign-in.
        target = signing.loads(token, salt=SALT).get("p", "/")
        raise HandoffRefused(
            _("The sign-in link from the legacy portal has expired."),
            target=local_redirect_target(target) or "/",
        ) from error
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise HandoffRefused(_("The sign-in link from the legacy portal is not valid.")) from error
    if local_redirect_target(claim.target) is None:
        raise HandoffRefused(_("The sign-in link from the legacy portal is not valid."))
    return claim


def redeem(claim: HandoffClaim):
    """Spend the token once and return its account; raises HandoffRefused."""
    user = get_user_model().objects.filter(pk=claim.account_id, is_active=True).first()
    if user is None or user.tenant_id != claim.tenant_id:
        raise HandoffRefused(
            _("This account can no longer be signed in from the legacy portal."),
            target=claim.target,
        )
    try:
        with transaction.atomic():
            HandoffRedemption.objects.create(nonce=claim.nonce, user=user)
    except IntegrityError as error:
        raise HandoffRefused(
            _("The sign-in link from the legacy portal was already used."), target=claim.target
        ) from error
    return user


@login_not_required
@require_GET
def handoff(request: HttpRequest) -> HttpResponse:
    """Redeem a hand-off token, sign the account in to the Defender portal, go to its page."""
    try:
        claim = read_claim(request.GET.get("token", ""))
        user = redeem(claim)
    except HandoffRefused as refusal:
        logger.info("handoff_refused reason=%s", refusal.args[0])
        messages.warning(
            request, _("%(reason)s Sign in to continue.") % {"reason": refusal.args[0]}
        )
        next_query = urlencode({"next": refusal.target})
        return _private(redirect(f"{reverse('accounts:signin')}?{next_query}"))
    target = claim.target

    if request.user.is_authenticated and request.user.pk == user.pk:
        logger.info("handoff_kept_session tenant=%s account=%s", user.tenant_id, user.pk)
        return _private(HttpResponseRedirect(target))

    replaced = request.session.session_key if request.user.is_authenticated else None
    request.sign_in_method = SignInSession.Method.HANDOFF
    # login() flushes another account's session and rotates the key in every case.
    login(request, user, backend=MODEL_BACKEND)
    if replaced:
        for row in SignInSession.objects.active().filter(session_key=replaced):
            row.end(SignInSession.EndReason.REPLACED)
    logger.info("handoff_signed_in tenant=%s account=%s", user.tenant_id, user.pk)
    return _private(HttpResponseRedirect(target))


def _private(response: HttpResponse) -> HttpResponse:
    # The token sits in this URL: never let the next page's Referer or a cache carry it on.
    response["Referrer-Policy"] = "no-referrer"
    add_never_cache_headers(response)
    return response
