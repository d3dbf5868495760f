"""The support console's settings pages: tenants' redirection, its audit, and feedback."""

from __future__ import annotations

from http import HTTPStatus

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import TenantAdmin, TenantDomainFilter
from accounts.models import Tenant, client_ip
from settings_ui.admin_filters import TurnedFilter
from settings_ui.forms import (
    ROLLOUT_FORMS,
    SCHEDULE_HINT,
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
from web.admin_lists import CappedCountPaginator, QuickRows, display_for_value
from web.admin_lookups import FilterLookupsOnly
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
    fields = ("changed_at", "new_state", "actor", "source", "ip_address")
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
    """Tenants with their Automatic redirection, turned only through the audited actions."""

    list_display = ("name", "domain", "redirection", "redirection_enabled_at")
    list_select_related = ("portal_redirection",)
    readonly_fields = (
        *TenantAdmin.readonly_fields,
        "redirection",
        "redirection_enabled_at",
        "staged_rollout",
    )
    fields = (
        "name",
        "domain",
        "created_at",
        "redirection",
        "redirection_enabled_at",
        "staged_rollout",
    )
    inlines = [*TenantAdmin.inlines, RecentRedirectionChangeInline]
    actions = ["turn_redirection_on", "turn_redirection_off"]

    @admin.display(description=_("automatic redirection"))
    def redirection(self, tenant: Tenant) -> str:
        setting = _settled(tenant)
        label = on_off(setting and setting.enabled)
        history = site_path("admin:settings_ui_redirectionchange_changelist")
        return format_html(
            '{} · <a href="{}?tenant__id__exact={}">{}</a>',
            label,
            history,
            tenant.pk,
            _("all changes"),
        )

    @admin.display(description=_("enabled at"))
    def redirection_enabled_at(self, tenant: Tenant):
        setting = _settled(tenant)
        # Formatted here: the change page prints a method's raw value ("None", ISO times).
        value = setting.enabled_at if setting and setting.enabled else None
        return display_for_value(value, self.get_empty_value_display())

    @admin.display(description=_("staged rollout"))
    def staged_rollout(self, tenant: Tenant) -> str:
        setting = _settled(tenant)
        scope = Scope(setting.scope).label if setting else Scope.EVERYONE.label
        lines = [(scope,)]
        if setting and setting.scope == Scope.PILOT:
            lines.append((", ".join(sorted(m.user.email for m in setting.pilot_accounts.all())),))
        for label, moment in (
            (_("Turns On at"), setting and setting.scheduled_on_at),
            (_("Turns Off at"), setting and setting.scheduled_off_at),
        ):
            if moment:
                lines.append((f"{label} {display_for_value(moment, '')}",))
        rollout_url = reverse("admin:accounts_tenant_rollout", args=[tenant.pk])
        return format_html(
            '{}<a href="{}">{}</a>',
            format_html_join("", "{}<br>", lines),
            rollout_url,
            _("Change scope, pilot group or schedule"),
        )

    def has_change_portal_redirection_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CHANGE_REDIRECTION_PERMISSION)

    def get_urls(self):
        rollout = path(
            "<int:tenant_id>/rollout/",
            self.admin_site.admin_view(self.rollout_view),
            name="accounts_tenant_rollout",
        )
        return [rollout, *super().get_urls()]

    def rollout_view(self, request: HttpRequest, tenant_id: int) -> HttpResponse:
        """Scope, pilot group and schedule through the one writer, like the settings page."""
        if not self.has_change_portal_redirection_permission(request):
            raise PermissionDenied
        tenant = get_object_or_404(Tenant, pk=tenant_id)
        setting = _settled(tenant) or PortalRedirection(tenant=tenant)
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
                    request, tenant, update, source=ChangeSource.ADMIN
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
            "title": _("Staged rollout of %(tenant)s") % {"tenant": tenant.name},
            **forms,
            "has_schedule": bool(setting.scheduled_on_at or setting.scheduled_off_at),
        }
        return TemplateResponse(
            request, "admin/settings_ui/tenant_rollout.html", context, status=status
        )

    @admin.action(
        description=_("Turn automatic redirection on"), permissions=["change_portal_redirection"]
    )
    def turn_redirection_on(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_redirection(request, queryset, enabled=True)

    @admin.action(
        description=_("Turn automatic redirection off"), permissions=["change_portal_redirection"]
    )
    def turn_redirection_off(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_redirection(request, queryset, enabled=False)

    def _set_redirection(self, request: HttpRequest, queryset: QuerySet, *, enabled: bool):
        tenants = list(queryset)
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
            ).changed
        ]
        state = on_off(enabled)
        if changed:
            self.message_user(
                request,
                ngettext(
                    "Automatic redirection is now %(state)s for %(names)s.",
                    "Automatic redirection is now %(state)s for %(count)d tenants: %(names)s.",
                    len(changed),
                )
                % {
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
                _("Already %(state)s, nothing changed: %(names)s.")
                % {"state": state, "names": ", ".join(t.name for t in unchanged)},
                messages.INFO,
            )


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


def _settled(tenant: Tenant) -> PortalRedirection | None:
    """The tenant's row as in force now (a reached schedule applied in memory), or None."""
    setting = getattr(tenant, "portal_redirection", None)
    if setting is not None and not getattr(setting, "_settled", False):
        setting.settle(timezone.now())
        setting._settled = True
    return setting


admin.site.unregister(Tenant)
admin.site.register(Tenant, RedirectionTenantAdmin)


@admin.register(RedirectionChange)
class RedirectionChangeAdmin(QuickRows, FilterLookupsOnly, admin.ModelAdmin):
    """The audit, read-only for everyone: rows are only ever added, by the service."""

    list_display = ("changed_at", "tenant", "change", "actor", "source", "ip_address")
    # Typed-in domain: Django's related filter would draw every tenant on every page.
    list_filter = (TenantDomainFilter, "kind", "source", TurnedFilter)
    # The record page says On/Off in words, as the list does, never two Yes/No icons.
    fields = ("changed_at", "tenant", "change", "actor", "source", "ip_address", "user_agent")
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
class FeedbackAdmin(QuickRows, FilterLookupsOnly, admin.ModelAdmin):
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
