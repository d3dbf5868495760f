"""Defender portal pages: home, alerts, incidents, identities, devices, search, settings pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal import pages, reports
from portal.pages import tenant_page
from settings_ui.menus import IDENTITIES_MENU, settings_menu_context


@tenant_page
def home(request: HttpRequest, tenant_id: int) -> HttpResponse:
    return render(
        request, "defender/home.html", {"nav_section": "home", **pages.summary(tenant_id)}
    )


@tenant_page
def alerts(request: HttpRequest, tenant_id: int) -> HttpResponse:
    context = pages.filtered_alerts(request, tenant_id, first=pages.QUEUE_FIRST)
    return render(request, "defender/alerts.html", {"nav_section": "alerts", **context})


@tenant_page
def alert(request: HttpRequest, tenant_id: int, alert_id: int) -> HttpResponse:
    found = pages.alert_detail(tenant_id, alert_id)
    context = {
        "nav_section": "alerts",
        "alert": found,
        "evidence": pages.alert_evidence(found),
        "alert_managers": pages.ALERT_MANAGERS,
    }
    return render(request, "defender/alert.html", context)


@tenant_page
def incidents(request: HttpRequest, tenant_id: int) -> HttpResponse:
    context = pages.incidents(request, tenant_id)
    return render(request, "shared/incidents.html", {"nav_section": "incidents", **context})


@tenant_page
def identities(request: HttpRequest, tenant_id: int) -> HttpResponse:
    rows = pages.identities(tenant_id)
    return render(
        request, "defender/identities.html", {"nav_section": "identities", "identities": rows}
    )


@tenant_page
def identity(request: HttpRequest, tenant_id: int, identity_id: int) -> HttpResponse:
    context = pages.identity_profile(tenant_id, identity_id)
    tab = pages.identity_tab(request.GET.get("tab"))
    return render(
        request,
        "defender/identity.html",
        {"nav_section": "identities", "tabs": pages.IDENTITY_TABS, "tab": tab, **context},
    )


@tenant_page
def group(request: HttpRequest, tenant_id: int, group_id: int) -> HttpResponse:
    """A directory group, in the pane the Defender portal opens it in."""
    context = pages.group_profile(tenant_id, group_id)
    tab = pages.group_tab(request.GET.get("tab"))
    return render(
        request,
        "defender/group.html",
        {"nav_section": "identities", "tabs": pages.GROUP_TABS, "tab": tab, **context},
    )


@tenant_page
def machine(request: HttpRequest, tenant_id: int, device_id: int) -> HttpResponse:
    context = pages.device_profile(tenant_id, device_id)
    return render(request, "defender/machine.html", {"nav_section": "identities", **context})


@tenant_page
def search(request: HttpRequest, tenant_id: int) -> HttpResponse:
    results = pages.search(tenant_id, request.GET.get("q", ""))
    return render(
        request,
        "defender/search.html",
        {"nav_section": "search", "results": results, "search_query": results.text},
    )


@tenant_page
def health(request: HttpRequest, tenant_id: int) -> HttpResponse:
    context = pages.health_issues(tenant_id)
    menu = settings_menu_context(IDENTITIES_MENU, "defender:health")
    return render(request, "defender/health.html", {"nav_section": "settings", **menu, **context})


@tenant_page
def about(request: HttpRequest, tenant_id: int) -> HttpResponse:
    context = pages.configuration(tenant_id)
    menu = settings_menu_context(IDENTITIES_MENU, "defender:about")
    return render(request, "defender/about.html", {"nav_section": "settings", **menu, **context})


@tenant_page
def report_home(request: HttpRequest, tenant_id: int) -> HttpResponse:
    return render(request, "defender/reports.html", {"nav_section": "reports"})


@tenant_page
def identity_reports(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """Reports > Identities > Report management."""
    form = reports.PeriodForm(request.GET)
    context = {"nav_section": "reports", "reports": reports.REPORTS.values(), "form": form}
    return render(request, "defender/identity_reports.html", {**context, "days": form.days})


@tenant_page
def identity_report(request: HttpRequest, tenant_id: int, report: str) -> HttpResponse:
    form = reports.PeriodForm(request.GET)
    run = reports.run_report(reports.report_named(report), tenant_id, form.days)
    context = {"nav_section": "reports", "run": run, "form": form}
    return render(request, "defender/identity_report.html", context)


@tenant_page
def identity_report_download(request: HttpRequest, tenant_id: int, report: str) -> HttpResponse:
    form = reports.PeriodForm(request.GET)
    run = reports.run_report(reports.report_named(report), tenant_id, form.days)
    return reports.report_download(run, request.user.tenant.name)
