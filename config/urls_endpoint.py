"""URLs of the Security Center (ENDPOINT_PORTAL_URL)."""

from django.urls import include, path

from web import favicon, views
from web.errors import handler400, handler403, handler404, handler500  # noqa: F401 (read by Django)

urlpatterns = [
    # The portal's pages first: nearly every request is one of them, and no path is shared.
    path("", include("portal.urls_endpoint")),
    path("", include("accounts.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("", include("settings_ui.urls_feedback")),
]
