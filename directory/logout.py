"""When a sign-in ends: the tokens it issued are revoked and its clients told, server to server.

OpenID Connect Back-Channel Logout 1.0: each client that registered a back-channel logout URI
and was issued tokens for the sign-in gets a logout token, signed with the directory's key
as its ID tokens are, naming the account (`sub`) and the sign-in (`sid`). It is posted after
the end is committed, from a small pool of threads, so a slow client never holds up a
sign-out; a client that does not answer is logged and not retried (the spec asks for no more).
The portals need none of this: they share the database and end their sessions directly.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait
from functools import cache

import requests
from joserfc import jwt
from joserfc.jwk import RSAKey
from oauth2_provider.models import get_access_token_model, get_refresh_token_model
from oauth2_provider.settings import oauth2_settings

from directory.models import BackChannelLogout, SignInClient

logger = logging.getLogger("directory.logout")

BACK_CHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_SECONDS = 120
DELIVERY_TIMEOUT_SECONDS = 5
DELIVERY_THREADS = 4

_pool: ThreadPoolExecutor | None = None
_pending: list[Future] = []
_pool_lock = threading.Lock()


def end_clients_of_sign_ins(sender, sids, reason, **kwargs) -> None:
    """accounts.sign_ins.sign_ins_ended: revoke what the sign-ins issued, tell their clients."""
    issued = list(
        SignInClient.objects.filter(sid__in=list(sids)).select_related(
            "application__back_channel_logout"
        )
    )
    if not issued:
        return
    revoke(issued)
    SignInClient.objects.filter(pk__in=[row.pk for row in issued]).delete()
    told = set()
    for row in issued:
        registration = getattr(row.application, "back_channel_logout", None)
        if registration is None or (row.application_id, row.sid) in told:
            continue
        told.add((row.application_id, row.sid))
        deliver_later(registration, logout_token(row.application.client_id, row.subject, row.sid))


def revoke(issued: list[SignInClient]) -> None:
    for family in {row.token_family for row in issued if row.token_family}:
        get_refresh_token_model().revoke_family(family)
    access_tokens = [row.access_token_id for row in issued if row.access_token_id]
    if access_tokens:
        get_access_token_model().objects.filter(pk__in=access_tokens).delete()


@cache
def signing_key(pem: str) -> RSAKey:
    return RSAKey.import_key(pem)


def logout_token(client_id: str, subject: str, sid: str) -> str:
    key = signing_key(oauth2_settings.OIDC_RSA_PRIVATE_KEY)
    now = int(time.time())
    claims = {
        "iss": oauth2_settings.oidc_issuer(None),
        "aud": client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_SECONDS,
        "jti": str(uuid.uuid4()),
        "sub": subject,
        "sid": sid,
        "events": {BACK_CHANNEL_LOGOUT_EVENT: {}},
    }
    # The key id is the one the directory publishes for its ID tokens (RFC 7638 thumbprint).
    header = {"alg": "RS256", "typ": "logout+jwt", "kid": key.thumbprint()}
    return jwt.encode(header, claims, key)


def deliver_later(registration: BackChannelLogout, token: str) -> None:
    global _pool
    with _pool_lock:
        if _pool is None:  # made in the worker that sends, never before a fork
            _pool = ThreadPoolExecutor(DELIVERY_THREADS, thread_name_prefix="back-channel-logout")
        _pending[:] = [future for future in _pending if not future.done()]
        _pending.append(
            _pool.submit(deliver, registration.application.client_id, registration.uri, token)
        )


def deliver(client_id: str, uri: str, token: str) -> None:
    try:
        answer = requests.post(
            uri,
            data={"logout_token": token},
            timeout=DELIVERY_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        logger.warning(
            "back_channel_logout_failed client=%s reason=%s", client_id, type(error).__name__
        )
        return
    if answer.status_code not in (200, 204):
        logger.warning(
            "back_channel_logout_refused client=%s status=%s", client_id, answer.status_code
        )
        return
    logger.info("back_channel_logout_delivered client=%s", client_id)


def wait_for_deliveries(timeout: float = 10.0) -> None:
    """Tests wait for the logout tokens a sign-out sent; requests never do."""
    with _pool_lock:
        pending = list(_pending)
    wait(pending, timeout=timeout)
