"""Defender Settings URLs: the settings pages, the portal redirection page and its API."""

from django.urls import path

from settings_ui import api, views

app_name = "settings_ui"

urlpatterns = [
    path("settings", views.SettingsHomeView.as_view(), name="settings"),
    path("settings/identities", views.IdentitiesSettingsView.as_view(), name="identities"),
    path("settings/endpoints", views.EndpointsSettingsView.as_view(), name="endpoints"),
    path(
        "preferences2/portal_redirection",
        views.PortalRedirectionView.as_view(),
        name="portal_redirection",
    ),
    path(
        "api/v1/portal-redirection",
        api.PortalRedirectionAPI.as_view(),
        name="api_portal_redirection",
    ),
]
