"""Support console filters that speak the product's words (On/Off, never Yes/No)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from settings_ui.models import on_off

ON, OFF = "on", "off"


class TurnedFilter(admin.SimpleListFilter):
    """Redirection changes by the state they turned the switch to."""

    title = _("turned")
    parameter_name = "turned"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [(ON, on_off(True)), (OFF, on_off(False))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in (ON, OFF):
            return queryset.filter(new_value=self.value() == ON)
        return queryset
