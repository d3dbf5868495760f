"""URLs of bench.localhost: the product's service pages plus /bench/ping."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls_service import urlpatterns as service_urlpatterns


@login_not_required
def ping(request: HttpRequest) -> HttpResponse:
    """No query, no template: what any Django answer costs on this stack."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [*service_urlpatterns, path("bench/ping", ping, name="bench-ping")]
