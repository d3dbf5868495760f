"""The support console's sign-in sessions, with whether each legacy session is being routed."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.admin import SignInSessionAdmin
from accounts.models import Portal, SignInSession
from settings_ui.models import PortalRedirection
from settings_ui.routing_rule import OFF, RedirectionState, SessionFacts, should_route


def stored_states(tenant_ids: set[int]) -> dict[int, RedirectionState]:
    """The stored state of every tenant on a page, in two queries (rows, then pilot groups).

    The list reads the database rather than the per-tenant cache so that a page costs the
    same however many tenants it shows; the portals follow within REDIRECTION_CACHE_SECONDS.
    """
    rows = PortalRedirection.objects.filter(tenant_id__in=tenant_ids).prefetch_related(
        "pilot_accounts"
    )
    states = {row.tenant_id: row.as_state() for row in rows}
    return {tenant_id: states.get(tenant_id, OFF) for tenant_id in tenant_ids}


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
    def _routed(row: SignInSession, states: dict[int, RedirectionState]) -> bool | None:
        if row.portal != Portal.LEGACY or not row.is_active or row.tenant_id is None:
            return None
        return should_route(
            states[row.tenant_id],
            SessionFacts(row.user_id, row.tenant_id, row.signed_in_at),
            now=timezone.now(),
            window_seconds=settings.REDIRECTION_PROPAGATION_SECONDS,
        )

    @admin.display(description=_("routed to the Defender portal"))
    def routing(self, row: SignInSession) -> str | None:
        routed = getattr(row, "routed", None)
        if routed is None:
            return None  # not an active legacy session: the empty-value dash
        return _("Routed") if routed else _("Keeps the legacy portal")


admin.site.unregister(SignInSession)
admin.site.register(SignInSession, RoutedSignInSessionAdmin)
