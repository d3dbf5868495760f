"""Security Center URLs: the paths its route map knows, each with its page, and its SIEM API."""

from django.urls import path

from portal import (
    routes,  # noqa: F401  (registers the object_id converter)
    siem,
)
from portal import views_endpoint as views

app_name = "endpoint"

urlpatterns = [
    path("", views.alerts, name="home"),
    path("alerts", views.alerts, name="alerts"),
    path("alerts/<object_id:alert_id>", views.alert, name="alert"),
    path("incidents", views.incidents, name="incidents"),
    path("machines/<object_id:device_id>", views.machine, name="machine"),
    path("search", views.search, name="search"),
    path("api/alerts", siem.AlertsView.as_view(), name="api_alerts"),
]
