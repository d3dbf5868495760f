"""URLs of any other allowed host: the health check and, in debug, the start page."""

from django.urls import path

from web import favicon, views
from web.errors import handler400, handler403, handler404, handler500  # noqa: F401 (read by Django)

urlpatterns = [
    path("", views.start, name="start"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
]
