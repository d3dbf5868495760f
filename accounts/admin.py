"""The support console's account pages: tenants, accounts, role assignments, sign-in sessions."""

from __future__ import annotations

import logging
from http import HTTPStatus

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from accounts.models import RoleAssignment, SignInSession, Tenant, User
from accounts.sign_ins import end_account_sessions, end_sign_in_session
from web.admin_lookups import FilterLookupsOnly
from web.admin_paging import CappedCountPaginator

logger = logging.getLogger("accounts.support")

admin.site.site_header = _("Defender support console")
admin.site.site_title = _("Defender support console")
# The lists need the width: with the app list beside them and the filters on the right, a
# 1366 px screen hid their right-hand columns. The home page and breadcrumbs lead to each list.
admin.site.enable_nav_sidebar = False
admin.site.index_title = _("Support")


# ------------------------------------------------------------------ role assignments
class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = ("user", "tenant", "role", "assigned_at")
    readonly_fields = ("assigned_at",)
    autocomplete_fields = ("user", "tenant")


class TenantRoleAssignmentInline(RoleAssignmentInline):
    fk_name = "tenant"
    fields = ("user", "role", "assigned_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("user")


class UserRoleAssignmentInline(RoleAssignmentInline):
    fk_name = "user"
    fields = ("tenant", "role", "assigned_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("tenant")


# ------------------------------------------------------------------ tenants
@admin.register(Tenant)
class TenantAdmin(FilterLookupsOnly, admin.ModelAdmin):
    list_display = ("name", "domain", "created_at")
    search_fields = ("name", "domain")
    readonly_fields = ("created_at",)
    inlines = [TenantRoleAssignmentInline]
    show_full_result_count = False


# ------------------------------------------------------------------ groups
admin.site.unregister(Group)


@admin.register(Group)
class SupportGroupAdmin(FilterLookupsOnly, GroupAdmin):
    """Django's own groups page, under the console's rule for query-string lookups."""


# ------------------------------------------------------------------ ending sessions
END_SESSIONS_PERMISSION = "accounts.change_signinsession"


class EndSessionsForm(forms.Form):
    """What support confirms before ending sign-ins: why, for the record."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the console's history with your account, e.g. the ticket."),
        error_messages={"required": _("Say why: the reason is recorded with the end.")},
    )


def ending_reach(rows: list[SignInSession]) -> dict[str, int]:
    """How many accounts, browsers (sign-ins) and sessions ending ``rows`` signs out.

    Ending a session ends its whole sign-in: the directory session and every portal session
    made from it, so the count is of every active row naming the same directory session.
    """
    active = [row for row in rows if row.is_active]
    sids = {row.sid for row in active if row.sid}
    alone = [row for row in active if not row.sid]
    sessions = SignInSession.objects.active().filter(sid__in=sids).count() if sids else 0
    return {
        "accounts": len({row.user_id for row in active}),
        "browsers": len(sids) + len(alone),
        "sessions": sessions + len(alone),
    }


def ended_by_support(reason: str) -> str:
    return f"Ended by support: {reason}"


def confirm_ending(
    request: HttpRequest, model_admin: admin.ModelAdmin, rows, form, **context
) -> TemplateResponse:
    """The page that lists what ending touches and asks why, before anything ends."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "rows": rows,
        "reach": ending_reach(rows),
        "form": form,
        **context,
    }
    status = HTTPStatus.BAD_REQUEST if form.is_bound else HTTPStatus.OK
    return TemplateResponse(
        request, "admin/accounts/confirm_end_sessions.html", context, status=status
    )


# ------------------------------------------------------------------ accounts
class TenantDomainFilter(admin.SimpleListFilter):
    """Filter by a tenant's primary domain, typed in.

    A list of every tenant, as Django's own related filter draws it, costs a full read of
    the tenant table on every page and is unusable with thousands of tenants.
    """

    title = _("tenant")
    parameter_name = "tenant"
    template = "admin/tenant_domain_filter.html"

    def lookups(self, request, model_admin):
        return ((None, _("Primary domain")),)  # one entry, so the box is drawn

    def choices(self, changelist):
        # Submitting the box keeps every other filter, the search and the ordering.
        kept = dict(changelist.params)
        kept.pop(self.parameter_name, None)
        yield {
            "parameter_name": self.parameter_name,
            "value": self.value() or "",
            "kept_params": sorted(kept.items()),
            "clear_query_string": changelist.get_query_string(remove=[self.parameter_name]),
        }

    def queryset(self, request, queryset):
        domain = (self.value() or "").strip().lower()
        return queryset.filter(tenant__domain=domain) if domain else queryset


class AccountCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name", "tenant")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email already exists."))
        return email


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()


