"""The support console's long lists: a page read by index, the count capped."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


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
