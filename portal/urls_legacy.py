"""Legacy portal browsing URLs: the paths the route map knows, each with its page."""

from django.urls import path

from portal import routes  # noqa: F401  (registers the object_id converter)
from portal import views_legacy as views

app_name = "legacy"

urlpatterns = [
    path("", views.timeline, name="home"),
    path("timeline", views.timeline, name="timeline"),
    path("securityAlert/<object_id:alert_id>", views.security_alert, name="alert"),
    path("user/<object_id:identity_id>", views.user, name="user"),
    path("computer/<object_id:device_id>", views.computer, name="computer"),
    path("group/<object_id:group_id>", views.group, name="group"),
    path("search", views.search, name="search"),
    path("reports", views.report_list, name="reports"),
    path("reports/<slug:report>", views.report, name="report"),
    path("reports/<slug:report>/download", views.report_download, name="report_download"),
    path("health", views.health, name="health"),
    path("configuration", views.configuration, name="configuration"),
    path("about", views.about, name="about"),
]
