"""URLs of the legacy portal (LEGACY_PORTAL_URL)."""

from django.urls import include, path

from config import views

urlpatterns = [
    path("", include("accounts.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("", include("settings_ui.urls_feedback")),
    path("", include("portal.urls_legacy")),
]
