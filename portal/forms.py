"""The alert filters of the portals, as plain GET forms: each portal in its own words."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.models import (
    LEGACY_STATUS_ALERTS,
    AlertStatus,
    LegacyAlertStatus,
    ServiceSource,
    Severity,
)

STATUS_ERROR = _("Choose a status from the list.")


class AlertFilterForm(forms.Form):
    """The Defender portal's filters: any set of statuses (as its queue offers), one severity."""

    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=AlertStatus.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": STATUS_ERROR},
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=[("", _("All severities")), *Severity.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a severity from the list.")},
    )

    def filter(self, rows: QuerySet) -> QuerySet:
        """Apply the filters that are valid; an invalid one is shown as an error and ignored."""
        self.is_valid()
        statuses = self.cleaned_data.get("status")
        if statuses:
            rows = rows.filter(status__in=statuses)
        return self.filter_severity(rows)

    def filter_severity(self, rows: QuerySet) -> QuerySet:
        severity = self.cleaned_data.get("severity")
        return rows.filter(severity=severity) if severity else rows

    @property
    def chosen(self) -> tuple:
        """The filters in force as plain values (an invalid one counts as none): two forms of
        the same class with the same ``chosen`` list the same alerts."""
        self.is_valid()
        return tuple(
            (name, tuple(sorted(value)) if isinstance(value, list) else value)
            for name, value in sorted(self.cleaned_data.items())
        )

    @property
    def is_filtered(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.fields)

    def options(self, field: forms.BoundField) -> list[tuple[str, str, bool]]:
        """A field's choices as (value, label, chosen), chosen as its widget would mark them.

        The page draws the list itself: the widget's own templates cost more than the
        whole list of alerts beside them.
        """
        widget = field.field.widget
        given = widget.format_value(field.value())
        options, marked = [], False
        for value, label in field.field.choices:
            value = str(value)
            chosen = value in given and (widget.allow_multiple_selected or not marked)
            marked = marked or chosen
            options.append((value, label, chosen))
        return options


class LegacyAlertFilterForm(AlertFilterForm):
    """The legacy timeline's filters: its own statuses, Open, Closed and Suppressed."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *LegacyAlertStatus.choices],
        required=False,
        error_messages={"invalid_choice": STATUS_ERROR},
    )

    def filter(self, rows: QuerySet) -> QuerySet:
        self.is_valid()
        status = self.cleaned_data.get("status")
        if status:
            rows = rows.filter(LEGACY_STATUS_ALERTS[status])
        return self.filter_severity(rows)


class AlertQueueFilterForm(AlertFilterForm):
    """The Defender alert queue's filters: its statuses and severity, and which Defender
    product raised the alert, as the queue gathers every product's alerts."""

    service_source = forms.ChoiceField(
        label=_("Service source"),
        choices=[("", _("All service sources")), *ServiceSource.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a service source from the list.")},
    )

    def filter(self, rows: QuerySet) -> QuerySet:
        rows = super().filter(rows)
        source = self.cleaned_data.get("service_source")
        return rows.filter(service_source=source) if source else rows


class EndpointAlertFilterForm(AlertFilterForm):
    """The Security Center queue's filters: one status at a time, in the Defender portal's
    words (the Security Center already triaged alerts as New, In progress and Resolved)."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *AlertStatus.choices],
        required=False,
        error_messages={"invalid_choice": STATUS_ERROR},
    )

    def filter(self, rows: QuerySet) -> QuerySet:
        self.is_valid()
        status = self.cleaned_data.get("status")
        if status:
            rows = rows.filter(status=status)
        return self.filter_severity(rows)
