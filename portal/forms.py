"""The alert filters both portals offer: status and severity, as a plain GET form."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from portal.models import AlertStatus, Severity


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *AlertStatus.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
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
        chosen = {name: self.cleaned_data.get(name) for name in ("status", "severity")}
        return rows.filter(**{name: value for name, value in chosen.items() if value})

    @property
    def is_filtered(self) -> bool:
        return any(self.cleaned_data.get(name) for name in ("status", "severity"))
