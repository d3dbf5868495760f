"""Defender Settings pages: the areas, Identities, and the Portal redirection page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from accounts.models import Portal, Tenant, client_ip
from accounts.roles import (
    changes_portal_redirection,
    redirection_change_refused,
    views_settings,
)
from accounts.session_keys import TENANT_ID, session_roles
from settings_ui.feedback import feedback_url
from settings_ui.forms import (
    OFF,
    ON,
    ROLLOUT_FORMS,
    SCHEDULE_HINT,
    PreviewForm,
    RedirectionChangeForm,
    ScheduleForm,
    ScopeForm,
    rollout_form_name,
    submit_rollout_form,
)
from settings_ui.menus import ENDPOINTS_MENU, IDENTITIES_MENU, settings_menu_context
from settings_ui.models import (
    SWITCH_STATES,
    ChangeKind,
    ChangeSource,
    Feedback,
    PortalRedirection,
    RedirectionChange,
)
from settings_ui.rollout import Preview, preview, rollout_status
from settings_ui.routing_rule import RedirectionState
from settings_ui.services import (
    RedirectionResult,
    RedirectionUpdate,
    change_portal_redirection,
)
from settings_ui.workloads import DEFAULT, WORKLOADS, Workload, workload_named
from web.hosts import DEFENDER, urlconf_for

HISTORY_LENGTH = 5


@dataclass(frozen=True)
class SettingsArea:
    name: str
    about: str
    url_name: str | None = None  # None: an area this product does not replicate


# The areas a real Defender Settings page lists, in its order; only Identities exists here.
SETTINGS_AREAS = (
    SettingsArea(
        _("Microsoft 365 Defender"),
        _("Preview features, email notifications, alert service settings"),
    ),
    SettingsArea(
        _("Endpoints"),
        _("Portal redirection, device management, rules, permissions, APIs"),
        "settings_ui:endpoints",
    ),
    SettingsArea(
        _("Email & collaboration"), _("Policies and rules, quarantine, user reported settings")
    ),
    SettingsArea(
        _("Identities"),
        _("Portal redirection, sensors, health issues, about"),
        "settings_ui:identities",
    ),
    SettingsArea(_("Cloud apps"), _("Connected apps, policies, information protection")),
    SettingsArea(_("Device discovery"), _("Discovery setup, authenticated scans, exclusions")),
)

JSON = "application/json"

STATE_SAID = {True: _("Automatic redirection is On."), False: _("Automatic redirection is Off.")}
ROLLOUT_SAID = {
    "scope": _("Rollout scope saved."),
    "schedule": _("Schedule saved."),
    "cancel_schedule": _("Schedule cancelled."),
}
NOTHING_CHANGED = _("That is how it already was. Nothing changed.")
STATE_UNCHANGED = {
    True: _("Automatic redirection was already On. Nothing changed."),
    False: _("Automatic redirection was already Off. Nothing changed."),
}


# ------------------------------------------------------------------ the tenant admin context
@dataclass(frozen=True)
class SettingsAccess:
    """What the signed-in account may do in its own (home) tenant's settings."""

    tenant: Tenant | None
    can_view: bool
    can_change: bool


def settings_access(request: HttpRequest) -> SettingsAccess:
    """What the signed-in account may do, from the roles its sign-in stored (no query).

    Roles count only in the account's home tenant: an admin elsewhere is nobody here. The one
    writer checks the database again before any change.
    """
    user = request.user
    tenant = user.tenant if getattr(user, "is_authenticated", False) else None
    session = getattr(request, "session", None)
    same_tenant = tenant is not None and session is not None and session.get(TENANT_ID) == tenant.pk
    roles = session_roles(session) if same_tenant else frozenset()
    return SettingsAccess(
        tenant=tenant,
        can_view=views_settings(roles),
        can_change=changes_portal_redirection(roles),
    )


