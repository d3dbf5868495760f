"""URLs of the Defender portal (DEFENDER_PORTAL_URL)."""

from django.contrib import admin
from django.urls import include, path

from accounts.views import SupportConsoleSignOut
from web import favicon, views
from web.errors import handler400, handler403, handler404, handler500  # noqa: F401 (read by Django)

urlpatterns = [
    # The portal's pages first: nearly every request is one of them, and no path is shared.
    path("", include("portal.urls_defender")),
    path("", include("accounts.urls")),
    # Before the console's own URLs: its log-out lands on the directory's signed-out page.
    path("admin/logout/", SupportConsoleSignOut.as_view(), name="support-sign-out"),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("", include("settings_ui.urls")),
    path("", include("settings_ui.urls_feedback")),
]
