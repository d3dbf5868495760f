"""Security Center pages: the alerts queue, an alert, a device and its timeline, incidents,
search.

The Security Center is Defender for Endpoint's: it shows the endpoints' alerts only.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal import pages
from portal.forms import EndpointAlertFilterForm
from portal.models import ServiceSource
from portal.pages import tenant_page

SOURCE = ServiceSource.ENDPOINT


@tenant_page
def alerts(request: HttpRequest, tenant_id: int) -> HttpResponse:
    context = pages.filtered_alerts(
        request, tenant_id, EndpointAlertFilterForm, first=pages.QUEUE_FIRST, source=SOURCE
    )
    return render(request, "endpoint/alerts.html", {"nav_section": "alerts", **context})


@tenant_page
def alert(request: HttpRequest, tenant_id: int, alert_id: int) -> HttpResponse:
    found = pages.alert_detail(tenant_id, alert_id, SOURCE)
    return render(request, "endpoint/alert.html", {"nav_section": "alerts", "alert": found})


@tenant_page
def machine(request: HttpRequest, tenant_id: int, device_id: int) -> HttpResponse:
    context = pages.device_profile(tenant_id, device_id, SOURCE)
    return render(request, "endpoint/machine.html", {"nav_section": "machines", **context})


@tenant_page
def incidents(request: HttpRequest, tenant_id: int) -> HttpResponse:
    context = pages.incidents(request, tenant_id, EndpointAlertFilterForm, SOURCE)
    return render(request, "shared/incidents.html", {"nav_section": "incidents", **context})


@tenant_page
def search(request: HttpRequest, tenant_id: int) -> HttpResponse:
    # The Security Center's search knew devices and users, not directory groups.
    results = pages.search(tenant_id, request.GET.get("q", ""), groups=False)
    return render(
        request,
        "endpoint/search.html",
        {"nav_section": "search", "results": results, "search_query": results.text},
    )
