"""The support console's long lists: rows drawn without the widget templates, counts capped."""

from __future__ import annotations

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _


class PlainActionCheckbox:
    """ModelAdmin mixin: the row checkbox Django renders, without the form template engine.

    Django draws it through a widget template for every row: at 100 rows a quarter of a list
    page's time. The markup is Django's own, attribute for attribute.
    """

    def action_checkbox(self, obj):
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


class CappedCountPaginator(Paginator):
    """Counts at most ``cap`` + 1 rows, so a list over a huge table never counts it all.

    Past the cap the list says "more than" (templates/admin/pagination.html), and support
    narrows it with the filters.
    """

    cap = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap

    @property
    def cap_label(self) -> str:
        return f"{self.cap:,}"
