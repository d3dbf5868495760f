"""The support console's sign-in sessions, with whether each former-portal session is routed."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.admin import SignInSessionAdmin
from accounts.models import SignInSession
from settings_ui.models import PortalRedirection
from settings_ui.routing_rule import OFF, RedirectionState, SessionFacts, should_route
from settings_ui.workloads import WORKLOADS


def stored_states(tenant_ids: set[int]) -> dict[tuple[int, str], RedirectionState]:
    """The stored state of every tenant on a page and workload, in two queries (rows, then
    pilot groups); a switch never set reads Off.

    The list reads the database rather than the per-tenant cache so that a page costs the
    same however many tenants it shows; the portals follow within REDIRECTION_CACHE_SECONDS.
    """
    rows = PortalRedirection.objects.filter(tenant_id__in=tenant_ids).prefetch_related(
        "pilot_accounts"
    )
    states = {(row.tenant_id, row.workload): row.as_state() for row in rows}
    return defaultdict(lambda: OFF, states)


# Which workload's switch routes the sessions of each former portal.
WORKLOAD_OF_SITE = {setting.former_site: workload for workload, setting in WORKLOADS.items()}


class RoutedSignInSessionAdmin(SignInSessionAdmin):
    list_display = (*SignInSessionAdmin.list_display, "routing")

    def get_changelist_instance(self, request: HttpRequest):
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)  # evaluated once; the template reuses the cache
        tenant_ids = {row.tenant_id for row in page if row.tenant_id is not None}
        states = stored_states(tenant_ids) if tenant_ids else {}
        for row in page:
            row.routed = self._routed(row, states)
        return changelist

    @staticmethod
    def _routed(row: SignInSession, states) -> bool | None:
        workload = WORKLOAD_OF_SITE.get(row.portal)
        if workload is None or not row.is_active or row.tenant_id is None:
            return None
        return should_route(
            states[row.tenant_id, workload],
            SessionFacts(row.user_id, row.tenant_id, row.signed_in_at),
            now=timezone.now(),
            window_seconds=settings.REDIRECTION_PROPAGATION_SECONDS,
        )

    @admin.display(description=_("routed to the Defender portal"))
    def routing(self, row: SignInSession) -> str | None:
        routed = getattr(row, "routed", None)
        if routed is None:
            return None  # not an active session of a former portal: the empty-value dash
        return _("Routed") if routed else _("Keeps the former portal")


admin.site.unregister(SignInSession)
admin.site.register(SignInSession, RoutedSignInSessionAdmin)