@admin.register(User)
class UserAdmin(FilterLookupsOnly, DjangoUserAdmin):
    form = AccountChangeForm
    add_form = AccountCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "tenant")}),
        (
            _("Support console access"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "sessions_ended_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "display_name",
                    "tenant",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("email", "display_name", "tenant", "roles", "is_staff", "is_active")
    list_filter = (TenantDomainFilter, "role_assignments__role", "is_staff", "is_active", "groups")
    list_select_related = ("tenant",)
    search_fields = ("email", "display_name")
    ordering = ("email",)
    inlines = [UserRoleAssignmentInline]
    readonly_fields = ("sessions_ended_at",)
    paginator = CappedCountPaginator
    show_full_result_count = False

    def get_urls(self):
        view = self.admin_site.admin_view(self.end_sessions_view)
        ending = path("<int:user_id>/end-sessions/", view, name="accounts_user_end_sessions")
        return [ending, *super().get_urls()]

    def has_end_sessions_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(END_SESSIONS_PERMISSION)

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_end_sessions": self.has_end_sessions_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def end_sessions_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """Every sign-in of one account, in every browser, once support says why."""
        if not self.has_end_sessions_permission(request):
            raise PermissionDenied
        account = get_object_or_404(User, pk=user_id)
        account_page = reverse("admin:accounts_user_change", args=[account.pk])
        confirming = request.method == "POST" and "confirm" in request.POST
        form = EndSessionsForm(request.POST if confirming else None)
        if not confirming or not form.is_valid():
            rows = list(
                SignInSession.objects.active().filter(user=account).select_related("tenant")
            )
            return confirm_ending(
                request,
                self,
                rows,
                form,
                title=_("End all sessions of %(account)s?") % {"account": account.email},
                account=account,
                cancel_url=account_page,
            )
        reason = form.cleaned_data["reason"]
        end_account_sessions(account, SignInSession.EndReason.ENDED_BY_SUPPORT)
        self.log_change(request, account, ended_by_support(reason))
        logger.info("account_sessions_ended account=%s by=%s", account.pk, request.user.pk)
        self.message_user(
            request,
            _("Every session of %(account)s has ended: it is signed out everywhere now.")
            % {"account": account.email},
            messages.SUCCESS,
        )
        return redirect(account_page)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("role_assignments")

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        # A read-only page would print the password hash: show only whether one is set.
        return tuple(
            (
                name,
                {
                    **options,
                    "fields": tuple(
                        "password_state" if field == "password" else field
                        for field in options["fields"]
                    ),
                },
            )
            for name, options in fieldsets
        )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return (*readonly, "password_state")
        return readonly

    @admin.display(description=_("Password"))
    def password_state(self, user: User) -> str:
        return _("Set") if user.has_usable_password() else _("Not set")

    @admin.display(description=_("Directory roles"))
    def roles(self, user: User) -> str:
        # Reads the prefetched assignments: no query per row.
        return ", ".join(
            str(assignment.get_role_display()) for assignment in user.role_assignments.all()
        )


# ------------------------------------------------------------------ sign-in sessions
class ActiveSessionFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return (("yes", _("Active")), ("no", _("Ended")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.active()
        if self.value() == "no":
            return queryset.exclude(pk__in=SignInSession.objects.active().values("pk"))
        return queryset


@admin.register(SignInSession)
class SignInSessionAdmin(FilterLookupsOnly, admin.ModelAdmin):
    # The row keeps no session key (a bearer secret), only a keyed hash, and shows neither.
    fields = (
        "user",
        "tenant",
        "portal",
        "method",
        "signed_in_at",
        "ended_at",
        "end_reason",
        "ip_address",
        "user_agent",
    )
    readonly_fields = fields
    list_display = ("user", "tenant", "portal", "signed_in_at", "state")
    list_filter = ("portal", ActiveSessionFilter, TenantDomainFilter)
    list_select_related = ("user", "tenant")
    search_fields = ("user__email",)
    actions = ["end_sessions"]
    paginator = CappedCountPaginator
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # rows are the sign-in history; ending a session is the action below

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The change permission allows ending sessions; a single row is never edited.
        return obj is None and super().has_change_permission(request)

    @admin.display(description=_("state"))
    def state(self, row: SignInSession) -> str:
        if row.is_active:
            return _("Active")
        # No reason yet: past its lifetime, waiting for `expire_sessions` to record the expiry.
        return row.get_end_reason_display() or SignInSession.EndReason.EXPIRED.label

    @admin.action(description=_("End selected sessions…"), permissions=["change"])
    def end_sessions(self, request: HttpRequest, queryset: QuerySet):
        """First a page that says what ending touches and asks why; then the end."""
        rows = list(queryset.select_related("user", "tenant"))
        confirming = "confirm" in request.POST
        form = EndSessionsForm(request.POST if confirming else None)
        if not confirming or not form.is_valid():
            return confirm_ending(
                request,
                self,
                rows,
                form,
                title=_("End these sessions?"),
                action=request.POST.get("action"),
                selected=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                cancel_url=reverse("admin:accounts_signinsession_changelist"),
            )
        reason = form.cleaned_data["reason"]
        ended, done = 0, set()
        for row in rows:
            if row.sid and row.sid in done:
                ended += 1  # ended with another selected session of the same sign-in
                continue
            if end_sign_in_session(row, SignInSession.EndReason.ENDED_BY_SUPPORT):
                done.add(row.sid)
                ended += 1
                self.log_change(request, row, ended_by_support(reason))
                logger.info(
                    "sign_in_session_ended sign_in_session=%s account=%s by=%s",
                    row.pk,
                    row.user_id,
                    request.user.pk,
                )
        skipped = len(rows) - ended
        if ended:
            self.message_user(
                request,
                ngettext(
                    "Ended %(count)d session, with the directory session and every portal "
                    "session of its sign-in: that browser is signed out now.",
                    "Ended %(count)d sessions, with the directory session and every portal "
                    "session of their sign-ins: those browsers are signed out now.",
                    ended,
                )
                % {"count": ended},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d session had already ended and was left as it was.",
                    "%(count)d sessions had already ended and were left as they were.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
        return None


# ------------------------------------------------------------------ the provider's own tables
# Codes, tokens and the portals' client belong to the directory's protocol, not to support:
# they are kept out of the console (their rows are credentials, and the client is registered
# from the portal URLs at start-up).
for provider_model in (
    get_application_model(),
    get_access_token_model(),
    get_grant_model(),
    get_id_token_model(),
    get_refresh_token_model(),
):
    if admin.site.is_registered(provider_model):
        admin.site.unregister(provider_model)
