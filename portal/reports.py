"""Defender for Identity's reports: what each one lists, over which period, and its download.

The classic portal offered them under Reports; the Defender portal offers the same ones under
Reports > Identities > Report management. Both portals read them here, so a report lists the
same rows on either.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import (
    UNRESOLVED,
    Alert,
    ClearTextPassword,
    GroupChange,
    HealthIssue,
    ServiceSource,
)

# The periods a report covers, in days; the classic portal's default was the last month.
PERIODS = ((7, _("Last 7 days")), (30, _("Last 30 days")), (90, _("Last 90 days")))
DEFAULT_PERIOD = 30
PERIOD_LABELS = dict(PERIODS)


class PeriodForm(forms.Form):
    period = forms.TypedChoiceField(
        label=_("Period"),
        choices=PERIODS,
        coerce=int,
        required=False,
        error_messages={"invalid_choice": _("Choose a period from the list.")},
    )

    @property
    def days(self) -> int:
        """The period asked for; an invalid one is shown as an error and the default used."""
        if self.is_valid() and self.cleaned_data["period"]:
            return self.cleaned_data["period"]
        return DEFAULT_PERIOD


@dataclass(frozen=True)
class Cell:
    """One value of a report's row; ``entity`` names what it links to (its kind and id)."""

    text: str
    entity: tuple[str, int] | None = None
    at: datetime | None = None


Row = tuple[Cell, ...]


def _time(moment: datetime) -> Cell:
    return Cell(moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"), at=moment)


def _identity(identity) -> Cell:
    return Cell(identity.display_name, ("identity", identity.pk)) if identity else Cell("—")


def _device(device) -> Cell:
    return Cell(device.name, ("device", device.pk)) if device else Cell("—")


def _summary(tenant_id: int, since: datetime) -> list[Row]:
    """Open alerts of the identity sensors and open health issues, newest first."""
    alerts = (
        Alert.objects.for_tenant(tenant_id)
        .filter(service_source=ServiceSource.IDENTITY, status__in=UNRESOLVED)
        .filter(detected_at__gte=since)
        .select_related("identity", "device")
    )
    issues = HealthIssue.objects.for_tenant(tenant_id).filter(
        status=HealthIssue.Status.OPEN, created_at__gte=since
    )
    rows = [
        (
            alert.detected_at,
            (
                Cell(str(_("Security alert"))),
                Cell(alert.title, ("alert", alert.pk)),
                Cell(alert.get_severity_display()),
                Cell(alert.get_status_display()),
                _time(alert.detected_at),
                _identity(alert.identity),
                _device(alert.device),
            ),
        )
        for alert in alerts
    ] + [
        (
            issue.created_at,
            (
                Cell(str(_("Health issue"))),
                Cell(issue.title),
                Cell(issue.get_severity_display()),
                Cell(issue.get_status_display()),
                _time(issue.created_at),
                Cell("—"),
                Cell(issue.sensor or "—"),
            ),
        )
        for issue in issues
    ]
    rows.sort(key=lambda pair: pair[0], reverse=True)
    return [row for _at, row in rows]


def _sensitive_groups(tenant_id: int, since: datetime) -> list[Row]:
    changes = (
        GroupChange.objects.for_tenant(tenant_id)
        .filter(group__is_sensitive=True, changed_at__gte=since)
        .select_related("group", "member", "changed_by", "domain_controller")
    )
    return [
        (
            _time(change.changed_at),
            Cell(change.group.name, ("group", change.group.pk)),
            Cell(change.get_action_display()),
            _identity(change.member),
            _identity(change.changed_by),
            _device(change.domain_controller),
        )
        for change in changes
    ]


def _clear_text_passwords(tenant_id: int, since: datetime) -> list[Row]:
    exposures = (
        ClearTextPassword.objects.for_tenant(tenant_id)
        .filter(seen_at__gte=since)
        .select_related("identity", "source")
    )
    return [
        (
            _time(exposure.seen_at),
            _identity(exposure.identity),
            _device(exposure.source),
            Cell(exposure.protocol),
        )
        for exposure in exposures
    ]


@dataclass(frozen=True)
class Report:
    slug: str
    name: str
    description: str
    columns: tuple[str, ...]
    rows: Callable[[int, datetime], list[Row]]


REPORTS: dict[str, Report] = {
    report.slug: report
    for report in (
        Report(
            "summary",
            _("Summary report"),
            _("The open security alerts and health issues you should take care of."),
            ("Type", "Name", "Severity", "Status", "Time", "Account", "Computer or sensor"),
            _summary,
        ),
        Report(
            "sensitive-groups",
            _("Modifications to sensitive groups"),
            _("Every change of the members of a sensitive group, such as Domain Admins."),
            ("Time", "Group", "Action", "Member", "Changed by", "Domain controller"),
            _sensitive_groups,
        ),
        Report(
            "clear-text-passwords",
            _("Passwords exposed in clear text"),
            _("Accounts whose passwords were sent in clear text, and the computers sending them."),
            ("Last seen", "Account", "Source computer", "Protocol"),
            _clear_text_passwords,
        ),
    )
}


def report_named(slug: str) -> Report:
    try:
        return REPORTS[slug]
    except KeyError:
        raise Http404("No such report.") from None


@dataclass(frozen=True)
class ReportRun:
    """A report over a period, as of now: its rows and the period's first moment."""

    report: Report
    days: int
    since: datetime
    rows: list[Row]


def run_report(report: Report, tenant_id: int, days: int) -> ReportRun:
    since = timezone.now() - timedelta(days=days)
    return ReportRun(report, days, since, report.rows(tenant_id, since))


def report_asked(request: HttpRequest, tenant_id: int, slug: str) -> tuple[PeriodForm, ReportRun]:
    """The report a page asks for by name, over the period its query asks for (both portals)."""
    form = PeriodForm(request.GET)
    return form, run_report(report_named(slug), tenant_id, form.days)


# A spreadsheet reads a cell starting with one of these as a formula: such text is written
# with a leading apostrophe, so a name in the data can never run as one.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def report_download(request: HttpRequest, tenant_id: int, slug: str) -> HttpResponse:
    """The report asked for as a CSV file, one row per line, its columns first."""
    _form, run = report_asked(request, tenant_id, slug)
    organization = request.user.tenant.name
    day = timezone.now().strftime("%Y-%m-%d")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{run.report.slug}-{run.days}-days-{day}.csv"'
    )
    response.write("\ufeff")  # so a spreadsheet opens the names in UTF-8
    writer = csv.writer(response)
    writer.writerow([f"{run.report.name} · {organization} · {PERIOD_LABELS[run.days]!s}"])
    writer.writerow(run.report.columns)
    for row in run.rows:
        writer.writerow([_spreadsheet_safe(cell.text) for cell in row])
    return response