def page_path(workload: str = DEFAULT) -> str:
    """A workload's Portal redirection page on the Defender portal, whichever host asks.

    Microsoft gives every workload's setting the same address; here Identity's keeps it bare
    and each other workload names itself in the query (?workload=endpoint).
    """
    path = reverse("settings_ui:portal_redirection", urlconf=urlconf_for(DEFENDER))
    return path if workload == DEFAULT else f"{path}?{urlencode({'workload': workload})}"


def current_setting(tenant: Tenant, now=None, workload: str = DEFAULT) -> PortalRedirection:
    """The tenant's row as in force now, read fresh (never created on a read).

    The cached reader serves the legacy portal's hot path; this page reads the row itself so
    it never contradicts a change just made through another worker. A scheduled change whose
    time has come is applied in memory (``reached_schedule`` lists it) and stored by the
    next write, so every reader shows the same switch without any job running.
    """
    row = (
        PortalRedirection.objects.select_related("updated_by", "scheduled_by")
        .filter(tenant=tenant, workload=workload)
        .first()
    ) or PortalRedirection(tenant=tenant, workload=workload)
    scheduled_by = row.scheduled_by
    row.reached_schedule = [
        RedirectionChange(
            tenant=tenant,
            workload=workload,
            kind=ChangeKind.SWITCH,
            old_value=not switching.enabled,
            new_value=switching.enabled,
            changed_at=switching.at,
            actor=scheduled_by,
            source=ChangeSource.SCHEDULE,
        )
        for switching in row.settle(now or timezone.now())
    ]
    return row


def pilot_emails(setting: PortalRedirection) -> list[str]:
    if setting.pk is None:
        return []
    return sorted(setting.pilot_accounts.values_list("user__email", flat=True))


def change_from_request(
    request: HttpRequest,
    tenant: Tenant,
    update: RedirectionUpdate,
    *,
    source: str,
    feedback: str = "",
    workload: str = DEFAULT,
) -> RedirectionResult:
    """Apply a change through the one writer; Off feedback is stored in the same transaction."""
    with transaction.atomic():
        result = change_portal_redirection(
            tenant,
            update,
            actor=request.user,
            source=source,
            ip_address=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
            workload=workload,
        )
        if feedback and update.enabled is False:
            Feedback.objects.create(
                tenant=tenant,
                user=request.user,
                portal=Portal.DEFENDER,
                workload=workload,
                category=Feedback.Category.REDIRECTION,
                message=feedback,
                from_path=page_path(workload),
            )
    return result


def no_access(request: HttpRequest, access: SettingsAccess, *, reason: str = "") -> HttpResponse:
    return render(
        request,
        "settings_ui/no_access.html",
        {"access": access, "reason": reason, "nav_section": "settings"},
        status=HTTPStatus.FORBIDDEN,
    )


def window_text(seconds: int) -> str:
    """'45 seconds', '10 minutes', '1 hour, 30 minutes'; empty for no window."""
    if seconds <= 0:
        return ""
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    now = timezone.now()
    return timesince(now - timedelta(seconds=seconds), now)


class TenantSettingsMixin:
    """Only viewers of their own tenant's settings get past dispatch; others see a 403 page.

    A page of a Settings area names its URL (``settings_url_name``) and its area's menu, for
    the two-pane layout and its breadcrumb.
    """

    nav_section = "settings"
    settings_menu = IDENTITIES_MENU
    settings_url_name: str | None = None

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.access = settings_access(request)
        if not self.access.can_view:
            return no_access(request, self.access)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(access=self.access, tenant=self.access.tenant, nav_section=self.nav_section)
        if self.settings_url_name:
            context.update(settings_menu_context(self.settings_menu, self.settings_url_name))
        return context


# ------------------------------------------------------------------ pages
class SettingsHomeView(TenantSettingsMixin, TemplateView):
    template_name = "settings_ui/settings_home.html"
    extra_context = {"areas": SETTINGS_AREAS}


