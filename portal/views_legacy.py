"""Legacy portal pages: the timeline, profiles, search, reports, Health center, configuration,
about.

The legacy portal is Defender for Identity's: it shows the identity sensors' alerts only.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal import pages, reports
from portal.forms import LegacyAlertFilterForm
from portal.models import ServiceSource
from portal.pages import tenant_page

SOURCE = ServiceSource.IDENTITY


@tenant_page
def timeline(request: HttpRequest, tenant_id: int) -> HttpResponse:
    context = pages.filtered_alerts(
        request, tenant_id, LegacyAlertFilterForm, first=pages.TIMELINE_FIRST, source=SOURCE
    )
    return render(request, "legacy/timeline.html", {"legacy_section": "timeline", **context})


@tenant_page
def security_alert(request: HttpRequest, tenant_id: int, alert_id: int) -> HttpResponse:
    found = pages.alert_detail(tenant_id, alert_id, SOURCE)
    return render(request, "legacy/alert.html", {"legacy_section": "timeline", "alert": found})


@tenant_page
def user(request: HttpRequest, tenant_id: int, identity_id: int) -> HttpResponse:
    context = pages.identity_profile(tenant_id, identity_id, SOURCE)
    return render(request, "legacy/user.html", context)


@tenant_page
def computer(request: HttpRequest, tenant_id: int, device_id: int) -> HttpResponse:
    context = pages.device_profile(tenant_id, device_id, SOURCE)
    return render(request, "legacy/computer.html", context)


@tenant_page
def group(request: HttpRequest, tenant_id: int, group_id: int) -> HttpResponse:
    context = pages.group_profile(tenant_id, group_id)
    return render(request, "legacy/group.html", context)


@tenant_page
def search(request: HttpRequest, tenant_id: int) -> HttpResponse:
    results = pages.search(tenant_id, request.GET.get("q", ""))
    return render(request, "legacy/search.html", {"results": results, "search_query": results.text})


@tenant_page
def health(request: HttpRequest, tenant_id: int) -> HttpResponse:
    context = pages.health_issues(tenant_id)
    return render(request, "legacy/health.html", {"legacy_section": "health", **context})


@tenant_page
def configuration(request: HttpRequest, tenant_id: int) -> HttpResponse:
    context = pages.configuration(tenant_id)
    return render(
        request, "legacy/configuration.html", {"legacy_section": "configuration", **context}
    )


@tenant_page
def about(request: HttpRequest, tenant_id: int) -> HttpResponse:
    context = pages.configuration(tenant_id)
    return render(request, "legacy/about.html", {"legacy_section": "about", **context})


@tenant_page
def report_list(request: HttpRequest, tenant_id: int) -> HttpResponse:
    form = reports.PeriodForm(request.GET)
    context = {"legacy_section": "reports", "reports": reports.REPORTS.values(), "form": form}
    return render(request, "legacy/reports.html", {**context, "days": form.days})


@tenant_page
def report(request: HttpRequest, tenant_id: int, report: str) -> HttpResponse:
    form, run = reports.report_asked(request, tenant_id, report)
    context = {"legacy_section": "reports", "run": run, "form": form}
    return render(request, "legacy/report.html", context)


@tenant_page
def report_download(request: HttpRequest, tenant_id: int, report: str) -> HttpResponse:
    return reports.report_download(request, tenant_id, report)
