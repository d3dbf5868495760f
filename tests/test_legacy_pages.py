"""Legacy portal pages: real tenant data, links between them, filters, isolation, the banner."""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import DirectoryRole
from settings_ui.models import ChangeSource
from settings_ui.services import RedirectionUpdate, change_portal_redirection
from tests.conftest import LEGACY_HOST, sign_in
from tests.factories import (
    AlertFactory,
    DeviceFactory,
    EndpointAlertFactory,
    HealthIssueFactory,
    IdentityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


DEFENDER_URL = "http://security.localhost:8000"
BANNER_PROCESSOR = "portal.context_processors.redirection_banner"


@pytest.fixture
def analyst_client(legacy_client, contoso_analyst):
    sign_in(legacy_client, contoso_analyst)
    return legacy_client


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK, (path, response.status_code)
    return response.content.decode()


def test_timeline_is_the_landing_page_and_lists_the_tenants_alerts(
    analyst_client, contoso, fabrikam
):
    mine = AlertFactory(tenant=contoso, title="Suspected DCSync attack")
    AlertFactory(tenant=fabrikam, title="Fabrikam-only alert")
    for path in ("/", "/timeline"):
        html = page(analyst_client, path)
        assert "Security alerts timeline" in html
        assert f'href="/securityAlert/{mine.pk}"' in html
        assert f'href="/user/{mine.identity_id}"' in html
        assert f'href="/computer/{mine.device_id}"' in html
        assert "Fabrikam-only alert" not in html


def test_timeline_filters_by_status_and_severity_with_a_get_form(analyst_client, contoso):
    AlertFactory(tenant=contoso, title="High and new", severity="high", status="new")
    AlertFactory(tenant=contoso, title="High in progress", severity="high", status="in_progress")
    AlertFactory(tenant=contoso, title="Low and new", severity="low", status="new")
    AlertFactory(tenant=contoso, title="High but resolved", severity="high", status="resolved")
    html = page(analyst_client, "/timeline?status=open&severity=high")
    assert "High and new" in html
    assert "High in progress" in html
    assert "Low and new" not in html
    assert "High but resolved" not in html
    assert re.search(r'<form class="filters" method="get"', html)
    assert '<label for="id_status">Status</label>' in html
    assert '<label for="id_severity">Severity</label>' in html
    assert '<option value="high" selected>' in html
    assert "Clear filters" in html


def test_a_bad_filter_value_gets_a_message_and_filters_nothing(analyst_client, contoso):
    AlertFactory(tenant=contoso, title="Alert one", severity="high")
    AlertFactory(tenant=contoso, title="Alert two", severity="low")
    html = page(analyst_client, "/timeline?severity=catastrophic")
    assert "Choose a severity from the list." in html
    assert "Alert one" in html and "Alert two" in html


def test_alert_page_links_to_its_identity_and_device(analyst_client, contoso):
    alert = AlertFactory(tenant=contoso, title="Suspected Golden Ticket usage")
    html = page(analyst_client, f"/securityAlert/{alert.pk}")
    assert "<h1>Suspected Golden Ticket usage</h1>" in html
    assert f'href="/user/{alert.identity_id}"' in html
    assert f'href="/computer/{alert.device_id}"' in html


def test_identity_and_device_profiles_show_their_activities(analyst_client, contoso):
    identity = IdentityFactory(
        tenant=contoso, display_name="Joni Sherman", upn="joni@contoso.example"
    )
    device = DeviceFactory(tenant=contoso, name="CONTOSO-WS101")
    alert = AlertFactory(
        tenant=contoso, identity=identity, device=device, title="Honeytoken activity"
    )
    html = page(analyst_client, f"/user/{identity.pk}")
    assert "Joni Sherman" in html and "joni@contoso.example" in html
    assert f'href="/securityAlert/{alert.pk}"' in html
    assert f'href="/computer/{device.pk}"' in html
    html = page(analyst_client, f"/computer/{device.pk}")
    assert "CONTOSO-WS101" in html
    assert f'href="/securityAlert/{alert.pk}"' in html
    assert f'href="/user/{identity.pk}"' in html


@pytest.mark.parametrize("kind", ["securityAlert", "user", "computer"])
def test_another_tenants_object_is_not_found(analyst_client, fabrikam, kind):
    alert = AlertFactory(tenant=fabrikam)
    object_id = {"securityAlert": alert.pk, "user": alert.identity_id, "computer": alert.device_id}
    response = analyst_client.get(f"/{kind}/{object_id[kind]}")
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("path", ["/securityAlert/999999", "/securityAlert/" + "9" * 30, "/user/x"])
def test_unknown_or_absurd_ids_are_not_found(analyst_client, path):
    assert analyst_client.get(path).status_code == HTTPStatus.NOT_FOUND


def test_search_finds_identities_and_devices_of_the_tenant_only(analyst_client, contoso, fabrikam):
    IdentityFactory(tenant=contoso, display_name="Lidia Holloway")
    DeviceFactory(tenant=contoso, name="HOLLOWAY-LAPTOP")
    IdentityFactory(tenant=fabrikam, display_name="Lidia Hollowell")
    html = page(analyst_client, "/search?q=hollow")
    assert "Lidia Holloway" in html
    assert "HOLLOWAY-LAPTOP" in html
    assert "Lidia Hollowell" not in html
    assert "2 results for “hollow”" in html
    assert 'value="hollow"' in html


def test_empty_search_asks_for_text(analyst_client):
    html = page(analyst_client, "/search?q=%20%20")
    assert "Type part of a user name" in html


def test_health_center_lists_open_and_closed_issues(analyst_client, contoso, fabrikam):
    HealthIssueFactory(tenant=contoso, title="Sensor stopped communicating", status="open")
    HealthIssueFactory(tenant=contoso, title="Sensor outdated", status="closed")
    HealthIssueFactory(tenant=fabrikam, title="Fabrikam sensor issue")
    html = page(analyst_client, "/health")
    assert "Health center" in html
    assert "1 open, 1 closed" in html
    assert "Fabrikam sensor issue" not in html


def test_configuration_shows_read_only_sensor_and_directory_settings(analyst_client, contoso):
    dc = DeviceFactory(tenant=contoso, name="DC01", is_domain_controller=True)
    DeviceFactory(tenant=contoso, name="CONTOSO-WS001")
    HealthIssueFactory(tenant=contoso, sensor="DC01", status="open")
    html = page(analyst_client, "/configuration")
    assert "Directory services" in html
    assert "CONTOSO\\svc-mdi-dsa" in html
    assert f'<a href="/computer/{dc.pk}">DC01</a>' in html
    assert "Running with health issues" in html
    assert "CONTOSO-WS001" not in html, "only domain controllers carry sensors"
    assert "<form" not in html.split("<main", 1)[1], "read only: no form in the page body"


def test_about_page(analyst_client):
    html = page(analyst_client, "/about")
    assert "Microsoft Defender for Identity" in html
    assert "contosocorp" in html


def test_support_staff_without_a_tenant_get_a_plain_403(legacy_client):
    staff = UserFactory(tenant=None, is_staff=True)
    sign_in(legacy_client, staff)
    for path in ("/timeline", "/health", "/configuration", "/search?q=a"):
        response = legacy_client.get(path)
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert "No workspace to show" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/timeline",
        "/securityAlert/{alert}",
        "/user/{identity}",
        "/computer/{device}",
        "/search?q=a",
        "/health",
        "/configuration",
    ],
)
def test_query_counts_do_not_grow_with_the_data(analyst_client, contoso, path):
    def count(alerts: int) -> int:
        identity = IdentityFactory(tenant=contoso, display_name="Alex Wilber")
        device = DeviceFactory(tenant=contoso, name="ALEX-WS", is_domain_controller=True)
        rows = AlertFactory.create_batch(alerts, tenant=contoso, identity=identity, device=device)
        url = path.format(alert=rows[0].pk, identity=identity.pk, device=device.pk)
        analyst_client.get(url)  # warms the state cache
        with CaptureQueriesContext(connection) as captured:
            assert analyst_client.get(url).status_code == HTTPStatus.OK
        return len(captured)

    few, many = count(2), count(25)
    assert few == many
    assert few <= 6


