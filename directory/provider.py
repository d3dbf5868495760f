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
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.exceptions import InvalidOIDCClientError, InvalidOIDCRedirectURIError
from oauth2_provider.models import AbstractApplication, get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.scopes import SettingsScopes
from oauth2_provider.views import (
    AuthorizationView,
    ConnectDiscoveryInfoView,
    RPInitiatedLogoutView,
    TokenView,
)
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.openid import Server

from accounts.roles import roles_in, template_ids
from accounts.session_keys import DIRECTORY_SID, signed_in_at
from accounts.sign_ins import directory_session_lives
from directory.models import SignInClient
from directory.scopes import API_SCOPES, SIGN_IN_SCOPES
from web.hosts import PORTALS, site_url

CALLBACK_PATH = "/signin/callback"
FRONT_CHANNEL_LOGOUT_PATH = "/signout/frontchannel"
# Where the directory session's facts ride from the authorization to the token request.
_SESSION_CLAIMS = "directory_session"

# The grants the token endpoint offers: the code flow's and its refresh, for the portals'
# sign-in, and client credentials, for a tenant's SIEM integration (which its application's
# own grant type confines it to). No device sign-in (the directory has no device
# authorization endpoint), no password.
TOKEN_GRANT_TYPES = frozenset({"authorization_code", "refresh_token", "client_credentials"})

# (client id, stored secret hash, secret) already checked: a hash check costs a password hash.
_checked_secrets: set[tuple[str, str, str]] = set()
_registering = threading.Lock()


def portal_client_secret() -> str:
    """OIDC_CLIENT_SECRET, or for the embedded directory one derived from SECRET_KEY."""
    return (
        settings.OIDC_CLIENT_SECRET or salted_hmac("accounts.portal_client", "secret").hexdigest()
    )


def portal_redirect_uris() -> list[str]:
    return [site_url(portal) + CALLBACK_PATH for portal in PORTALS]


def portal_post_logout_uris() -> list[str]:
    return [site_url(portal) + FRONT_CHANNEL_LOGOUT_PATH for portal in PORTALS]


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


class DirectoryServer(Server):
    """oauthlib's OpenID Connect server with only the directory's grants (OIDC_SERVER_CLASS):
    any other grant type is answered `unsupported_grant_type`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for grant_type in set(self.grant_types) - TOKEN_GRANT_TYPES:
            del self.grant_types[grant_type]


def is_api_client(application) -> bool:
    """An application that acts for itself (a tenant's SIEM), not for a signed-in account."""
    return (
        application is not None
        and application.authorization_grant_type == AbstractApplication.GRANT_CLIENT_CREDENTIALS
    )


class DirectoryScopes(SettingsScopes):
    """SCOPES_BACKEND_CLASS: the scopes of OAUTH2_PROVIDER, split by the kind of client."""

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        scopes = super().get_available_scopes(application, request, *args, **kwargs)
        if application is None:
            return scopes
        own = API_SCOPES if is_api_client(application) else SIGN_IN_SCOPES
        return [scope for scope in scopes if scope in own]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        # An API client that names no scope gets every scope its kind may have.
        if is_api_client(application):
            return list(API_SCOPES)
        return super().get_default_scopes(application, request, *args, **kwargs)


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

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs) -> bool:
        try:
            return super().validate_redirect_uri(client_id, redirect_uri, request, *args, **kwargs)
        except ValueError:  # a port or host urllib cannot read: no registered URI has one
            return False

    def validate_silent_login(self, request) -> bool:
        # Whether this browser is signed in, and recently enough, is the authorization view's
        # to know (the request here carries no session): it answers login_required itself.
        return True

    def validate_silent_authorization(self, request) -> bool:
        return request.client.skip_authorization

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


# Overriding dispatch drops the login_not_required AuthorizationView puts on its own: without
# it the site's sign-in requirement answers a browser with no session before the view does,
# sending even `prompt=none` to the sign-in page.
@method_decorator(login_not_required, name="dispatch")
class DirectoryAuthorizationView(AuthorizationView):
    """The authorization endpoint: answers at once for a browser already signed in here,
    unless the request asks for the password again (`prompt=login`, or a `max_age` shorter
    than the time since this browser signed in)."""

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

    def get(self, request, *args, **kwargs) -> HttpResponse:
        if self.sign_in_is_older_than_asked():
            return self.handle_no_permission()  # as for a browser not signed in here
        return super().get(request, *args, **kwargs)

    def handle_no_permission(self) -> HttpResponse:
        if {"none", "create"} & set(self.request.GET.get("prompt", "").split()):
            return super().handle_no_permission()  # login_required; create is not offered
        return self.handle_prompt_login()

    def sign_in_is_older_than_asked(self) -> bool:
        """Whether `max_age` asks for a newer sign-in than this browser's (OIDC Core 3.1.2.1).

        A value that is not a whole number of seconds is read as the strictest one.
        """
        max_age = self.request.GET.get("max_age")
        if max_age is None:
            return False
        when = signed_in_at(self.request.session)
        try:
            seconds = int(max_age)
        except ValueError:
            return True
        return when is None or (timezone.now() - when).total_seconds() > seconds

    def handle_prompt_login(self) -> HttpResponse:
        """To the sign-in page, which asks even a signed-in browser, then back to this request.

        What asked for the sign-in is dropped from the way back, as the sign-in meets it:
        `prompt` (as django-oauth-toolkit does) and `max_age`, which kept would ask again
        (`max_age=0` for ever).
        """
        query = self.request.GET.copy()
        for asked in ("prompt", "max_age"):
            query.pop(asked, None)
        return redirect_to_login(
            f"{self.request.path}?{query.urlencode()}",
            self.get_login_url(),
            self.get_redirect_field_name(),
        )


# Overriding dispatch drops the csrf_exempt TokenView puts on its own: a portal's call to the
# token endpoint is authenticated by its client secret and carries no browser cookie.
@method_decorator([login_not_required, csrf_exempt], name="dispatch")
class DirectoryTokenView(TokenView):
    def dispatch(self, request, *args, **kwargs):
        ensure_portal_client()
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs) -> HttpResponse:
        # Every grant goes to the server, which refuses the ones it does not offer. The view's
        # own way for a device code grant reads the device code before anything checks it.
        return self.authorization_flow_token_response(request)


class DirectoryLogoutView(RPInitiatedLogoutView):
    """RP-initiated logout, refusing as a bad request what the library's view fails on:
    a client it does not know, a post-logout URI whose port or host cannot be read."""

    def get_request_application(self, id_token, client_id):
        try:
            return super().get_request_application(id_token, client_id)
        except get_application_model().DoesNotExist:
            raise InvalidOIDCClientError() from None

    def validate_post_logout_redirect_uri(self, application, post_logout_redirect_uri) -> None:
        try:
            super().validate_post_logout_redirect_uri(application, post_logout_redirect_uri)
        except ValueError:
            raise InvalidOIDCRedirectURIError("The redirect URI cannot be read.") from None


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
