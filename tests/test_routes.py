"""The legacy→Defender route map: every row, the query whitelist, and that it never leaves home."""

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

from portal.routes import DEFENDER_HOME, MAX_SEARCH_LENGTH, ROUTES, route_for_legacy_path
from tests.strategies import legacy_paths, legacy_queries
from web.hosts import DEFENDER as DEFENDER_PORTAL
from web.hosts import urlconf_for

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
        ("/search", "/search"),
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
    "defender:search": "/search",
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
    assert [str(value) for value in landing.kwargs.values()] == [
        part for part in legacy.split("/") if part.isdigit()
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


def readme_route_table() -> list[tuple[list[str], str]]:
    """The README's "Where each legacy page goes": (legacy paths, first Defender path) rows."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("## Where each legacy page goes", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[1].startswith("`"):
            continue
        legacy = re.findall(r"`(/[^`]*)`", cells[0]) or ["/no-such-page"]  # "anything else"
        rows.append((legacy, re.findall(r"`([^`]+)`", cells[1])[0]))
    return rows


def test_the_readme_route_table_is_the_route_map():
    rows = readme_route_table()
    assert len(rows) == len(ROUTES) + 1  # every route, and "anything else"
    for paths, defender in rows:
        for legacy in paths:
            path, _, query = legacy.replace("<id>", "42").partition("?")
            asked = {name: "x" for name in re.findall(r"(\w+)=", query)}
            expected = defender.replace("<id>", "42").replace("q=", "q=x")
            assert route_for_legacy_path(path, asked) == expected, legacy