# ---------------------------------------------------------------- the banner


def banner(html: str) -> str | None:
    match = re.search(r'<aside class="redirection-banner.*?</aside>', html, re.S)
    return match.group(0) if match else None


def hrefs(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]*)"', html)]


def test_while_off_a_quiet_invitation_links_to_the_mapped_page(analyst_client, contoso):
    alert = AlertFactory(tenant=contoso)
    html = banner(page(analyst_client, f"/securityAlert/{alert.pk}"))
    assert 'class="redirection-banner quiet"' in html
    assert "Try this page in the Defender portal" in html
    assert f"{DEFENDER_URL}/alerts/{alert.pk}" in hrefs(html)


def test_while_on_an_old_session_is_told_to_sign_in_again(
    analyst_client, contoso, contoso_admin, clock, switch
):
    clock.advance()
    switch(contoso, True, contoso_admin)
    html = banner(page(analyst_client, "/timeline?severity=high&next=//evil.example"))
    assert 'class="redirection-banner"' in html
    assert "Your organization now uses the Microsoft 365 Defender portal." in html
    assert "sign in again" in html
    absolute = [href for href in hrefs(html) if not href.startswith("/feedback?")]
    assert absolute == [f"{DEFENDER_URL}/alerts?severity=high"], "the mapped page, nothing raw"


