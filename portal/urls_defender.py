"""Defender portal browsing URLs."""

from django.urls import path

from portal import views_defender as views

app_name = "defender"

urlpatterns = [
    path("", views.home, name="home"),
]
