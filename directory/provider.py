"""The directory as an OpenID Connect provider (django-oauth-toolkit): its claims and its clients.

The portals are registered as one confidential client whose redirect URIs are derived from
the portal URLs, so a fresh checkout works with no set-up and a changed URL takes effect.
Each code exchange records which sign-in (`sid`) issued tokens to which client, so that the
end of that sign-in revokes them and tells the client (directory/logout.py).
"""

from __future__ import annotations

import json
import threading

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.http import JsonResponse
from django.utils.crypto import salted_hmac
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import AuthorizationView, ConnectDiscoveryInfoView, TokenView
from oauthlib.oauth2.rfc6749 import errors

from accounts.roles import roles_in, template_ids
from accounts.session_keys import DIRECTORY_SID, signed_in_at
from accounts.sign_ins import directory_session_lives
from directory.models import SignInClient

CALLBACK_PATH = "/signin/callback"
FRONT_CHANNEL_LOGOUT_PATH = "/signout/frontchannel"
# Where the directory session's facts ride from the authorization to the token request.
_SESSION_CLAIMS = "directory_session"

# (client id, stored secret hash, secret) already checked: a hash check costs a password hash.
_checked_secrets: set[tuple[str, str, str]] = set()
_registering = threading.Lock()


def portal_client_secret() -> str:
    """OIDC_CLIENT_SECRET, or for the embedded directory one derived from SECRET_KEY."""
    return (
        settings.OIDC_CLIENT_SECRET or salted_hmac("accounts.portal_client", "secret").hexdigest()
    )


def portal_redirect_uris() -> list[str]:
    return [
        url + CALLBACK_PATH for url in (settings.DEFENDER_PORTAL_URL, settings.LEGACY_PORTAL_URL)
    ]


def portal_post_logout_uris() -> list[str]:
    return [
        url + FRONT_CHANNEL_LOGOUT_PATH
        for url in (settings.DEFENDER_PORTAL_URL, settings.LEGACY_PORTAL_URL)
    ]


def ensure_portal_client() -> None:
    """Register (or correct) the portals' client: exact redirect URIs from the portal URLs.

    Runs after `migrate` and before each authorization and token request (one indexed read),
    so a fresh checkout, a changed portal URL and a test server on another port all work.
    """
    Application = get_application_model()
    secret = portal_client_secret()
    fields = {
        "name": "Defender portals",
        "client_type": Application.CLIENT_CONFIDENTIAL,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "algorithm": Application.RS256_ALGORITHM,
        "skip_authorization": True,
        "redirect_uris": " ".join(portal_redirect_uris()),
        "post_logout_redirect_uris": " ".join(portal_post_logout_uris()),
    }
    client = Application.objects.filter(client_id=settings.OIDC_CLIENT_ID).first()
    if client is not None and _is_current(client, fields, secret):
        return
    with _registering, transaction.atomic():
        client = (
            Application.objects.select_for_update()
            .filter(client_id=settings.OIDC_CLIENT_ID)
            .first()
        )
        if client is None:
            client = Application(client_id=settings.OIDC_CLIENT_ID)
        elif _is_current(client, fields, secret):
            return
        for name, value in fields.items():
            setattr(client, name, value)
        client.client_secret = secret
        client.save()


def _is_current(client, fields: dict, secret: str) -> bool:
    if any(getattr(client, name) != value for name, value in fields.items()):
        return False
    checked = (client.client_id, client.client_secret, secret)
    if checked not in _checked_secrets:
        if not check_password(secret, client.client_secret):
            return False
        _checked_secrets.add(checked)
    return True


def register_portal_client(sender, **kwargs) -> None:
    """post_migrate: the client exists as soon as the tables do (`make run` on a fresh clone)."""
    ensure_portal_client()


class SignInEnded(errors.InvalidGrantError):
    """The code's sign-in ended before its tokens were saved: an error answer like any other."""

    description = "The sign-in has ended."

    @property
    def headers(self) -> dict[str, str]:
        # Raised while saving, past where oauthlib adds these to its own error answers.
        return {
            "Content-Type": "application/json",
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
        }


