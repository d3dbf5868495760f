"""The support console's directory pages: paused sign-ins (django-axes' records, with their true
figures, and lifting) and the clients' back-channel logout URIs."""

from __future__ import annotations

import logging

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from directory.models import BackChannelLogout, SignInPause
from directory.throttling import counted_since, lift_pause, recent_failures, throttle_for
from web.admin_lookups import FilterLookupsOnly

logger = logging.getLogger("accounts.support")

# Successful sign-ins are SignInSession rows and failures stay in AccessAttempt
# (AXES_DISABLE_ACCESS_LOG; the failure log is off): these two lists would stay empty.
for model in (AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(SignInPause)
class SignInPauseAdmin(FilterLookupsOnly, admin.ModelAdmin):
    """One row per account + address (+ browser) with failures; support lifts pauses here.

    Listed under the directory as "Sign-in pauses", the lockout page's own word. Who may see
    and lift them is still decided by django-axes' permissions, which the Support group holds.
    """

    list_display = ("attempt_time", "username", "ip_address", "failures_since_start", "state")
    list_filter = ("attempt_time",)
    search_fields = ("username", "ip_address")
    date_hierarchy = "attempt_time"
    fields = ("username", "ip_address", "user_agent", "path_info", "failures_since_start")
    readonly_fields = fields
    actions = ["lift_pauses"]
    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_module_perms(AccessAttempt._meta.app_label)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._may(request, "view") or self._may(request, "change")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # forgetting failures is lifting a pause: the audited action below

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # The change permission allows lifting pauses; a record is never edited.
        return obj is None and self._may(request, "change")

    @staticmethod
    def _may(request: HttpRequest, action: str) -> bool:
        opts = AccessAttempt._meta
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")

    def get_changelist_instance(self, request: HttpRequest):
        changelist = super().get_changelist_instance(request)
        page = list(changelist.result_list)
        failures = recent_failures(row.ip_address for row in page)  # one query for the page
        since = counted_since()
        for row in page:
            row.throttle = (
                throttle_for(failures, row.username, row.ip_address)
                if row.attempt_time >= since
                else None
            )
        return changelist

    @admin.display(description=_("state"))
    def state(self, row: SignInPause) -> str:
        throttle = getattr(row, "throttle", None)
        if throttle is None:
            return _("Expired: no longer counted")
        if throttle.is_paused:
            return _("Paused until %(time)s") % {
                "time": formats.date_format(
                    timezone.localtime(throttle.paused_until), "DATETIME_FORMAT"
                )
            }
        return ngettext(
            "Not paused: %(count)d more failure pauses it",
            "Not paused: %(count)d more failures pause it",
            throttle.failures_left,
        ) % {"count": throttle.failures_left}

    @admin.action(description=_("Lift the sign-in pause"), permissions=["change"])
    def lift_pauses(self, request: HttpRequest, queryset: QuerySet) -> None:
        pairs = sorted(set(queryset.values_list("username", "ip_address")), key=str)
        accounts = {
            user.email: user for user in User.objects.filter(email__in=[p[0] for p in pairs])
        }
        for username, ip_address in pairs:
            lift_pause(username, ip_address)
            account = accounts.get(username)
            if account is not None:
                # In the account's own history, where support and admins look for it.
                self.log_change(
                    request, account, f"Lifted the sign-in pause from address {ip_address}."
                )
            logger.info(
                "sign_in_pause_lifted account=%s address=%s by=%s",
                account.pk if account else None,
                ip_address,
                request.user.pk,
            )
        self.message_user(
            request,
            ngettext(
                "Lifted %(count)d sign-in pause: that account may sign in again at once.",
                "Lifted %(count)d sign-in pauses: those accounts may sign in again at once.",
                len(pairs),
            )
            % {"count": len(pairs)},
            messages.SUCCESS,
        )


@admin.register(BackChannelLogout)
class BackChannelLogoutAdmin(FilterLookupsOnly, admin.ModelAdmin):
    """Where a client registered in the directory is told that a sign-in has ended."""

    list_display = ("application", "uri")
    fields = ("application", "uri")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ("application__name", "application__client_id", "uri")
    show_full_result_count = False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "application":
            # The portals' own client ends its sessions directly, through the shared database.
            kwargs["queryset"] = db_field.related_model.objects.exclude(
                client_id=settings.OIDC_CLIENT_ID
            ).order_by("name")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
