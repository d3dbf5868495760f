"""Defender portal browsing URLs."""

from django.urls import path

from portal import routes  # noqa: F401  (registers the object_id converter)
from portal import views_defender as views

app_name = "defender"

urlpatterns = [
    path("", views.home, name="home"),
    path("alerts", views.alerts, name="alerts"),
    path("alerts/<object_id:alert_id>", views.alert, name="alert"),
    path("incidents", views.incidents, name="incidents"),
    path("identities", views.identities, name="identities"),
    path("identities/<object_id:identity_id>", views.identity, name="identity"),
    path("groups/<object_id:group_id>", views.group, name="group"),
    path("machines/<object_id:device_id>", views.machine, name="machine"),
    path("search", views.search, name="search"),
    path("reports", views.report_home, name="reports"),
    path("reports/identities", views.identity_reports, name="identity_reports"),
    path("reports/identities/<slug:report>", views.identity_report, name="identity_report"),
    path(
        "reports/identities/<slug:report>/download",
        views.identity_report_download,
        name="identity_report_download",
    ),
    path("settings/identities/health", views.health, name="health"),
    path("settings/identities/about", views.about, name="about"),
]