class DirectoryValidator(OAuth2Validator):
    """ID tokens with the claims Microsoft's directory sends: tid, wids, sid, name, email."""

    # Every claim below goes in the ID token whatever scopes were asked: the portals need them.
    oidc_claim_scope = None

    def _create_authorization_code(self, request, code, expires=None):
        # The directory session is known only now, in the browser's request: keep its facts
        # with the code, for the token request that follows without a browser.
        facts = getattr(request.user, _SESSION_CLAIMS, None)
        if facts:
            request.claims = {**(request.claims or {}), _SESSION_CLAIMS: facts}
        return super()._create_authorization_code(request, code, expires)

    def get_additional_claims(self, request) -> dict:
        user = request.user
        tenant = user.tenant
        facts = (request.claims or {}).get(_SESSION_CLAIMS, {})
        claims = {
            "email": user.email,
            "preferred_username": user.email,
            "name": user.get_full_name(),
            "wids": template_ids(roles_in(user, tenant)) if tenant else [],
        }
        if tenant is not None:
            claims["tid"] = str(tenant.directory_id)
        if facts.get("sid"):
            claims["sid"] = facts["sid"]
        return claims

    def _create_access_token(self, expires, request, token, source_refresh_token=None):
        access_token = super()._create_access_token(expires, request, token, source_refresh_token)
        request.issued_access_token = access_token
        return access_token

    def _create_refresh_token(self, request, refresh_token_code, access_token, previous):
        refresh_token = super()._create_refresh_token(
            request, refresh_token_code, access_token, previous
        )
        request.issued_token_family = refresh_token.token_family
        return refresh_token

    def _save_bearer_token(self, token, request, *args, **kwargs):
        super()._save_bearer_token(token, request, *args, **kwargs)
        sid = (request.claims or {}).get(_SESSION_CLAIMS, {}).get("sid")
        if request.grant_type != "authorization_code" or not sid:
            return
        SignInClient.objects.create(
            sid=sid,
            application=request.client,
            subject=str(request.user.pk),
            access_token=getattr(request, "issued_access_token", None),
            token_family=getattr(request, "issued_token_family", None),
        )
        # In the transaction that saves the tokens: a sign-in that ended before gets none, and
        # one ending now waits for this commit, then finds them to revoke and tell.
        if not directory_session_lives(sid):
            raise SignInEnded(request=request)

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expires = super().get_id_token_dictionary(token, token_handler, request)
        facts = (request.claims or {}).get(_SESSION_CLAIMS, {})
        if facts.get("auth_time"):
            claims["auth_time"] = facts["auth_time"]  # this browser's sign-in, not the last one
        return claims, expires


class DirectoryAuthorizationView(AuthorizationView):
    """The authorization endpoint: answers at once for a browser already signed in here."""

    def dispatch(self, request, *args, **kwargs):
        ensure_portal_client()
        if request.user.is_authenticated and request.session.session_key:
            when = signed_in_at(request.session)
            setattr(
                request.user,
                _SESSION_CLAIMS,
                {
                    "sid": request.session.get(DIRECTORY_SID, ""),
                    "auth_time": int(when.timestamp()) if when else None,
                },
            )
        return super().dispatch(request, *args, **kwargs)


# Overriding dispatch drops the csrf_exempt TokenView puts on its own: a portal's call to the
# token endpoint is authenticated by its client secret and carries no browser cookie.
@method_decorator([login_not_required, csrf_exempt], name="dispatch")
class DirectoryTokenView(TokenView):
    def dispatch(self, request, *args, **kwargs):
        ensure_portal_client()
        return super().dispatch(request, *args, **kwargs)


class DirectoryDiscoveryView(ConnectDiscoveryInfoView):
    """django-oauth-toolkit's discovery document, with the logouts the directory sends.

    Back-channel logout, with the sign-in's `sid` in every logout token. Front-channel logout
    is not offered: the directory renders no client's logout page in a frame.
    """

    def get(self, request, *args, **kwargs):
        document = super().get(request, *args, **kwargs)
        metadata = json.loads(document.content)
        metadata["backchannel_logout_supported"] = True
        metadata["backchannel_logout_session_supported"] = True
        answer = JsonResponse(metadata)
        answer["Access-Control-Allow-Origin"] = document["Access-Control-Allow-Origin"]
        return answer
