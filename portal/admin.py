"""The support console's pages of the portals: sign-in sessions, with whether each
former-portal session is routed, and the tenants' SIEM integrations."""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from accounts.admin import SignInSessionAdmin
from accounts.models import SignInSession
from portal.models import SiemIntegration
from settings_ui.models import PortalRedirection
from settings_ui.routing_rule import OFF, RedirectionState, SessionFacts, should_route
from settings_ui.workloads import WORKLOADS
from web.admin_lookups import FilterLookupsOnly


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


# ------------------------------------------------------------------ SIEM integrations
Application = get_application_model()


class SiemIntegrationForm(forms.ModelForm):
    name = forms.CharField(
        label=_("SIEM name"),
        max_length=Application._meta.get_field("name").max_length,
        help_text=_("How the organization names the tool, e.g. “Contoso Sentinel”."),
    )

    class Meta:
        model = SiemIntegration
        fields = ("tenant",)


@admin.register(SiemIntegration)
class SiemIntegrationAdmin(FilterLookupsOnly, admin.ModelAdmin):
    """Register a tenant's SIEM: an application of the directory whose secret is shown once.

    Nothing about an integration changes afterwards; deleting it revokes the application and
    every token it holds.
    """

    form = SiemIntegrationForm
    list_display = ("siem_name", "tenant", "client_id", "created_at", "created_by")
    list_select_related = ("tenant", "application", "created_by")
    search_fields = ("tenant__name", "tenant__domain", "application__name")
    shown_after_creation = ("siem_name", "tenant", "client_id", "created_at", "created_by")

    def get_fields(self, request: HttpRequest, obj=None):
        return ("tenant", "name") if obj is None else self.shown_after_creation

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return () if obj is None else self.shown_after_creation

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("SIEM name"), ordering="application__name")
    def siem_name(self, integration: SiemIntegration) -> str:
        return integration.application.name

    @admin.display(description=_("client id"))
    def client_id(self, integration: SiemIntegration) -> str:
        return integration.application.client_id

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: SiemIntegration, form, change: bool) -> None:
        secret = generate_client_secret()
        # Stored hashed (CLIENT_SECRET_HASHER): this is the only moment it can be read.
        obj.application = Application.objects.create(
            name=form.cleaned_data["name"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
        )
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            _(
                "Give these to %(organization)s now: the secret is not shown again. "
                "Client id: %(client_id)s · Client secret: %(secret)s · "
                "Token endpoint: %(token_url)s (client credentials, scope alerts.read)"
            )
            % {
                "organization": obj.tenant.name,
                "client_id": obj.application.client_id,
                "secret": secret,
                "token_url": f"{settings.IDENTITY_URL}/oauth2/token",
            },
        )
