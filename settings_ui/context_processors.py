"""Template context of the portals' pages: what the signed-in account may open in Settings (so
navigation never offers a page that refuses it) and where to send feedback from this page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from settings_ui.feedback import give_feedback_url
from settings_ui.views import settings_access


def settings_links(request: HttpRequest) -> dict:
    return {
        "access": SimpleLazyObject(lambda: settings_access(request)),
        "give_feedback_url": give_feedback_url(request),
    }
