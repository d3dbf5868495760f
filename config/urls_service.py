"""URLs of any other allowed host: the health check and, in debug, the start page."""

from django.urls import path

from config import views

urlpatterns = [
    path("", views.start, name="start"),
    path("healthz", views.healthz, name="healthz"),
]
