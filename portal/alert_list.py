"""The portals' alert lists (the legacy timeline, the Defender and Security Center queues), as
plain rows.

A list shows ten to a hundred alerts and how many match in all. The rows come back as plain
values: the page reads nothing else of an alert, its account or its device. Building the two
statements through the ORM costs several times what the database takes to answer them, so
each pair (tenant, filters, length) is built once per process, by the ORM from the same
queryset as ever, and after that only executed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import NamedTuple

from django.db import connections, router
from django.db.models import QuerySet

from portal.models import (
    Alert,
    AlertStatus,
    DetectionSource,
    LegacyAlertStatus,
    Severity,
    legacy_status_of,
)
from web.db_values import converters

# Statements kept per process: each is a few hundred bytes; a miss costs one build.
STATEMENTS_KEPT = 1024

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


class Statement(NamedTuple):
    rows_sql: str
    rows_params: tuple
    # Each column's expression, for the ORM's own conversion of what the database returns
    # (SQLite's times and booleans, for two).
    columns: tuple
    count_sql: str
    count_params: tuple


_statements: dict[Hashable, Statement] = {}


def _sql(queryset: QuerySet, alias: str) -> tuple[str, tuple, object]:
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    return sql, tuple(params), compiler


def _build(rows: QuerySet, shown: int, alias: str) -> Statement:
    rows_sql, rows_params, compiler = _sql(rows.values_list(*COLUMNS)[:shown], alias)
    columns = tuple(selected[0] for selected in compiler.select[: compiler.col_count])
    # Two plain statements answer sooner than one with a window count: the count needs no
    # join, and the rows stop at the limit.
    matching_sql, count_params, _ = _sql(rows.order_by().values("pk"), alias)
    count_sql = f"SELECT COUNT(*) FROM ({matching_sql}) matching"  # noqa: S608 (built by the ORM)
    return Statement(rows_sql, rows_params, columns, count_sql, count_params)


def _converted(found: list, columns: tuple, connection) -> list:
    for position, column in enumerate(columns):
        column_converters = converters(column, connection)
        if column_converters:
            for values in found:
                value = values[position]
                for convert in column_converters:
                    value = convert(value, column, connection)
                values[position] = value
    return found


def alert_page(
    key: Hashable, rows: Callable[[], QuerySet], shown: int
) -> tuple[list[AlertRow], int]:
    """The first ``shown`` alerts of ``rows()`` and how many there are in all.

    ``key`` names the list exactly (tenant and filters): the same key must always mean the
    same queryset. ``rows`` is only called to build a statement not built yet.
    """
    alias = router.db_for_read(Alert)
    full_key = (alias, key, shown)
    statement = _statements.get(full_key)
    if statement is None:
        statement = _build(rows(), shown, alias)
        if len(_statements) >= STATEMENTS_KEPT:
            _statements.pop(next(iter(_statements), None), None)
        _statements[full_key] = statement
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(statement.rows_sql, statement.rows_params)
        found = [list(values) for values in cursor.fetchall()]
        cursor.execute(statement.count_sql, statement.count_params)
        (matching,) = cursor.fetchone()
    alerts = [AlertRow(*values) for values in _converted(found, statement.columns, connection)]
    return alerts, matching
