"""The support console's settings pages: tenants' redirection, its audit, and feedback."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin import TenantAdmin, TenantDomainFilter
from accounts.models import Tenant, client_ip
from config.admin_lookups import FilterLookupsOnly
from settings_ui.models import ChangeSource, Feedback, RedirectionChange, on_off
from settings_ui.services import set_portal_redirection

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

    @admin.display(description=_("automatic redirection"))
    def new_state(self, change: RedirectionChange) -> str:
        return on_off(change.new_value)

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
    readonly_fields = (*TenantAdmin.readonly_fields, "redirection", "redirection_enabled_at")
    fields = ("name", "domain", "created_at", "redirection", "redirection_enabled_at")
    inlines = [*TenantAdmin.inlines, RecentRedirectionChangeInline]
    actions = ["turn_redirection_on", "turn_redirection_off"]

    @admin.display(description=_("automatic redirection"))
    def redirection(self, tenant: Tenant) -> str:
        setting = getattr(tenant, "portal_redirection", None)
        label = on_off(setting and setting.enabled)
        history = reverse("admin:settings_ui_redirectionchange_changelist")
        return format_html(
            '{} · <a href="{}?tenant__id__exact={}">{}</a>',
            label,
            history,
            tenant.pk,
            _("all changes"),
        )

    @admin.display(description=_("enabled at"))
    def redirection_enabled_at(self, tenant: Tenant):
        setting = getattr(tenant, "portal_redirection", None)
        # Formatted here: the change page prints a method's raw value ("None", ISO times).
        value = setting.enabled_at if setting and setting.enabled else None
        return display_for_value(value, self.get_empty_value_display())

    def has_change_portal_redirection_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CHANGE_REDIRECTION_PERMISSION)

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


admin.site.unregister(Tenant)
admin.site.register(Tenant, RedirectionTenantAdmin)


@admin.register(RedirectionChange)
class RedirectionChangeAdmin(FilterLookupsOnly, admin.ModelAdmin):
    """The audit, read-only for everyone: rows are only ever added, by the service."""

    list_display = ("changed_at", "tenant", "change", "actor", "source", "ip_address")
    # Typed-in domain: Django's related filter would draw every tenant on every page.
    list_filter = (TenantDomainFilter, "source", "new_value")
    list_select_related = ("tenant", "actor")
    date_hierarchy = "changed_at"
    search_fields = ("tenant__name", "tenant__domain", "actor__email")
    show_full_result_count = False

    @admin.display(description=_("change"), ordering="new_value")
    def change(self, row: RedirectionChange) -> str:
        return _("%(old)s → %(new)s") % {"old": on_off(row.old_value), "new": on_off(row.new_value)}

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
