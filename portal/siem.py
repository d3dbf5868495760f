"""The Security Center's SIEM API: a tenant's endpoint alerts for its SIEM tool, and the links
that lead from an alert to the portals.

`GET /api/alerts` answers a bearer access token the directory issued to a SIEM integration's
application (client credentials grant, scope `alerts.read`), checked by django-oauth-toolkit
as a resource server. The fields are those of Microsoft's SIEM API for Defender for Endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from oauth2_provider.views.generic import ScopedProtectedResourceView
from oauth2_provider.views.mixins import ProtectedResourceMetadataMixin

from directory.scopes import ALERTS_READ
from portal.former_portals import redirection_in_force
from portal.models import Alert, AlertStatus, ServiceSource, SiemIntegration
from settings_ui.workloads import Workload
from web.hosts import DEFENDER, ENDPOINT, page_url

# How the SIEM API spells each status.
SIEM_STATUS = {
    AlertStatus.NEW: "New",
    AlertStatus.IN_PROGRESS: "InProgress",
    AlertStatus.RESOLVED: "Resolved",
}
MAX_ALERTS = 1000


@dataclass(frozen=True)
class AlertLinks:
    """Where an alert and its incident open: in the Security Center and in the Defender portal."""

    alert_in_security_center: str
    incident_in_security_center: str | None
    alert_in_defender: str
    incident_in_defender: str | None


def alert_links(alert: Alert, redirected: bool) -> AlertLinks:
    """The links every message about an alert carries (the SIEM API, e-mail notifications).

    ``redirected``: the tenant's Endpoint redirection is On, so the Security Center's own
    links lead to the Defender portal too, where its accounts are routed anyway.
    """
    in_defender = page_url(DEFENDER, "defender:alert", alert_id=alert.pk)
    incident_in_defender = (
        page_url(DEFENDER, "defender:incidents", fragment=f"incident-{alert.incident_id}")
        if alert.incident_id is not None
        else None
    )
    if redirected:
        return AlertLinks(in_defender, incident_in_defender, in_defender, incident_in_defender)
    return AlertLinks(
        alert_in_security_center=page_url(ENDPOINT, "endpoint:alert", alert_id=alert.pk),
        incident_in_security_center=(
            page_url(ENDPOINT, "endpoint:incidents", fragment=f"incident-{alert.incident_id}")
            if alert.incident_id is not None
            else None
        ),
        alert_in_defender=in_defender,
        incident_in_defender=incident_in_defender,
    )


def _utc(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def siem_alert(alert: Alert, links: AlertLinks) -> dict:
    """One alert as the SIEM API spells it."""
    device, identity = alert.device, alert.identity
    return {
        "AlertId": str(alert.pk),
        "Title": alert.title,
        "Description": alert.description,
        "Severity": alert.get_severity_display(),
        "Category": alert.category,
        "Status": SIEM_STATUS.get(alert.status, alert.status),
        "Source": alert.get_detection_source_display(),
        "MachineId": str(device.pk) if device else None,
        "MachineName": device.name if device else None,
        "ComputerDnsName": device.dns_name if device else None,
        "InternalIPv4List": device.ip_address if device else None,
        "UserName": identity.account_name if identity else None,
        "UserDomain": identity.upn.partition("@")[2] or None if identity else None,
        "IncidentId": alert.incident_id,
        "CreatedTime": _utc(alert.detected_at),
        "LastProcessedTimeUtc": _utc(alert.updated_at),
        "LinkToWDATP": links.alert_in_security_center,
        "IncidentLinkToWDATP": links.incident_in_security_center,
        "LinkToMTP": links.alert_in_defender,
        "IncidentLinkToMTP": links.incident_in_defender,
    }


class AlertsQuery(forms.Form):
    """The API's query parameters, in the SIEM API's names."""

    sinceTimeUtc = forms.DateTimeField(required=False)
    untilTimeUtc = forms.DateTimeField(required=False)
    limit = forms.IntegerField(required=False, min_value=1, max_value=MAX_ALERTS)

    def filter(self, rows: QuerySet) -> QuerySet:
        since, until = self.cleaned_data["sinceTimeUtc"], self.cleaned_data["untilTimeUtc"]
        if since is not None:
            rows = rows.filter(updated_at__gte=since)
        if until is not None:
            rows = rows.filter(updated_at__lte=until)
        return rows[: self.cleaned_data["limit"] or MAX_ALERTS]


@method_decorator([login_not_required, never_cache], name="dispatch")
class AlertsView(ProtectedResourceMetadataMixin, ScopedProtectedResourceView):
    """`GET /api/alerts`: the endpoint alerts of the tenant whose SIEM integration holds the
    token, oldest change first. 401 without a valid token, 403 without the scope or for a
    token of any other application."""

    required_scopes = [ALERTS_READ]
    www_authenticate_realm = "Security Center"

    def verify_request(self, request: HttpRequest):
        valid, oauthlib_request = super().verify_request(request)
        if valid:
            # A client credentials token has no resource owner: the application is the caller.
            request.access_token = oauthlib_request.access_token
        return valid, oauthlib_request

    def get(self, request: HttpRequest) -> JsonResponse:
        integration = (
            SiemIntegration.objects.select_related("tenant")
            .filter(application_id=request.access_token.application_id)
            .first()
        )
        if integration is None:
            return JsonResponse(
                {"error": "This application is not a SIEM integration of any organization."},
                status=HTTPStatus.FORBIDDEN,
            )
        query = AlertsQuery(request.GET)
        if not query.is_valid():
            return JsonResponse(
                {"error": "Bad query parameters.", "fields": query.errors.get_json_data()},
                status=HTTPStatus.BAD_REQUEST,
            )
        tenant_id = integration.tenant_id
        redirected = redirection_in_force(tenant_id, Workload.ENDPOINT)
        alerts = query.filter(
            Alert.objects.for_tenant(tenant_id)
            .filter(service_source=ServiceSource.ENDPOINT)
            .select_related("device", "identity")
            .order_by("updated_at", "pk")
        )
        body = [siem_alert(alert, alert_links(alert, redirected)) for alert in alerts]
        return JsonResponse(body, safe=False)