def pilot_only(tenant, admin, *members, capture):
    with capture(execute=True):
        change_portal_redirection(
            tenant,
            RedirectionUpdate(
                enabled=True,
                scope="pilot",
                pilot_emails=tuple(member.email for member in members),
            ),
            actor=admin,
            source=ChangeSource.WEB,
        )


def test_an_account_outside_the_pilot_is_told_it_stays_even_after_signing_in_again(
    legacy_client,
    contoso,
    contoso_admin,
    contoso_analyst,
    clock,
    django_capture_on_commit_callbacks,
):
    operator = UserFactory(tenant=contoso, roles=[DirectoryRole.SECURITY_OPERATOR])
    pilot_only(contoso, contoso_admin, contoso_analyst, capture=django_capture_on_commit_callbacks)
    clock.advance()
    sign_in(legacy_client, operator)  # after the switch: the rule keeps it here for ever
    html = banner(page(legacy_client, "/timeline"))
    assert "not in the pilot group, so you keep this portal" in html
    assert "sign in again and you go" not in html


def test_a_pilot_account_signed_in_before_its_turn_is_told_to_sign_in_again(
    legacy_client,
    contoso,
    contoso_admin,
    contoso_analyst,
    clock,
    django_capture_on_commit_callbacks,
):
    sign_in(legacy_client, contoso_analyst)  # before the switch
    clock.advance()
    pilot_only(contoso, contoso_admin, contoso_analyst, capture=django_capture_on_commit_callbacks)
    html = banner(page(legacy_client, "/timeline"))
    assert "sign in again and you go to the Defender portal" in html
    clock.advance()
    again = Client(HTTP_HOST=LEGACY_HOST)
    sign_in(again, contoso_analyst)  # and it is so: the next sign-in is routed
    assert again.get("/timeline").status_code == HTTPStatus.FOUND


def test_a_scheduled_on_for_a_pilot_group_is_announced_to_the_pilot_only(
    legacy_client,
    contoso,
    contoso_admin,
    contoso_analyst,
    clock,
    django_capture_on_commit_callbacks,
):
    operator = UserFactory(tenant=contoso, roles=[DirectoryRole.SECURITY_OPERATOR])
    with django_capture_on_commit_callbacks(execute=True):
        change_portal_redirection(
            contoso,
            RedirectionUpdate(
                scope="pilot",
                pilot_emails=(contoso_analyst.email,),
                scheduled_on_at=timezone.now() + timedelta(hours=1),
            ),
            actor=contoso_admin,
            source=ChangeSource.WEB,
        )
    pilot = Client(HTTP_HOST=LEGACY_HOST)
    sign_in(pilot, contoso_analyst)
    assert "Your organization moves there from" in banner(page(pilot, "/timeline"))
    # The rule leaves the operator here once the On comes: it is not told it moves then.
    sign_in(legacy_client, operator)
    html = banner(page(legacy_client, "/timeline"))
    assert "moves there from" not in html
    assert "now uses the Microsoft 365 Defender portal" not in html


def test_an_account_whose_turn_is_still_ahead_is_told_from_when(
    analyst_client, contoso, contoso_admin, clock, switch, settings
):
    settings.REDIRECTION_PROPAGATION_SECONDS = 10**6  # no account's turn comes at once
    clock.advance()
    switch(contoso, True, contoso_admin)
    html = banner(page(analyst_client, "/timeline"))
    assert "a sign-in after <time" in html


def test_banner_feedback_link_carries_the_current_local_path(analyst_client):
    html = banner(page(analyst_client, "/search?q=dc01"))
    feedback = next(href for href in hrefs(html) if href.startswith("/feedback?"))
    assert parse_qs(urlsplit(feedback).query) == {"from": ["/search?q=dc01"]}
    assert "Give feedback" in html


def test_the_banner_never_links_to_raw_input(analyst_client):
    html = banner(page(analyst_client, "/search?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"))
    assert "<script>" not in html
    defender_links = [href for href in hrefs(html) if href.startswith("http")]
    assert defender_links == [
        f"{DEFENDER_URL}/search?q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E"
    ]


def test_no_banner_for_anonymous_pages(legacy_client):
    # The one page an anonymous browser sees on the legacy portal: a sign-in that failed.
    failed = legacy_client.get("/signin/callback", {"state": "not-pending", "code": "x"})
    assert failed.status_code == HTTPStatus.BAD_REQUEST
    assert 'class="legacy' in failed.content.decode()
    assert banner(failed.content.decode()) is None


