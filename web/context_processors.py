"""Template context shared by every site: which site is answering, its layout, its addresses."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from web.hosts import DEFENDER, DIRECTORY, ENDPOINT, LEGACY

BASE_TEMPLATES = {
    DEFENDER: "defender/base.html",
    LEGACY: "legacy/base.html",
    ENDPOINT: "endpoint/base.html",
    DIRECTORY: "directory/base.html",
}


def portal(request: HttpRequest) -> dict:
    name = getattr(request, "portal", DEFENDER)
    return {
        "portal": name,
        "base_template": BASE_TEMPLATES.get(name, "start/base.html"),
        "DEFENDER_PORTAL_URL": settings.DEFENDER_PORTAL_URL,
        "LEGACY_PORTAL_URL": settings.LEGACY_PORTAL_URL,
        "ENDPOINT_PORTAL_URL": settings.ENDPOINT_PORTAL_URL,
        "IDENTITY_URL": settings.IDENTITY_URL,
    }
