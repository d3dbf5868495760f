"""The portals' alert lists (the legacy timeline, the Defender and Security Center queues), as
plain rows.

A list shows ten to a hundred alerts and how many match in all. The rows come back as plain
values: the page reads nothing else of an alert, its account or its device, and building a
model instance per card cost more than reading it.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.db.models import QuerySet

from portal.models import (
    AlertStatus,
    DetectionSource,
    LegacyAlertStatus,
    Severity,
    legacy_status_of,
)

SEVERITY_LABELS = dict(Severity.choices)
STATUS_LABELS = dict(AlertStatus.choices)
DETECTION_SOURCE_LABELS = dict(DetectionSource.choices)


class AlertRow(NamedTuple):
    """One alert of a list, with the names of its account, device and incident."""

    pk: int
    title: str
    category: str
    severity: str
    status: str
    suppressed: bool
    detected_at: datetime
    identity_id: int | None
    identity_name: str | None
    device_id: int | None
    device_name: str | None
    incident_title: str | None
    detection_source: str

    @property
    def severity_label(self) -> str:
        return str(SEVERITY_LABELS.get(self.severity, self.severity))

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def detection_source_label(self) -> str:
        return str(DETECTION_SOURCE_LABELS.get(self.detection_source, self.detection_source))

    @property
    def legacy_status(self) -> LegacyAlertStatus:
        return legacy_status_of(self.status, self.suppressed)


COLUMNS = (
    "pk",
    "title",
    "category",
    "severity",
    "status",
    "suppressed",
    "detected_at",
    "identity_id",
    "identity__display_name",
    "device_id",
    "device__name",
    "incident__title",
    "detection_source",
)


def alert_page(alerts: QuerySet, shown: int) -> tuple[list[AlertRow], int]:
    """The first ``shown`` of ``alerts`` and how many there are in all."""
    rows = [AlertRow(*values) for values in alerts.values_list(*COLUMNS)[:shown]]
    # Counted without the ordering, which the count does not need.
    return rows, alerts.order_by().count()
