"""The support console's settings pages: tenants' redirection, its audit, and feedback."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import display_for_value
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import TenantAdmin, TenantDomainFilter
from accounts.models import SignInSession, Tenant, User, client_ip
from settings_ui.admin_filters import TurnedFilter
from settings_ui.forms import (
    ROLLOUT_FORMS,
    SCHEDULE_HINT,
    ConsoleSwitchForm,
    ScheduleForm,
    ScopeForm,
    rollout_form_name,
    submit_rollout_form,
)
from settings_ui.models import (
    ChangeSource,
    Feedback,
    PortalRedirection,
    RedirectionChange,
    Scope,
    on_off,
)
from settings_ui.services import set_portal_redirection
from settings_ui.views import change_from_request
from settings_ui.workloads import DEFAULT, WORKLOADS
from web.admin_lookups import FilterLookupsOnly
from web.admin_paging import CappedCountPaginator
from web.hosts import site_path
from web.templating import audit_text

CHANGE_REDIRECTION_PERMISSION = "settings_ui.change_portal_redirection"
RECENT_CHANGES = 10


class RecentChangesFormSet(BaseInlineFormSet):
    """Only the latest changes; the full history is one link away."""

    def get_queryset(self):
        if not hasattr(self, "_recent"):
            self._recent = list(super().get_queryset()[:RECENT_CHANGES])
        return self._recent


class RecentRedirectionChangeInline(admin.TabularInline):
    model = RedirectionChange
    formset = RecentChangesFormSet
    verbose_name_plural = _("recent redirection changes")
    fields = ("changed_at", "workload", "new_state", "actor", "source", "reason", "ip_address")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("change"))
    def new_state(self, change: RedirectionChange) -> str:
        return audit_text(change.summary)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class RedirectionTenantAdmin(TenantAdmin):
    """Tenants with each workload's Automatic redirection, turned only through the audited
    actions, which ask for a confirmation and a reason first."""

    list_display = ("name", "domain", "redirection")
    readonly_fields = (*TenantAdmin.readonly_fields, "redirection_details")
    fields = ("name", "domain", "created_at", "redirection_details")
    inlines = [*TenantAdmin.inlines, RecentRedirectionChangeInline]
    actions = ["turn_redirection_on", "turn_redirection_off"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        settings = PortalRedirection.objects.prefetch_related("pilot_accounts__user")
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("portal_redirections", queryset=settings))
        )

    # The switch, its history and its rollout belong to a tenant that exists.
    def get_fields(self, request: HttpRequest, obj: Tenant | None = None):
        return self.fields if obj is not None else ("name", "domain")

    def get_inlines(self, request: HttpRequest, obj: Tenant | None = None):
        return self.inlines if obj is not None else TenantAdmin.inlines

    @admin.display(description=_("automatic redirection"))
    def redirection(self, tenant: Tenant) -> str:
        return format_html_join(
            mark_safe("<br>"),
            '{}: {} · <a href="{}">{}</a>',
            (
                (
                    WORKLOADS[workload].area,
                    on_off(setting.enabled),
                    changes_url(tenant, workload),
                    _("all changes"),
                )
                for workload, setting in settled_settings(tenant).items()
            ),
        )

    @admin.display(description=_("portal redirection"))
    def redirection_details(self, tenant: Tenant) -> str:
        return render_to_string(
            "admin/settings_ui/tenant_redirection.html",
            {
                "workloads": [
                    {
                        "setting": WORKLOADS[workload],
                        "switch": setting,
                        "enabled_at": display_for_value(
                            setting.enabled_at if setting.enabled else None,
                            self.get_empty_value_display(),
                        ),
                        "scope": Scope(setting.scope).label,
                        "pilot": sorted(m.user.email for m in setting.pilot_accounts.all())
                        if setting.pk and setting.scope == Scope.PILOT
                        else [],
                        "schedule": [
                            (label, display_for_value(moment, ""))
                            for label, moment in (
                                (_("Turns On at"), setting.scheduled_on_at),
                                (_("Turns Off at"), setting.scheduled_off_at),
                            )
                            if moment
                        ],
                        "changes_url": changes_url(tenant, workload),
                        "rollout_url": reverse(
                            "admin:accounts_tenant_rollout", args=[tenant.pk, workload]
                        ),
                    }
                    for workload, setting in settled_settings(tenant).items()
                ]
            },
        )

    def has_change_portal_redirection_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CHANGE_REDIRECTION_PERMISSION)

    def get_urls(self):
        view = self.admin_site.admin_view(self.rollout_view)
        rollout = [
            path("<int:tenant_id>/rollout/<str:workload>/", view, name="accounts_tenant_rollout"),
            # Before each workload had its own: Identity's, as it was.
            path("<int:tenant_id>/rollout/", view, {"workload": DEFAULT}),
        ]
        return [*rollout, *super().get_urls()]

    def rollout_view(self, request: HttpRequest, tenant_id: int, workload: str) -> HttpResponse:
        """Scope, pilot group and schedule through the one writer, like the settings page."""
        if not self.has_change_portal_redirection_permission(request):
            raise PermissionDenied
        if workload not in WORKLOADS:
            raise Http404
        tenant = get_object_or_404(self.get_queryset(request), pk=tenant_id)
        setting = settled_settings(tenant)[workload]
        pilot = sorted(m.user.email for m in setting.pilot_accounts.all()) if setting.pk else []
        forms = {
            "scope_form": ScopeForm(
                initial={"scope": setting.scope, "pilot_accounts": ", ".join(pilot)}
            ),
            "schedule_form": ScheduleForm(
                initial={
                    "scheduled_on_at": setting.scheduled_on_at,
                    "scheduled_off_at": setting.scheduled_off_at,
                }
            ),
        }
        status = HTTPStatus.OK
        action = request.POST.get("action")
        if request.method == "POST" and action in ROLLOUT_FORMS:
            form, result = submit_rollout_form(
                action,
                request.POST,
                lambda update: change_from_request(
                    request, tenant, update, source=ChangeSource.ADMIN, workload=workload
                ),
            )
            if result is not None:
                said = _("Saved.") if result.changed else _("Nothing changed.")
                self.message_user(request, said, messages.SUCCESS)
                return redirect(request.path)
            forms[rollout_form_name(action)] = form
            status = HTTPStatus.BAD_REQUEST
        for form in forms.values():
            in_the_consoles_words(form)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": tenant,
            "title": _("Staged rollout of %(tenant)s: %(area)s")
            % {"tenant": tenant.name, "area": WORKLOADS[workload].area},
            **forms,
            "has_schedule": bool(setting.scheduled_on_at or setting.scheduled_off_at),
        }
        return TemplateResponse(
            request, "admin/settings_ui/tenant_rollout.html", context, status=status
        )

    @admin.action(
        description=_("Turn automatic redirection on…"), permissions=["change_portal_redirection"]
    )
    def turn_redirection_on(self, request: HttpRequest, queryset: QuerySet):
        return self._set_redirection(request, queryset, enabled=True)

    @admin.action(
        description=_("Turn automatic redirection off…"), permissions=["change_portal_redirection"]
    )
    def turn_redirection_off(self, request: HttpRequest, queryset: QuerySet):
        return self._set_redirection(request, queryset, enabled=False)

    def _set_redirection(self, request: HttpRequest, queryset: QuerySet, *, enabled: bool):
        """First a page that says what the change touches and asks why; then the change."""
        tenants = list(queryset)
        confirming = "confirm" in request.POST
        form = ConsoleSwitchForm(request.POST if confirming else None)
        if not confirming or not form.is_valid():
            return self.confirm_switch(request, tenants, form, enabled=enabled)
        workload, reason = form.cleaned_data["workload"], form.cleaned_data["reason"]
        changed = [
            tenant
            for tenant in tenants
            if set_portal_redirection(
                tenant,
                enabled,
                actor=request.user,
                source=ChangeSource.ADMIN,
                ip_address=client_ip(request),
                user_agent=request.headers.get("user-agent", ""),
                workload=workload,
                reason=reason,
            ).changed
        ]
        state, area = on_off(enabled), WORKLOADS[workload].area
        if changed:
            self.message_user(
                request,
                ngettext(
                    "Automatic redirection (%(area)s) is now %(state)s for %(names)s.",
                    "Automatic redirection (%(area)s) is now %(state)s for %(count)d tenants: "
                    "%(names)s.",
                    len(changed),
                )
                % {
                    "area": area,
                    "state": state,
                    "count": len(changed),
                    "names": ", ".join(t.name for t in changed),
                },
                messages.SUCCESS,
            )
        unchanged = [tenant for tenant in tenants if tenant not in changed]
        if unchanged:
            self.message_user(
                request,
                _("Already %(state)s (%(area)s), nothing changed: %(names)s.")
                % {"state": state, "area": area, "names": ", ".join(t.name for t in unchanged)},
                messages.INFO,
            )
        return None

    def confirm_switch(
        self, request: HttpRequest, tenants: list[Tenant], form, *, enabled: bool
    ) -> TemplateResponse:
        tenant_ids = [tenant.pk for tenant in tenants]
        workload = form.data.get("workload") if form.is_bound else None
        counts = {
            key: {
                "accounts": User.objects.filter(tenant_id__in=tenant_ids, is_active=True).count(),
                "sessions": SignInSession.objects.active()
                .filter(tenant_id__in=tenant_ids, portal=setting.former_site)
                .count(),
            }
            for key, setting in WORKLOADS.items()
        }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Turn automatic redirection On?")
            if enabled
            else _("Turn automatic redirection Off?"),
            "tenants": tenants,
            "enabled": enabled,
            "form": form,
            "workloads": [(WORKLOADS[key], counts[key]) for key in WORKLOADS],
            "chosen_workload": workload,
            "action": request.POST.get("action"),
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        }
        status = HTTPStatus.BAD_REQUEST if form.is_bound else HTTPStatus.OK
        return TemplateResponse(
            request, "admin/settings_ui/confirm_switch.html", context, status=status
        )


def settled_settings(tenant: Tenant) -> dict[str, PortalRedirection]:
    """Each workload's row of the tenant as in force now (a reached schedule applied in
    memory); a workload never switched gets an unsaved Off row."""
    stored = {setting.workload: setting for setting in tenant.portal_redirections.all()}
    now = timezone.now()
    settled = {}
    for workload in WORKLOADS:
        setting = stored.get(workload) or PortalRedirection(tenant=tenant, workload=workload)
        if setting.pk and not getattr(setting, "_settled", False):
            setting.settle(now)
            setting._settled = True
        settled[workload] = setting
    return settled


def changes_url(tenant: Tenant, workload: str) -> str:
    """The audit list narrowed to one tenant and workload, through the list's own filters: the
    list refuses any lookup its filters do not offer."""
    history = site_path("admin:settings_ui_redirectionchange_changelist")
    query = {TenantDomainFilter.parameter_name: tenant.domain, "workload__exact": workload}
    return f"{history}?{urlencode(query)}"


# The settings page speaks to a tenant's own admin; support works on some tenant's behalf.
CONSOLE_HELP = {
    "pilot_accounts": _("Emails of this tenant's accounts, separated by commas or new lines."),
    "scheduled_on_at": SCHEDULE_HINT,
    "scheduled_off_at": SCHEDULE_HINT,
}
# The admin's own classes for these widgets, so the form looks like every other console form.
CONSOLE_WIDGET_CLASSES = {
    "scope": "radiolist inline",
    "pilot_accounts": "vLargeTextField",
    "scheduled_on_at": "vTextField",
    "scheduled_off_at": "vTextField",
}


def in_the_consoles_words(form) -> None:
    """A staged-rollout form as the console shows it: the admin's classes, support's help."""
    for name, field in form.fields.items():
        field.help_text = CONSOLE_HELP.get(name, field.help_text)
        if name in CONSOLE_WIDGET_CLASSES:
            field.widget.attrs["class"] = CONSOLE_WIDGET_CLASSES[name]


admin.site.unregister(Tenant)
admin.site.register(Tenant, RedirectionTenantAdmin)


@admin.register(RedirectionChange)
class RedirectionChangeAdmin(FilterLookupsOnly, admin.ModelAdmin):
    """The audit, read-only for everyone: rows are only ever added, by the service."""

    list_display = (
        "changed_at",
        "tenant",
        "workload",
        "change",
        "actor",
        "source",
        "reason",
        "ip_address",
    )
    # Typed-in domain: Django's related filter would draw every tenant on every page.
    list_filter = (TenantDomainFilter, "workload", "kind", "source", TurnedFilter)
    # The record page says On/Off in words, as the list does, never two Yes/No icons.
    fields = (
        "changed_at",
        "tenant",
        "workload",
        "change",
        "actor",
        "source",
        "reason",
        "ip_address",
        "user_agent",
    )
    readonly_fields = fields
    list_select_related = ("tenant", "actor")
    date_hierarchy = "changed_at"
    search_fields = ("tenant__name", "tenant__domain", "actor__email")
    paginator = CappedCountPaginator  # the audit only ever grows
    show_full_result_count = False

    @admin.display(description=_("change"), ordering="kind")
    def change(self, row: RedirectionChange) -> str:
        return audit_text(row.summary)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(FilterLookupsOnly, admin.ModelAdmin):
    """What users wrote stays as written; support only moves its status along."""

    list_display = ("created_at", "category", "status", "tenant", "user", "portal", "summary")
    list_filter = ("status", "category", "portal", "may_contact", TenantDomainFilter)
    list_select_related = ("tenant", "user")
    search_fields = ("message", "user__email")
    date_hierarchy = "created_at"
    fields = (
        "status",
        "category",
        "message",
        "from_path",
        "portal",
        "tenant",
        "user",
        "may_contact",
        "created_at",
    )
    readonly_fields = fields[1:]
    actions = ["mark_triaged", "mark_closed"]
    show_full_result_count = False

    @admin.display(description=_("message"))
    def summary(self, feedback: Feedback) -> str:
        text = " ".join(feedback.message.split())
        return text if len(text) <= 80 else f"{text[:79]}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Mark selected feedback as triaged"), permissions=["change"])
    def mark_triaged(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._mark(request, queryset, Feedback.Status.TRIAGED)

    @admin.action(description=_("Mark selected feedback as closed"), permissions=["change"])
    def mark_closed(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._mark(request, queryset, Feedback.Status.CLOSED)

    def _mark(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        count = queryset.update(status=status)
        self.message_user(
            request,
            ngettext(
                "%(count)d feedback item marked %(status)s.",
                "%(count)d feedback items marked %(status)s.",
                count,
            )
            % {"count": count, "status": Feedback.Status(status).label.lower()},
            messages.SUCCESS,
        )
