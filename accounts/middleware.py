"""Keeps each portal's session to its own portal."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse

from accounts.signin import PORTAL


class PortalSessionMiddleware:
    """A session signed in on one portal is worth nothing on the other.

    Cookies are host-only already; this also refuses a session key carried across by hand.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

    def __call__(self, request: HttpRequest) -> HttpResponse:
        owner = request.session.get(PORTAL)
        if owner is not None and owner != request.portal:
            request.session = self.SessionStore()
            request.user = AnonymousUser()
        return self.get_response(request)
