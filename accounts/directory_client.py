"""The portals' side of OpenID Connect (Authlib): the directory they trust, reached safely.

With the embedded directory, the portal's calls to it (discovery, keys, the code exchange)
are answered in this process, by the directory's own views, instead of over HTTP: a sync
worker that waited on a request to its own server could wait for ever once every worker
is busy doing the same. An external issuer is called over HTTP as usual.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

import requests
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import Resolver404, get_urlconf, resolve, set_urlconf

from web.hosts import DIRECTORY, URLCONFS

# The directory's endpoints a portal calls from the server; nothing else is served in-process.
SERVER_TO_SERVER = frozenset({"oidc-connect-discovery-info", "jwks-info", "token"})
SCOPES = "openid profile email"
# How long a sign-in started and not finished is remembered: its state, and the session that
# keeps it (the directory's code lives a minute; an email and a password take a few).
PENDING_SIGN_IN_SECONDS = 10 * 60


def issuer() -> str:
    return settings.OIDC_ISSUER or settings.IDENTITY_URL


def directory_is_embedded() -> bool:
    return issuer() == settings.IDENTITY_URL


class EmbeddedDirectoryAdapter(requests.adapters.BaseAdapter):
    """A requests transport that hands a call to the embedded directory's view, in-process."""

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        parts = urlsplit(request.url)
        headers = {
            "HTTP_" + name.upper().replace("-", "_"): value
            for name, value in request.headers.items()
            if name.lower() not in {"content-type", "content-length", "host"}
        }
        django_request = RequestFactory().generic(
            request.method,
            parts.path + (f"?{parts.query}" if parts.query else ""),
            data=request.body or b"",
            content_type=request.headers.get("Content-Type", ""),
            secure=parts.scheme == "https",
            HTTP_HOST=parts.netloc,
            **headers,
        )
        django_request.portal = DIRECTORY
        previous = get_urlconf()
        set_urlconf(URLCONFS[DIRECTORY])
        try:
            answer = self._answer(django_request, parts.path)
        finally:
            set_urlconf(previous)
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = requests.structures.CaseInsensitiveDict(answer.items())
        response._content = answer.content
        response.encoding = "utf-8"
        response.url = request.url
        response.request = request
        return response

    @staticmethod
    def _answer(django_request, path: str) -> HttpResponse:
        try:
            match = resolve(path)
        except Resolver404:
            match = None
        if match is None or match.url_name not in SERVER_TO_SERVER:
            return HttpResponse(status=404)
        answer = match.func(django_request, *match.args, **match.kwargs)
        if hasattr(answer, "render"):
            answer.render()
        return answer

    def close(self) -> None:
        pass


class DirectorySession(OAuth2Session):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if directory_is_embedded():
            self.mount(settings.IDENTITY_URL + "/", EmbeddedDirectoryAdapter())


class DirectoryIntegration(DjangoIntegration):
    expires_in = PENDING_SIGN_IN_SECONDS


class DirectoryApp(DjangoOAuth2App):
    client_cls = DirectorySession


def directory() -> DirectoryApp:
    """The client for the configured directory (one per configuration: tests change it)."""
    return _directory(issuer(), settings.OIDC_CLIENT_ID, _client_secret())


def _client_secret() -> str:
    from directory.provider import portal_client_secret

    return portal_client_secret()


@cache
def _directory(issuer_url: str, client_id: str, client_secret: str) -> DirectoryApp:
    return DirectoryApp(
        DirectoryIntegration("directory"),
        "directory",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer_url}/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPES, "code_challenge_method": "S256", "default_timeout": 10},
    )
