"""The route maps (legacy→Defender, Security Center→Defender): every row, the query whitelist,
and that neither ever leaves home."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.http import QueryDict
from django.urls import resolve
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import given

from portal.former_portals import FORMER_PORTALS
from portal.routes import (
    DEFENDER_HOME,
    ENDPOINT_ROUTE_MAP,
    ENDPOINT_ROUTES,
    IDENTITY_ROUTE_MAP,
    MAX_SEARCH_LENGTH,
    ROUTES,
    route_for_endpoint_path,
    route_for_legacy_path,
    route_for_path,
)
from tests.strategies import legacy_paths, legacy_queries
from web.hosts import DEFENDER as DEFENDER_PORTAL
from web.hosts import ENDPOINT, LEGACY, urlconf_for

DEFENDER = "http://security.localhost:8000"


@pytest.mark.parametrize(
    "legacy, defender",
    [
        ("/", "/alerts"),
        ("/timeline", "/alerts"),
        ("/timeline/", "/alerts"),
        ("/securityAlert/42", "/alerts/42"),
        ("/securityAlert/42/", "/alerts/42"),
        ("/user/7", "/identities/7"),
        ("/computer/9", "/machines/9"),
        ("/group/5", "/groups/5"),
        ("/search", "/search"),
        ("/reports", "/reports/identities"),
        ("/reports/summary", "/reports/identities/summary"),
        ("/health", "/settings/identities/health"),
        ("/configuration", "/settings/identities"),
        ("/about", "/settings/identities/about"),
    ],
)
def test_every_row_of_the_map(legacy, defender):
    assert route_for_legacy_path(legacy, {}) == defender


# One legacy path for each URL name the map can send to.
LANDING_BY_NAME = {
    "defender:alerts": "/timeline",
    "defender:alert": "/securityAlert/42",
    "defender:identity": "/user/7",
    "defender:machine": "/computer/9",
    "defender:group": "/group/5",
    "defender:search": "/search",
    "defender:identity_reports": "/reports",
    "defender:identity_report": "/reports/summary",
    "defender:health": "/health",
    "settings_ui:identities": "/configuration",
    "defender:about": "/about",
    DEFENDER_HOME: "/nowhere",
}


def test_the_samples_cover_every_route():
    assert set(LANDING_BY_NAME) == {route.defender for route in ROUTES} | {DEFENDER_HOME}


@pytest.mark.parametrize("url_name, legacy", LANDING_BY_NAME.items())
def test_every_route_resolves_on_the_defender_portal(url_name, legacy):
    landing = resolve(route_for_legacy_path(legacy, {}), urlconf=urlconf_for(DEFENDER_PORTAL))
    assert landing.view_name == url_name
    # The route's arguments carry across: the ids, and a report's name.
    assert [str(value) for value in landing.kwargs.values()] == [
        part for part in legacy.split("/") if part.isdigit() or part == "summary"
    ]


@pytest.mark.parametrize(
    "legacy",
    [
        "/nowhere",
        "/Timeline",  # paths are case-sensitive, as the legacy portal's own URLs are
        "/securityAlert/",
        "/securityAlert/abc",
        "/securityAlert/-1",
        "/securityAlert/4 2",
        "/securityAlert/٤٢",  # Arabic-Indic digits are digits to Python, not to the map
        "/securityAlert/" + "9" * 19,
        "/user/7/extra",
        "/timeline//",
        "//evil.example",
        "//evil.example/timeline",
        "/\\evil.example",
        "/timeline\n",
        "/about\x00",
        "",
        "/" + "a" * 10_000,
    ],
)
def test_unknown_or_malformed_paths_go_to_defender_home(legacy):
    assert route_for_legacy_path(legacy, {}) == "/"


def test_timeline_keeps_status_and_severity_only():
    query = QueryDict("status=closed&severity=high&q=x&next=//evil.example&page=3")
    assert route_for_legacy_path("/timeline", query) == "/alerts?status=resolved&severity=high"


@pytest.mark.parametrize(
    "query, expected",
    [
        # The legacy portal's statuses, as the Defender statuses that cover them.
        ("status=open", "/alerts?status=new&status=in_progress"),
        ("status=closed", "/alerts?status=resolved"),
        ("status=suppressed", "/alerts?status=resolved"),
        ("severity=informational", "/alerts?severity=informational"),
        ("status=new", "/alerts"),  # a Defender status: the legacy portal never sends one
        ("status=OPEN", "/alerts"),
        ("severity=critical", "/alerts"),
        ("severity=high%0d%0aSet-Cookie:x", "/alerts"),
        ("status=closed&severity=bogus", "/alerts?status=resolved"),
        ("severity=low&severity=high", "/alerts?severity=high"),  # the last value, as Django
    ],
)
def test_timeline_filter_values_are_checked(query, expected):
    assert route_for_legacy_path("/", QueryDict(query)) == expected


def test_detail_pages_keep_no_query():
    query = QueryDict("status=new&q=x&tab=activities")
    assert route_for_legacy_path("/securityAlert/5", query) == "/alerts/5"
    assert route_for_legacy_path("/user/5", query) == "/identities/5"
    assert route_for_legacy_path("/health", query) == "/settings/identities/health"


@pytest.mark.parametrize(
    "q, kept",
    [
        ("jeff", "jeff"),
        ("  DC01  ", "DC01"),
        ("a&b=c#d", "a&b=c#d"),
        ("http://evil.example/", "http://evil.example/"),
        ("line\r\nbreak\x00", "linebreak"),
        ("x" * 500, "x" * MAX_SEARCH_LENGTH),
    ],
)
def test_search_keeps_q_encoded_and_trimmed(q, kept):
    target = route_for_legacy_path("/search", {"q": q, "status": "new"})
    path, _, query = target.partition("?")
    assert path == "/search"
    assert parse_qs(query) == {"q": [kept]}


@pytest.mark.parametrize("q", ["", "   ", "\x00\x01\t"])
def test_empty_search_keeps_no_q(q):
    assert route_for_legacy_path("/search", {"q": q}) == "/search"


def test_trimming_never_leaves_trailing_space():
    q = "a" * (MAX_SEARCH_LENGTH - 1) + " b"
    assert route_for_legacy_path("/search", {"q": q}) == "/search?q=" + "a" * (
        MAX_SEARCH_LENGTH - 1
    )


def test_text_no_browser_sends_does_not_crash_the_map():
    # A lone surrogate cannot be encoded as UTF-8; the map must still answer.
    assert route_for_legacy_path("/search", {"q": "a\ud800b"}).startswith("/search?q=a")


def test_non_text_query_values_are_ignored():
    assert route_for_legacy_path("/timeline", {"status": ["new"], "severity": None}) == "/alerts"


def _assert_stays_on_defender(target: str) -> None:
    assert target.startswith("/")
    assert not target.startswith("//")
    assert "\\" not in target
    assert all(32 < ord(char) < 127 for char in target), "only printable ASCII"
    location = DEFENDER + target
    parts = urlsplit(location)
    assert (parts.scheme, parts.netloc) == ("http", "security.localhost:8000")
    assert url_has_allowed_host_and_scheme(location, allowed_hosts={"security.localhost:8000"})


@given(path=legacy_paths(surrogates=True), query=legacy_queries(surrogates=True))
def test_no_input_makes_the_map_leave_the_defender_host(path, query):
    _assert_stays_on_defender(route_for_legacy_path(path, query))


def readme_route_table(heading: str) -> list[tuple[list[str], str]]:
    """A route table of the README: (former portal's paths, first Defender path) rows."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split(heading, 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[1].startswith("`"):
            continue
        legacy = re.findall(r"`(/[^`]*)`", cells[0]) or ["/no-such-page"]  # "anything else"
        rows.append((legacy, re.findall(r"`([^`]+)`", cells[1])[0]))
    return rows


@pytest.mark.parametrize(
    "heading, route_map",
    [
        ("## Where each legacy page goes", IDENTITY_ROUTE_MAP),
        ("## The Security Center", ENDPOINT_ROUTE_MAP),
    ],
)
def test_the_readme_route_tables_are_the_route_maps(heading, route_map):
    rows = readme_route_table(heading)
    assert len(rows) == len(route_map.routes) + 1  # every route, and "anything else"
    for paths, defender in rows:
        for former in paths:
            named = former.replace("<id>", "42").replace("<report>", "summary")
            path, _, query = named.partition("?")
            asked = {name: "x" for name in re.findall(r"(\w+)=", query)}
            expected = defender.replace("<id>", "42").replace("<report>", "summary")
            expected = expected.replace("q=", "q=x")
            assert route_for_path(route_map, path, asked) == expected, former


# ------------------------------------------------------------------ the Security Center's map
ENDPOINT_QUEUE = "/alerts?service_source=endpoint"


@pytest.mark.parametrize(
    "security_center, defender",
    [
        ("/", ENDPOINT_QUEUE),
        ("/alerts", ENDPOINT_QUEUE),
        ("/alerts/", ENDPOINT_QUEUE),
        ("/alerts/42", "/alerts/42"),
        ("/alerts/42/", "/alerts/42"),
        ("/incidents", "/incidents"),
        ("/machines/9", "/machines/9"),
        ("/search", "/search"),
        # The legacy portal's paths mean nothing here.
        ("/timeline", "/"),
        ("/securityAlert/42", "/"),
        ("/computer/9", "/"),
        ("/nowhere", "/"),
        ("", "/"),
        ("//evil.example", "/"),
        ("/alerts/abc", "/"),
        ("/alerts/" + "9" * 19, "/"),
    ],
)
def test_every_row_of_the_security_center_map(security_center, defender):
    assert route_for_endpoint_path(security_center, {}) == defender


@pytest.mark.parametrize(
    "query, expected",
    [
        # The Security Center's statuses are the Defender portal's own.
        ("status=new&severity=high", ENDPOINT_QUEUE + "&status=new&severity=high"),
        ("status=in_progress", ENDPOINT_QUEUE + "&status=in_progress"),
        (
            "status=resolved&severity=informational",
            ENDPOINT_QUEUE + "&status=resolved&severity=informational",
        ),
        ("status=open", ENDPOINT_QUEUE),  # the legacy portal's word: not this one's
        ("severity=critical", ENDPOINT_QUEUE),
        # The service source is the map's, never the request's.
        ("service_source=identity", ENDPOINT_QUEUE),
        ("q=x&next=//evil.example&page=3", ENDPOINT_QUEUE),
    ],
)
def test_the_security_center_queue_keeps_status_and_severity_only(query, expected):
    assert route_for_endpoint_path("/alerts", QueryDict(query)) == expected


def test_the_security_center_detail_pages_keep_no_query():
    query = QueryDict("status=new&q=x&tab=timeline")
    assert route_for_endpoint_path("/alerts/5", query) == "/alerts/5"
    assert route_for_endpoint_path("/machines/5", query) == "/machines/5"
    assert route_for_endpoint_path("/incidents", query) == "/incidents"
    assert route_for_endpoint_path("/search", {"q": " CONTOSO-WS101 "}) == "/search?q=CONTOSO-WS101"


ENDPOINT_LANDING_BY_NAME = {
    "defender:alerts": "/alerts",
    "defender:alert": "/alerts/42",
    "defender:incidents": "/incidents",
    "defender:machine": "/machines/9",
    "defender:search": "/search",
    DEFENDER_HOME: "/nowhere",
}


def test_the_security_center_samples_cover_every_route():
    assert set(ENDPOINT_LANDING_BY_NAME) == {route.defender for route in ENDPOINT_ROUTES} | {
        DEFENDER_HOME
    }


@pytest.mark.parametrize("url_name, security_center", ENDPOINT_LANDING_BY_NAME.items())
def test_every_security_center_route_resolves_on_the_defender_portal(url_name, security_center):
    target = route_for_endpoint_path(security_center, {}).partition("?")[0]
    landing = resolve(target, urlconf=urlconf_for(DEFENDER_PORTAL))
    assert landing.view_name == url_name


@pytest.mark.parametrize("name", ["alerts", "alert", "incidents", "machine", "search"])
def test_every_mapped_security_center_path_is_one_of_its_pages(name):
    """The map's paths are the Security Center's own: each row names a page that exists."""
    path = {"alert": "/alerts/42", "machine": "/machines/9"}.get(name, f"/{name}")
    assert resolve(path, urlconf=urlconf_for(ENDPOINT)).view_name == f"endpoint:{name}"


@given(path=legacy_paths(surrogates=True), query=legacy_queries(surrogates=True))
def test_no_input_makes_the_security_center_map_leave_the_defender_host(path, query):
    _assert_stays_on_defender(route_for_endpoint_path(path, query))


# ------------------------------------------------------------------ one function, one map each
def test_each_former_portal_reads_its_own_map_through_the_one_function():
    assert FORMER_PORTALS[LEGACY].route_map is IDENTITY_ROUTE_MAP
    assert FORMER_PORTALS[ENDPOINT].route_map is ENDPOINT_ROUTE_MAP
    query = QueryDict("status=closed&severity=high")
    assert route_for_legacy_path("/timeline", query) == route_for_path(
        IDENTITY_ROUTE_MAP, "/timeline", query
    )
    assert FORMER_PORTALS[LEGACY].defender_path("/timeline", query, roles=None) == (
        "/alerts?status=resolved&severity=high"
    )
    assert FORMER_PORTALS[ENDPOINT].defender_path("/machines/3", {}, roles=None) == "/machines/3"
