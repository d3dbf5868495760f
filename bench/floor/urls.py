"""The floor's two answers: a 302 (as a routed request) and a 200 (as a page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path

TARGET = "http://security.localhost/alerts"


def redirect(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(TARGET)


def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"<!doctype html><title>ok</title><p>ok</p>")


urlpatterns = [
    path("redirect", redirect),
    path("page", page),
    path("healthz", page),
]
