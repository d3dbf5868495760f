"""Reports and directory groups on both portals: the classic portal's Reports and group pages,
and where the Defender portal offers them (Reports > Identities > Report management, the group
pane), each tenant's own only, and the route map between them."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.routes import route_for_legacy_path
from tests.conftest import sign_in
from tests.factories import (
    AlertFactory,
    ClearTextPasswordFactory,
    EndpointAlertFactory,
    GroupChangeFactory,
    GroupFactory,
    HealthIssueFactory,
    IdentityFactory,
)

pytestmark = pytest.mark.django_db

LEGACY_LINKS = {"identity": "/user/", "group": "/group/", "device": "/computer/"}
DEFENDER_LINKS = {"identity": "/identities/", "group": "/groups/", "device": "/machines/"}


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK, (path, response.status_code)
    return unescape(response.content.decode())


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def legacy(legacy_client, contoso_analyst):
    sign_in(legacy_client, contoso_analyst)
    return legacy_client


@pytest.fixture
def defender(defender_client, contoso_analyst):
    sign_in(defender_client, contoso_analyst)
    return defender_client


@pytest.fixture
def domain_admins(contoso):
    return GroupFactory(tenant=contoso, name="Domain Admins", is_sensitive=True)


def report_csv(response) -> list[list[str]]:
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# ------------------------------------------------------------------ the reports
@pytest.mark.parametrize(
    "client_name, path, download",
    [
        ("legacy", "/reports", "/reports/{}/download"),
        ("defender", "/reports/identities", "/reports/identities/{}/download"),
    ],
)
def test_each_portal_lists_the_three_reports_with_a_download(client_name, path, download, request):
    client = request.getfixturevalue(client_name)
    html = page(client, path)
    for slug, name in [
        ("summary", "Summary report"),
        ("sensitive-groups", "Modifications to sensitive groups"),
        ("clear-text-passwords", "Passwords exposed in clear text"),
    ]:
        assert name in html
        assert f'href="{download.format(slug)}?period=30"' in html
    # The navigation's Reports item is the current one.
    assert '<a href="/reports" title="Reports" aria-current="page">' in html


def test_the_defender_reports_page_leads_to_report_management(defender):
    html = page(defender, "/reports")
    assert '<a href="/reports/identities">Report management</a>' in html
    # The rail's Reports item is the current one.
    assert '<a href="/reports" title="Reports" aria-current="page">' in html


@pytest.mark.parametrize(
    "client_name, path, links",
    [
        ("legacy", "/reports/sensitive-groups", LEGACY_LINKS),
        ("defender", "/reports/identities/sensitive-groups", DEFENDER_LINKS),
    ],
)
def test_the_sensitive_groups_report_lists_only_sensitive_groups_in_the_period(
    client_name, path, links, request, contoso, fabrikam, domain_admins
):
    client = request.getfixturevalue(client_name)
    recent = GroupChangeFactory(group=domain_admins, changed_at=timezone.now() - timedelta(days=2))
    older = GroupChangeFactory(
        group=domain_admins, action="removed", changed_at=timezone.now() - timedelta(days=45)
    )
    helpdesk = GroupFactory(tenant=contoso, name="Helpdesk", is_sensitive=False)
    GroupChangeFactory(group=helpdesk)
    other_tenant = GroupChangeFactory(group=GroupFactory(tenant=fabrikam, is_sensitive=True))

    html = page(client, path)
    assert f'href="{links["group"]}{domain_admins.pk}">Domain Admins</a>' in html
    assert f'href="{links["identity"]}{recent.member.pk}">' in html
    assert f'href="{links["device"]}{recent.domain_controller.pk}">' in html
    assert older.member.display_name not in html  # 45 days ago: outside the last 30
    assert "Helpdesk" not in html
    assert other_tenant.member.display_name not in html
    assert "1 row." in text(html)

    html = page(client, f"{path}?period=90")
    assert older.member.display_name in html
    assert "Member removed" in html


@pytest.mark.parametrize("path", ["/reports/summary?period=365", "/reports?period=abc"])
def test_a_period_not_in_the_list_is_refused_in_words_and_the_last_30_days_shown(legacy, path):
    html = page(legacy, path)
    assert "Choose a period from the list." in html
    assert '<option value="30" selected>' in html


def test_the_summary_report_holds_open_identity_alerts_and_open_health_issues(
    legacy, contoso, fabrikam
):
    open_alert = AlertFactory(tenant=contoso, title="Suspected DCSync attack")
    AlertFactory(tenant=contoso, title="Resolved one", status="resolved")
    EndpointAlertFactory(tenant=contoso, title="Endpoint one")
    AlertFactory(tenant=fabrikam, title="Fabrikam's alert")
    HealthIssueFactory(tenant=contoso, title="Sensor stopped communicating")
    HealthIssueFactory(tenant=contoso, title="Closed issue", status="closed")

    html = page(legacy, "/reports/summary")
    assert f'<a href="/securityAlert/{open_alert.pk}">Suspected DCSync attack</a>' in html
    assert "Sensor stopped communicating" in html
    for absent in ("Resolved one", "Endpoint one", "Fabrikam's alert", "Closed issue"):
        assert absent not in html


@pytest.mark.parametrize(
    "client_name, path",
    [
        ("legacy", "/reports/clear-text-passwords/download"),
        ("defender", "/reports/identities/clear-text-passwords/download"),
    ],
)
def test_a_download_is_the_report_as_csv_and_text_never_runs_as_a_formula(
    client_name, path, request, contoso, fabrikam
):
    client = request.getfixturevalue(client_name)
    hostile = IdentityFactory(tenant=contoso, display_name='=HYPERLINK("http://evil.example")')
    ClearTextPasswordFactory(tenant=contoso, identity=hostile)
    ClearTextPasswordFactory(tenant=fabrikam)

    rows = report_csv(client.get(path))
    assert rows[0][0].startswith("Passwords exposed in clear text · Contoso · Last 30 days")
    assert rows[1] == ["Last seen", "Account", "Source computer", "Protocol"]
    assert len(rows) == 3  # Fabrikam's row is not Contoso's to download
    assert rows[2][1] == "'" + hostile.display_name
    assert rows[2][3] == "LDAP simple bind"


@pytest.mark.parametrize(
    "client_name, path",
    [
        ("legacy", "/reports/lateral-movement"),
        ("legacy", "/reports/lateral-movement/download"),
        ("defender", "/reports/identities/no-such-report"),
        ("defender", "/reports/identities/no-such-report/download"),
    ],
)
def test_an_unknown_report_is_not_found(client_name, path, request):
    client = request.getfixturevalue(client_name)
    assert client.get(path).status_code == HTTPStatus.NOT_FOUND


def test_a_report_is_a_constant_number_of_queries(legacy, contoso, domain_admins):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            page(legacy, "/reports/sensitive-groups")
        return len(captured)

    GroupChangeFactory(group=domain_admins)
    queries()  # the first page of a session also reads what later ones remember
    few = queries()
    GroupChangeFactory.create_batch(10, group=domain_admins)
    assert queries() == few


# ------------------------------------------------------------------ the groups
def test_the_legacy_group_page_shows_members_and_their_changes(legacy, contoso, domain_admins):
    member = IdentityFactory(tenant=contoso, display_name="Megan Bowen")
    domain_admins.members.add(member)
    change = GroupChangeFactory(group=domain_admins, member=member)

    html = page(legacy, f"/group/{domain_admins.pk}")
    assert "Domain Admins" in html
    assert f'<a href="/user/{member.pk}">Megan Bowen</a>' in html
    assert f'by <a href="/user/{change.changed_by.pk}">' in html
    assert "Member added" in html
    # The member's own page names the group back.
    assert f'<a href="/group/{domain_admins.pk}">Domain Admins</a>' in page(
        legacy, f"/user/{member.pk}"
    )


def test_the_defender_group_pane_has_its_tabs(defender, contoso, domain_admins):
    member = IdentityFactory(tenant=contoso, display_name="Megan Bowen")
    domain_admins.members.add(member)
    GroupChangeFactory(group=domain_admins, member=member, action="removed")

    overview = text(page(defender, f"/groups/{domain_admins.pk}"))
    assert "Active Directory group" in overview and "Sensitive" in overview
    members = page(defender, f"/groups/{domain_admins.pk}?tab=members")
    assert f'<a href="/identities/{member.pk}">Megan Bowen</a>' in members
    timeline = page(defender, f"/groups/{domain_admins.pk}?tab=timeline")
    assert "Member removed" in timeline
    assert f'<a href="/groups/{domain_admins.pk}">Domain Admins</a>' in page(
        defender, f"/identities/{member.pk}"
    )


@pytest.mark.parametrize("client_name, path", [("legacy", "/group/{}"), ("defender", "/groups/{}")])
def test_another_tenants_group_is_not_found(client_name, path, request, fabrikam):
    client = request.getfixturevalue(client_name)
    theirs = GroupFactory(tenant=fabrikam)
    assert client.get(path.format(theirs.pk)).status_code == HTTPStatus.NOT_FOUND


def test_search_finds_groups_on_both_portals_and_not_in_the_security_center(
    legacy, defender, endpoint_client, contoso_analyst, contoso, fabrikam
):
    ours = GroupFactory(tenant=contoso, name="Backup Operators")
    GroupFactory(tenant=fabrikam, name="Backup Operators of Fabrikam")
    assert f'<a href="/group/{ours.pk}">Backup Operators</a>' in page(legacy, "/search?q=backup")
    html = page(defender, "/search?q=backup")
    assert f'<a href="/groups/{ours.pk}">Backup Operators</a>' in html
    assert "Fabrikam" not in text(html).replace("Fabrikam's", "")
    assert "1 result for" in text(html)

    sign_in(endpoint_client, contoso_analyst)
    assert "0 results for" in text(page(endpoint_client, "/search?q=backup"))


# ------------------------------------------------------------------ the route map
@pytest.mark.parametrize(
    "legacy_path, query, defender",
    [
        ("/reports", {}, "/reports/identities"),
        ("/reports", {"period": "90"}, "/reports/identities?period=90"),
        ("/reports", {"period": "365"}, "/reports/identities"),
        ("/reports/summary", {"period": "7"}, "/reports/identities/summary?period=7"),
        ("/reports/sensitive-groups/download", {}, "/reports/identities/sensitive-groups"),
        ("/reports/clear-text-passwords/", {}, "/reports/identities/clear-text-passwords"),
        ("/reports/no-such-report", {}, "/"),
        ("/reports/summary/../../evil", {}, "/"),
        ("/group/7", {}, "/groups/7"),
        ("/group/abc", {}, "/"),
    ],
)
def test_reports_and_groups_have_their_defender_equivalents(legacy_path, query, defender):
    assert route_for_legacy_path(legacy_path, query) == defender


def test_a_routed_session_opening_a_report_lands_on_report_management(
    legacy_client, contoso_analyst, contoso_admin, switch
):
    switch(contoso_analyst.tenant, True, contoso_admin)
    sign_in(legacy_client, contoso_analyst)
    response = legacy_client.get("/reports/summary", {"period": "7"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].endswith("/reports/identities/summary?period=7")