class IdentitiesSettingsView(TenantSettingsMixin, TemplateView):
    template_name = "settings_ui/identities.html"
    settings_url_name = "settings_ui:identities"


class EndpointsSettingsView(TenantSettingsMixin, TemplateView):
    template_name = "settings_ui/endpoints.html"
    settings_menu = ENDPOINTS_MENU
    settings_url_name = "settings_ui:endpoints"


class PortalRedirectionView(TenantSettingsMixin, TemplateView):
    """One workload's switch: GET shows it (or, with ?turn=on|off, the confirm step); POST
    applies it. The workload is the query's ``workload`` (none: Identity), on every form too.
    """

    template_name = "settings_ui/portal_redirection.html"
    settings_url_name = "settings_ui:portal_redirection"
    confirm_template_name = "settings_ui/portal_redirection_confirm.html"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.workload = workload_named(request.GET.get("workload"))
        if self.workload is None:
            raise Http404("No such workload.")
        self.settings_menu = WORKLOADS[self.workload].settings_menu
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        turn = request.GET.get("turn")
        if turn in (ON, OFF):
            if not self.access.can_change:
                return self.refuse_change(request)
            form = RedirectionChangeForm(initial={"enabled": turn})
            return self.render_confirm(form, turning_on=turn == ON)
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The page's own script posts the same form here and asks for JSON: the history says
        # "Settings page" because this endpoint was called, never because a client said so.
        wants_json = request.get_preferred_type(["text/html", "application/json"]) == JSON
        if not self.access.can_change:
            return self.refuse_change(request, as_json=wants_json)
        action = request.POST.get("action", "switch")
        if action in ROLLOUT_FORMS:
            return self.change_rollout(request, action, wants_json=wants_json)
        form = RedirectionChangeForm(request.POST)
        if not form.is_valid():
            if wants_json:
                message = " ".join(
                    str(error) for errors in form.errors.values() for error in errors
                )
                return JsonResponse({"error": message}, status=HTTPStatus.BAD_REQUEST)
            return self.render_confirm(
                form, turning_on=request.POST.get("enabled") == ON, status=HTTPStatus.BAD_REQUEST
            )
        enabled = form.cleaned_data["enabled"]
        try:
            result = change_from_request(
                request,
                self.access.tenant,
                RedirectionUpdate(enabled=enabled),
                source=ChangeSource.WEB,
                feedback=form.feedback_text,
                workload=self.workload,
            )
        except PermissionDenied:  # the role was taken away after this sign-in
            return self.refuse_change(request, as_json=wants_json)
        said = STATE_SAID[enabled] if result.changed else STATE_UNCHANGED[enabled]
        if wants_json:
            return JsonResponse({"enabled": result.setting.enabled, "message": str(said)})
        messages.success(request, said)
        return redirect(page_path(self.workload))

    def change_rollout(
        self, request: HttpRequest, action: str, *, wants_json: bool
    ) -> HttpResponse:
        """Scope, pilot group or schedule; bad input redisplays the page (or answers JSON, to
        the page's script) with the reason."""
        try:
            form, result = submit_rollout_form(
                action,
                request.POST,
                lambda update: change_from_request(
                    request,
                    self.access.tenant,
                    update,
                    source=ChangeSource.WEB,
                    workload=self.workload,
                ),
            )
        except PermissionDenied:  # the role was taken away after this sign-in
            return self.refuse_change(request, as_json=wants_json)
        said = ROLLOUT_SAID[action] if result and result.changed else NOTHING_CHANGED
        if wants_json:
            if result is None:
                message = " ".join(str(e) for errors in form.errors.values() for e in errors)
                return JsonResponse({"error": message}, status=HTTPStatus.BAD_REQUEST)
            return JsonResponse({"enabled": result.setting.enabled, "message": str(said)})
        if result is not None:
            messages.success(request, said)
            return redirect(page_path(self.workload))
        context = self.get_context_data(**{rollout_form_name(action): form})
        return render(self.request, self.template_name, context, status=HTTPStatus.BAD_REQUEST)

    def refuse_change(self, request: HttpRequest, *, as_json: bool = False) -> HttpResponse:
        if as_json:
            refused = redirection_change_refused(self.access.tenant)
            return JsonResponse({"error": str(refused)}, status=HTTPStatus.FORBIDDEN)
        return no_access(
            request, self.access, reason=redirection_change_refused(self.access.tenant)
        )

    def render_confirm(
        self, form: RedirectionChangeForm, *, turning_on: bool, status: int = HTTPStatus.OK
    ) -> HttpResponse:
        context = self.get_context_data(form=form, turning_on=turning_on, confirm_step=True)
        return render(self.request, self.confirm_template_name, context, status=status)

    def get_context_data(self, confirm_step: bool = False, **kwargs) -> dict:
        context = super().get_context_data(confirm_step=confirm_step, **kwargs)
        tenant = self.access.tenant
        setting = current_setting(tenant, workload=self.workload)
        context.update(
            setting=setting,
            workload=WORKLOADS[self.workload],
            page_url=page_path(self.workload),
            workloads=[
                (WORKLOADS[workload], page_path(workload), workload == self.workload)
                for workload in Workload
            ],
        )
        if confirm_step:
            return context
        now = timezone.now()
        stored = RedirectionChange.objects.filter(
            tenant=tenant, workload=self.workload
        ).select_related("actor")
        history = sorted(
            [*setting.reached_schedule, *stored[:HISTORY_LENGTH]],
            key=lambda change: change.changed_at,
            reverse=True,
        )
        pilot = pilot_emails(setting)
        state = setting.as_state()
        context.setdefault(
            "scope_form",
            ScopeForm(initial={"scope": setting.scope, "pilot_accounts": ", ".join(pilot)}),
        )
        context.setdefault(
            "schedule_form",
            ScheduleForm(
                initial={
                    "scheduled_on_at": setting.scheduled_on_at,
                    "scheduled_off_at": setting.scheduled_off_at,
                }
            ),
        )
        context.update(
            history=history[:HISTORY_LENGTH],
            pilot=pilot,
            schedule=self.schedule(setting, now),
            rollout=rollout_status(
                tenant.pk,
                state,
                now=now,
                window_seconds=settings.REDIRECTION_PROPAGATION_SECONDS,
                workload=self.workload,
            ),
            preview=self.preview(tenant, state, now),
            propagation_window=window_text(settings.REDIRECTION_PROPAGATION_SECONDS),
            schedule_hint=SCHEDULE_HINT,
            change_refused=redirection_change_refused(tenant),
            on_label=SWITCH_STATES[True],
            off_label=SWITCH_STATES[False],
            feedback_url=feedback_url(page_path(self.workload)),
            page_path=page_path(self.workload),
        )
        return context

    @staticmethod
    def schedule(setting: PortalRedirection, now) -> list[dict]:
        """The pending scheduled changes, soonest first, each with the time left."""
        upcoming = [
            {"enabled": enabled, "at": at, "left": timeuntil(at, now)}
            for enabled, at in ((True, setting.scheduled_on_at), (False, setting.scheduled_off_at))
            if at is not None
        ]
        return sorted(upcoming, key=lambda change: change["at"])

    def preview(self, tenant: Tenant, state: RedirectionState, now) -> dict:
        """The "would be routed at next sign-in" answer for ?preview=<email>, if asked."""
        form = PreviewForm(self.request.GET if "preview" in self.request.GET else None)
        answer: Preview | None = None
        if form.is_valid():
            answer = preview(
                tenant,
                state,
                form.cleaned_data["preview"],
                now=now,
                window_seconds=settings.REDIRECTION_PROPAGATION_SECONDS,
            )
        return {"form": form, "answer": answer}
