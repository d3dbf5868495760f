"""Defender portal pages: home, alerts, incidents, identities, devices, search, settings pages."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from portal import manage_alert, pages, reports
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
    """The alert, and its Manage alert panel: a form for those who manage the organization's
    alerts (POST saves it), the values read-only for everyone else."""
    found = pages.alert_detail(tenant_id, alert_id, triage=True)
    can_manage = manage_alert.may_manage(request)
    form = manage_alert.ManageAlertForm(alert=found) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            return alert_page(request, found, None, refused=True)
        form = manage_alert.ManageAlertForm(request.POST, alert=found)
        if not form.is_valid():
            return alert_page(request, found, form, status=HTTPStatus.BAD_REQUEST)
        try:
            entry = manage_alert.save_triage(
                found.pk,
                tenant_id,
                form.triage(),
                actor=request.user,
                shown=form.shown(),
                comment=form.cleaned_data["comment"],
            )
        except PermissionDenied:  # the role was taken away after this sign-in
            return alert_page(request, found, None, refused=True)
        if entry is None:
            messages.info(request, manage_alert.saved_message(entry))
        else:
            messages.success(request, manage_alert.saved_message(entry))
        return manage_alert.SeeOther(reverse("defender:alert", kwargs={"alert_id": found.pk}))
    return alert_page(request, found, form)


def alert_page(
    request: HttpRequest,
    found,
    form: manage_alert.ManageAlertForm | None,
    *,
    refused: bool = False,
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    tenant = request.user.tenant
    history, older = manage_alert.history_of(found)
    context = {
        "nav_section": "alerts",
        "alert": found,
        "evidence": pages.alert_evidence(found),
        "form": form,
        "read_only_reason": manage_alert.read_only_reason(tenant),
        "refused": manage_alert.refusal(tenant) if refused else "",
        "history": history,
        "older_history": older,
        "comment_length": manage_alert.COMMENT_LENGTH,
    }
    if refused:
        status = HTTPStatus.FORBIDDEN
    return render(request, "defender/alert.html", context, status=status)


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
    tab = pages.tab_asked(pages.IDENTITY_TABS, request.GET.get("tab"))
    return render(
        request,
        "defender/identity.html",
        {"nav_section": "identities", "tabs": pages.IDENTITY_TABS, "tab": tab, **context},
    )


@tenant_page
def group(request: HttpRequest, tenant_id: int, group_id: int) -> HttpResponse:
    """A directory group, in the pane the Defender portal opens it in."""
    context = pages.group_profile(tenant_id, group_id)
    tab = pages.tab_asked(pages.GROUP_TABS, request.GET.get("tab"))
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
    form, run = reports.report_asked(request, tenant_id, report)
    context = {"nav_section": "reports", "run": run, "form": form}
    return render(request, "defender/identity_report.html", context)


@tenant_page
def identity_report_download(request: HttpRequest, tenant_id: int, report: str) -> HttpResponse:
    return reports.report_download(request, tenant_id, report)