def test_the_banner_costs_no_query_on_a_warm_cache(analyst_client, contoso, settings):
    AlertFactory(tenant=contoso)

    def count() -> int:
        analyst_client.get("/timeline")
        with CaptureQueriesContext(connection) as captured:
            html = page(analyst_client, "/timeline")
        return len(captured), banner(html) is not None

    with_banner, shown = count()
    assert shown
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["context_processors"].remove(BANNER_PROCESSOR)
    settings.TEMPLATES = templates
    without_banner, shown = count()
    assert not shown
    assert with_banner == without_banner


def test_the_timeline_opens_on_the_latest_cards_and_shows_more_on_request(analyst_client, contoso):
    alerts = AlertFactory.create_batch(25, tenant=contoso, severity="high")
    AlertFactory(tenant=contoso, severity="low", title="Low one")
    newest_first = sorted(alerts, key=lambda alert: alert.detected_at, reverse=True)

    def cards(html: str) -> list[str]:
        return re.findall(r'<li class="timeline-item', html)

    first = page(analyst_client, "/timeline?severity=high")
    assert len(cards(first)) == 10
    assert f'href="/securityAlert/{newest_first[0].pk}"' in first
    assert f'href="/securityAlert/{newest_first[10].pk}"' not in first
    assert "Showing the latest 10 of 25 security alerts" in first
    more = re.search(r'<a class="button" href="([^"]+)">Show more</a>', first).group(1)
    assert parse_qs(urlsplit(more.replace("&amp;", "&")).query) == {
        "severity": ["high"],
        "shown": ["20"],
    }

    second = page(analyst_client, "/timeline?severity=high&shown=20")
    assert len(cards(second)) == 20
    assert f'href="/securityAlert/{newest_first[19].pk}"' in second
    last = page(analyst_client, "/timeline?severity=high&shown=30")
    assert len(cards(last)) == 25
    assert "Show more" not in last
    assert "Low one" not in last


@pytest.mark.parametrize("shown, cards", [("abc", 10), ("-5", 10), ("3", 10), ("999999", 12)])
def test_a_hand_written_card_count_is_brought_into_range(analyst_client, contoso, shown, cards):
    AlertFactory.create_batch(12, tenant=contoso)
    html = page(analyst_client, f"/timeline?shown={shown}")
    assert len(re.findall(r'<li class="timeline-item', html)) == cards


@pytest.mark.parametrize(
    ("status", "shown"),
    [("open", "Open alert"), ("closed", "Closed alert"), ("suppressed", "Suppressed alert")],
)
def test_the_timeline_speaks_of_open_closed_and_suppressed_alerts(
    analyst_client, contoso, status, shown
):
    AlertFactory(tenant=contoso, title="Open alert", status="in_progress")
    AlertFactory(tenant=contoso, title="Closed alert", status="resolved")
    AlertFactory(tenant=contoso, title="Suppressed alert", status="resolved", suppressed=True)
    html = page(analyst_client, f"/timeline?status={status}")
    titles = {"Open alert", "Closed alert", "Suppressed alert"}
    assert [title for title in sorted(titles) if title in html] == [shown]
    assert f'<option value="{status}" selected>{status.capitalize()}</option>' in html
    assert "In progress" not in html  # a Defender word


def test_both_portals_name_the_signed_in_account_the_same_way(
    analyst_client, defender_client, contoso_analyst
):
    sign_in(defender_client, contoso_analyst)
    for html in (page(analyst_client, "/timeline"), page(defender_client, "/")):
        assert f'<span class="account-name">{contoso_analyst.display_name}</span>' in html


def test_the_legacy_portal_shows_the_identity_sensors_alerts_only(legacy_client, contoso):
    mine = AlertFactory(tenant=contoso, title="Raised by an identity sensor")
    endpoint = EndpointAlertFactory(tenant=contoso, title="Raised on an endpoint")
    sign_in(legacy_client, UserFactory(tenant=contoso))
    timeline = page(legacy_client, "/timeline")
    assert "Raised by an identity sensor" in timeline and "Raised on an endpoint" not in timeline
    assert legacy_client.get(f"/securityAlert/{endpoint.pk}").status_code == HTTPStatus.NOT_FOUND
    for path in (f"/user/{endpoint.identity_id}", f"/computer/{endpoint.device_id}"):
        assert "Raised on an endpoint" not in page(legacy_client, path)
    assert page(legacy_client, f"/securityAlert/{mine.pk}")
