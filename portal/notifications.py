"""Alert e-mail notifications: a new endpoint alert, told to its organization's administrators.

Sent through Django's e-mail framework (EMAIL_BACKEND: by default a file per message under
EMAIL_FILE_PATH). The links in a message are the same as the SIEM API's (portal.siem).
"""

from __future__ import annotations

import logging
from datetime import UTC

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.formats import date_format

from accounts.models import User
from accounts.roles import ALERT_NOTIFICATION_RECIPIENTS
from portal.former_portals import redirection_in_force
from portal.models import Alert
from portal.siem import alert_links
from settings_ui.workloads import Workload

logger = logging.getLogger("portal.notifications")

PRODUCT = "Microsoft Defender for Endpoint"


def notification_recipients(tenant_id: int) -> list[str]:
    """The emails of the organization's active Global and Security Administrators."""
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__tenant_id=tenant_id,
            role_assignments__role__in=ALERT_NOTIFICATION_RECIPIENTS,
        )
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def alert_notification(alert: Alert, recipients: list[str], redirected: bool) -> EmailMessage:
    """The message telling ``recipients`` of ``alert``, with the links of alert_links()."""
    links = alert_links(alert, redirected)
    device = alert.device.name if alert.device else "an unknown device"
    severity = alert.get_severity_display()
    lines = [
        f"{PRODUCT} raised a {severity.lower()}-severity alert on {device}.",
        "",
        f"Alert: {alert.title}",
        f"Severity: {severity}",
        f"Category: {alert.category}",
        f"Detection source: {alert.get_detection_source_display()}",
        f"Device: {device}",
    ]
    if alert.identity:
        lines.append(f"User: {alert.identity.upn}")
    lines += [
        f"First activity: {date_format(alert.detected_at.astimezone(UTC), 'DATETIME_FORMAT')} UTC",
        "",
        f"Open the alert: {links.alert_in_security_center}",
    ]
    if links.incident_in_security_center:
        lines.append(f"Open its incident: {links.incident_in_security_center}")
    if not redirected:
        lines.append(f"Open it in the Microsoft 365 Defender portal: {links.alert_in_defender}")
    lines += [
        "",
        "You receive this message as an administrator of your organization's security tools.",
    ]
    return EmailMessage(
        subject=f"[{PRODUCT}] {severity}-severity alert on {device}: {alert.title}",
        body="\n".join(lines) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )


def notify_of_alert(alert: Alert) -> int:
    """Send the alert's notification, one message per recipient; how many were sent."""
    recipients = notification_recipients(alert.tenant_id)
    if not recipients:
        return 0
    redirected = redirection_in_force(alert.tenant_id, Workload.ENDPOINT)
    sent = 0
    # A message each: no administrator sees who else was told.
    for recipient in recipients:
        sent += alert_notification(alert, [recipient], redirected).send()
    logger.info("alert_notification alert=%s tenant=%s sent=%s", alert.pk, alert.tenant_id, sent)
    return sent
