"""Both portals' alert lists: what a card or row shows, each tenant's own alerts, new ones."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.test import Client

from portal.alert_list import alert_page
from portal.forms import AlertFilterForm, LegacyAlertFilterForm
from portal.models import Alert
from tests.conftest import DEFENDER_HOST, LEGACY_HOST, sign_in
from tests.factories import AlertFactory, DeviceFactory, IdentityFactory, IncidentFactory

pytestmark = pytest.mark.django_db


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK, (path, response.status_code)
    return response.content.decode()


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="timeline-item.*?</li>', html, re.S)


def test_a_timeline_card_shows_what_the_alert_is(legacy_client, contoso, contoso_analyst):
    identity = IdentityFactory(tenant=contoso, display_name="Megan Bowen")
    device = DeviceFactory(tenant=contoso, name="CONTOSO-DC01")
    alert = AlertFactory(
        tenant=contoso,
        title="Suspected DCSync attack",
        category="Credential access",
        severity="high",
        status="resolved",
        suppressed=True,
        detected_at=datetime(2026, 3, 7, 9, 5, 30, tzinfo=UTC),
        identity=identity,
        device=device,
    )
    sign_in(legacy_client, contoso_analyst)
    (card,) = cards(page(legacy_client, "/timeline"))
    assert 'class="timeline-item severity-edge-high"' in card
    assert (
        '<time class="timeline-time" datetime="2026-03-07T09:05:30Z" '
        'title="Mar 7, 2026 09:05 UTC" data-local="day-hour">'
    ) in card
    assert '<span class="day">Mar 7</span> <span class="hour">09:05 UTC</span>' in card
    assert f'<a href="/securityAlert/{alert.pk}">Suspected DCSync attack</a>' in card
    assert f'<a href="/user/{identity.pk}">Megan Bowen</a>' in card
    assert f'<a href="/computer/{device.pk}">CONTOSO-DC01</a>' in card
    assert '<span class="badge severity-high">High</span>' in card
    assert '<span class="status status-suppressed">Suppressed</span>' in card
    assert '<span class="muted">Credential access</span>' in card


def test_a_card_without_account_or_device_names_neither(legacy_client, contoso, contoso_analyst):
    AlertFactory(tenant=contoso, identity=None, device=None)
    sign_in(legacy_client, contoso_analyst)
    (card,) = cards(page(legacy_client, "/timeline"))
    assert "/user/" not in card and "/computer/" not in card and " on " not in card


def test_a_queue_row_shows_its_incident_status_and_time(defender_client, contoso, contoso_admin):
    incident = IncidentFactory(tenant=contoso, title="Persistence on a domain controller")
    AlertFactory(
        tenant=contoso,
        incident=incident,
        status="in_progress",
        severity="low",
        detected_at=datetime(2026, 12, 24, 23, 59, tzinfo=UTC),
    )
    sign_in(defender_client, contoso_admin)
    html = page(defender_client, "/alerts")
    assert '<span class="muted small">Persistence on a domain controller</span>' in html
    assert '<span class="badge severity-low">Low</span>' in html
    assert '<span class="status status-in_progress">In progress</span>' in html
    assert (
        '<time datetime="2026-12-24T23:59:00Z" title="Dec 24, 2026 23:59 UTC" '
        'data-local="datetime">Dec 24, 2026 23:59 UTC</time>'
    ) in html


@pytest.mark.parametrize("host", [LEGACY_HOST, DEFENDER_HOST])
def test_each_tenant_sees_only_its_own_alerts_whoever_looked_first(
    host, contoso, fabrikam, contoso_admin, fabrikam_admin
):
    AlertFactory.create_batch(3, tenant=contoso, title="Contoso alert", severity="high")
    AlertFactory.create_batch(2, tenant=fabrikam, title="Fabrikam alert", severity="high")
    path = "/timeline?severity=high" if host == LEGACY_HOST else "/alerts?severity=high"
    for account, mine, theirs, count in (
        (contoso_admin, "Contoso alert", "Fabrikam alert", 3),
        (fabrikam_admin, "Fabrikam alert", "Contoso alert", 2),
        (contoso_admin, "Contoso alert", "Fabrikam alert", 3),
    ):
        browser = Client(HTTP_HOST=host)
        sign_in(browser, account)
        html = page(browser, path)
        assert html.count(mine) == count and theirs not in html
        assert re.search(rf">{count} (security )?alerts</p>", html)


def test_a_new_alert_is_listed_at_the_next_request(legacy_client, contoso, contoso_analyst):
    AlertFactory.create_batch(12, tenant=contoso)
    sign_in(legacy_client, contoso_analyst)
    assert "Showing the latest 10 of 12 security alerts" in page(legacy_client, "/timeline")
    newest = AlertFactory(tenant=contoso, title="Honeytoken account used")
    html = page(legacy_client, "/timeline")
    assert "Showing the latest 10 of 13 security alerts" in html
    assert f'href="/securityAlert/{newest.pk}">Honeytoken account used</a>' in cards(html)[0]


@pytest.mark.parametrize(
    ("form_class", "data"),
    [
        *(
            (LegacyAlertFilterForm, {"status": status, "severity": severity})
            for status, severity in itertools.product(
                ["", "open", "closed", "suppressed", "nonsense"], ["", "high", "low"]
            )
        ),
        (AlertFilterForm, {}),
        (AlertFilterForm, {"status": ["new", "in_progress"], "severity": "medium"}),
        (AlertFilterForm, {"status": ["resolved"]}),
    ],
)
def test_the_list_is_the_filtered_querysets_first_rows_and_count(
    contoso, fabrikam, form_class, data
):
    for status, suppressed, severity in itertools.product(
        ["new", "in_progress", "resolved"], [False, True], ["high", "medium", "low"]
    ):
        AlertFactory(tenant=contoso, status=status, suppressed=suppressed, severity=severity)
    AlertFactory(tenant=contoso, identity=None, device=None, status="new")
    AlertFactory.create_batch(3, tenant=fabrikam)
    form = form_class(data)
    expected = form.filter(Alert.objects.for_tenant(contoso.pk))
    for shown in (10, 20):
        rows, count = alert_page(expected, shown)
        assert count == expected.count()
        assert [row.pk for row in rows] == [alert.pk for alert in expected[:shown]]
        for row, alert in zip(rows, expected, strict=False):
            assert row.detected_at == alert.detected_at
            assert row.legacy_status == alert.legacy_status
            assert (row.identity_id, row.device_id) == (alert.identity_id, alert.device_id)
