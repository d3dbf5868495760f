"""The support console's query strings: a list page accepts only the lookups its filters offer."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.admin import FieldListFilter, ListFilter, SimpleListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.db.models import Field
from django.http import HttpRequest

_OFFERED = "_offered_lookups"


class FilterLookupsOnly:
    """ModelAdmin mixin: any query-string lookup its list filters do not offer is a 400.

    Django's own rule lets through every lookup on a local field, so that a list page answers
    `?session_key__startswith=ab` with "some rows" or "none": a yes/no oracle on a field the
    page never shows. Here the allowed names are exactly the parameters the page's own
    filters and date drill-down write into their links; search (`q`), ordering (`o`), paging
    (`p`) and the other parameters Django reads itself never reach this check.
    """

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup in self.offered_lookups(request)

    def offered_lookups(self, request: HttpRequest | None) -> frozenset[str]:
        # Built once per request and admin: a related filter reads its choices to be built.
        offered = request.__dict__.setdefault(_OFFERED, {}) if request is not None else {}
        key = type(self)
        if key not in offered:
            offered[key] = frozenset(self._filter_parameters(request))
        return offered[key]

    def _filter_parameters(self, request: HttpRequest | None) -> Iterator[str]:
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter
        for item in list_filter:
            yield from self._parameters_of(item, request)
        if self.date_hierarchy:
            for part in ("year", "month", "day"):
                yield f"{self.date_hierarchy}__{part}"

    def _parameters_of(self, item, request: HttpRequest | None) -> list[str]:
        if isinstance(item, type) and issubclass(item, SimpleListFilter):
            return [item.parameter_name]  # named on the class: no need to build its choices
        if isinstance(item, type) and issubclass(item, ListFilter):
            return list(item(request, {}, self.model, self).expected_parameters())
        field, filter_class = item if isinstance(item, (list, tuple)) else (item, None)
        field_path = None
        if not isinstance(field, Field):
            field_path = field
            field = get_fields_from_path(self.model, field_path)[-1]
        spec = (filter_class or FieldListFilter.create)(
            field, request, {}, self.model, self, field_path=field_path
        )
        return list(spec.expected_parameters())
