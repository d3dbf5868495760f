"""JSON API /api/v1/portal-redirection: read (GET) and change (PUT, PATCH) the switch.

Session authentication. Every refusal is JSON with an ``error`` and changes nothing:
401 anonymous, 403 missing role or CSRF token, 400 bad body or refused value, 405 other
methods. A write names any of: ``enabled`` (true|false; turning Off may add ``feedback``, a
string of at most 2000 characters stored as feedback from the settings page), ``scope``
("everyone" | "pilot"), ``pilot_accounts`` (the whole group, a list of emails),
``scheduled_on_at`` / ``scheduled_off_at`` (ISO 8601, read as UTC without an offset; null
cancels). Fields left out stay as they are, so PUT and PATCH are the same. The query's
``workload`` (identity | endpoint) names the switch; without it, Identity's. The body is
read here; its values are checked by the same form as the settings page's (forms.py).
"""

from __future__ import annotations

import json
from datetime import datetime
from http import HTTPStatus

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Tenant
from accounts.roles import redirection_change_refused
from settings_ui.forms import OFF, ON, RedirectionForm
from settings_ui.models import ChangeSource, PortalRedirection
from settings_ui.services import InvalidChange
from settings_ui.views import (
    change_from_request,
    current_setting,
    pilot_emails,
    settings_access,
)
from settings_ui.workloads import Workload, workload_named

FIELDS = tuple(RedirectionForm.base_fields)
# Room for the longest change: 2,000 characters of feedback written as escaped surrogate
# pairs (12 bytes a character) and a pilot group of a few hundred emails.
MAX_BODY_BYTES = 64 * 1024
TOO_LARGE = _("The request body is larger than 64 KB.")


class BodyRefused(ValueError):
    """A body that is not a JSON object of FIELDS; the message is shown as is."""


def error(message: str, status: HTTPStatus) -> JsonResponse:
    return JsonResponse({"error": str(message)}, status=status)


def redirection_json(tenant: Tenant, setting: PortalRedirection) -> dict:
    return {
        "tenant": tenant.domain,
        "workload": setting.workload,
        "enabled": setting.enabled,
        "enabled_at": _iso(setting.enabled_at),
        "updated_at": _iso(setting.updated_at),
        "updated_by": setting.updated_by.email if setting.updated_by_id else None,
        "scope": setting.scope,
        "pilot_accounts": pilot_emails(setting),
        "scheduled_on_at": _iso(setting.scheduled_on_at),
        "scheduled_off_at": _iso(setting.scheduled_off_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


class _CsrfCheck(CsrfViewMiddleware):
    """Django's own CSRF check, answering the reason instead of an HTML page."""

    def _reject(self, request, reason):
        return reason


def csrf_failure(request: HttpRequest) -> str | None:
    check = _CsrfCheck(lambda _request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


# The CSRF check runs inside the view (same rules as the middleware) so that its refusal is
# JSON like every other one, and comes after the 401 an anonymous caller deserves.
@method_decorator([login_not_required, csrf_exempt, never_cache], name="dispatch")
class PortalRedirectionAPI(View):
    http_method_names = ["get", "put", "patch", "head", "options"]

    def dispatch(self, request: HttpRequest, *args, **kwargs):
        if request.method.lower() not in self.http_method_names:
            return self.http_method_not_allowed(request)
        if not request.user.is_authenticated:
            return error(_("Sign in to use this API."), HTTPStatus.UNAUTHORIZED)
        if request.method in ("PUT", "PATCH"):
            reason = csrf_failure(request)
            if reason:
                return error(
                    _("CSRF check failed: %(reason)s") % {"reason": reason}, HTTPStatus.FORBIDDEN
                )
        self.workload = workload_named(request.GET.get("workload"))
        if self.workload is None:
            return error(
                _("Unknown workload. Allowed: %(workloads)s.")
                % {"workloads": ", ".join(Workload.values)},
                HTTPStatus.BAD_REQUEST,
            )
        self.access = settings_access(request)
        if not self.access.can_view:
            return error(
                _("You don't have access to this tenant's settings."), HTTPStatus.FORBIDDEN
            )
        return super().dispatch(request, *args, **kwargs)

    def http_method_not_allowed(self, request: HttpRequest, *args, **kwargs) -> JsonResponse:
        response = error(
            _("Method %(method)s is not allowed here.") % {"method": request.method},
            HTTPStatus.METHOD_NOT_ALLOWED,
        )
        response["Allow"] = ", ".join(self._allowed_methods())
        return response

    def get(self, request: HttpRequest) -> JsonResponse:
        tenant = self.access.tenant
        setting = current_setting(tenant, workload=self.workload)
        return JsonResponse(redirection_json(tenant, setting))

    def put(self, request: HttpRequest) -> JsonResponse:
        if not self.access.can_change:
            return error(redirection_change_refused(self.access.tenant), HTTPStatus.FORBIDDEN)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return error(TOO_LARGE, HTTPStatus.BAD_REQUEST)
        try:
            form = RedirectionForm(form_data(request.body))
        except BodyRefused as refusal:
            return error(str(refusal), HTTPStatus.BAD_REQUEST)
        if not form.is_valid():
            return error(form.refusal(), HTTPStatus.BAD_REQUEST)
        tenant = self.access.tenant
        try:
            result = change_from_request(
                request,
                tenant,
                form.update(),
                source=ChangeSource.API,
                feedback=form.feedback_text,
                workload=self.workload,
            )
        except PermissionDenied as refusal:
            return error(str(refusal), HTTPStatus.FORBIDDEN)
        except InvalidChange as refusal:
            return error(str(refusal), HTTPStatus.BAD_REQUEST)
        return JsonResponse(redirection_json(tenant, result.setting))

    # Fields left out stay as they are, so a partial update and a full one coincide.
    patch = put


def form_data(body: bytes) -> dict:
    """The JSON body as the form's data: true and false are the switch's On and Off."""
    if len(body) > MAX_BODY_BYTES:
        raise BodyRefused(str(TOO_LARGE))
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BodyRefused(str(_("The request body is not valid JSON."))) from None
    except RecursionError:
        # Thousands of nested brackets: valid JSON in principle, never a body of ours.
        raise BodyRefused(str(_("The request body is nested too deeply."))) from None
    if not isinstance(data, dict):
        raise BodyRefused(str(_('The request body must be a JSON object, like {"enabled": true}.')))
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise BodyRefused(
            str(_("Unknown field(s): %(fields)s. Allowed: %(allowed)s."))
            % {"fields": ", ".join(unknown), "allowed": ", ".join(FIELDS)}
        )
    if not set(data) - {"feedback"}:
        raise BodyRefused(str(_("Say what to change: %(fields)s.")) % {"fields": ", ".join(FIELDS)})
    if "enabled" in data:
        # Only JSON's own true and false: "on", 1 or null are refused by the form.
        enabled = data["enabled"]
        data["enabled"] = ON if enabled is True else OFF if enabled is False else repr(enabled)
    return data
