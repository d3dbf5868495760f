"""URLs of the Defender portal (DEFENDER_PORTAL_URL)."""

from django.contrib import admin
from django.urls import include, path

from config import errors, favicon, views

urlpatterns = [
    path("", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("", include("settings_ui.urls")),
    path("", include("settings_ui.urls_feedback")),
    path("", include("portal.urls_defender")),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
