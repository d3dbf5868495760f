"""Legacy portal browsing URLs."""

from django.urls import path

from portal import views_legacy as views

app_name = "legacy"

urlpatterns = [
    path("", views.timeline, name="home"),
    path("timeline", views.timeline, name="timeline"),
]
