"""The route maps: one per former portal (its path → the Defender path), as data, and the one
function that reads a map."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import register_converter, reverse

from accounts.roles import views_settings
from portal.models import (
    LEGACY_TO_DEFENDER_STATUS,
    AlertStatus,
    LegacyAlertStatus,
    ServiceSource,
    Severity,
)
from portal.reports import PERIODS, REPORTS
from web.hosts import DEFENDER, urlconf_for

DEFENDER_HOME = "defender:home"
MAX_SEARCH_LENGTH = 200
# 18 digits always fit a 64-bit primary key, so no id in a URL can overflow a query.
OBJECT_ID_PATTERN = "[0-9]{1,18}"
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class ObjectIdConverter:
    """URL converter for the object ids the portals show, the same shape the route maps take."""

    regex = OBJECT_ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


# Registered once, here, for every portal's URLconf.
register_converter(ObjectIdConverter, "object_id")


def _one_of(choices: list[str]):
    allowed = frozenset(choices)
    return lambda value: value if value in allowed else None


def clean_search_text(value: str) -> str:
    """Search text as every portal uses it: no control characters, at most 200 characters."""
    return _CONTROL_CHARACTERS.sub("", value).strip()[:MAX_SEARCH_LENGTH].strip()


def _search_text(value: str) -> str | None:
    return clean_search_text(value) or None


def _defender_statuses(value: str) -> tuple[str, ...] | None:
    """A legacy status (Open, Closed, Suppressed) as the Defender statuses that cover it."""
    if value not in LegacyAlertStatus.values:
        return None
    return tuple(str(status) for status in LEGACY_TO_DEFENDER_STATUS[LegacyAlertStatus(value)])


QueryRule = Callable[[str], str | tuple[str, ...] | None]

# Query parameters a legacy route may carry across, each with the check its value must pass;
# the answer is the value (or values) the Defender page takes.
QUERY_RULES: dict[str, QueryRule] = {
    "status": _defender_statuses,
    "severity": _one_of(Severity.values),
    "q": _search_text,
    "period": _one_of([str(days) for days, _label in PERIODS]),
}
# The Security Center's: its statuses are the Defender portal's own.
ENDPOINT_QUERY_RULES: dict[str, QueryRule] = {
    "status": _one_of(AlertStatus.values),
    "severity": _one_of(Severity.values),
    "q": _search_text,
}


@dataclass(frozen=True)
class Route:
    # A path of the former portal.
    former: re.Pattern[str]
    # A URL name of the Defender portal; the former pattern's named groups are its arguments.
    defender: str
    keep: tuple[str, ...] = ()
    # Parameters the Defender page is always given: fixed values, never read from a request.
    adds: tuple[tuple[str, str], ...] = ()
    # Who may open ``defender`` (from the account's directory roles; None: everyone with a
    # tenant), and the nearest page for those who may not.
    opens: Callable[[Iterable[str]], bool] | None = None
    otherwise: str = DEFENDER_HOME

    def target_for(self, roles: Iterable[str] | None) -> str:
        if self.opens is None or roles is None or self.opens(roles):
            return self.defender
        return self.otherwise


def _route(former: str, defender: str, keep: tuple[str, ...] = (), **options) -> Route:
    return Route(re.compile(former + "/?"), defender, keep, **options)


def _object_id(name: str) -> str:
    return rf"(?P<{name}>{OBJECT_ID_PATTERN})"


# A report's name in a path: one of the reports' own, never free text.
_REPORT_NAME = "(?P<report>" + "|".join(re.escape(slug) for slug in REPORTS) + ")"


# The legacy portal's (Defender for Identity).
ROUTES: tuple[Route, ...] = (
    # The lookahead keeps an empty path off the landing page: only "/" and "/timeline" are it.
    _route(r"(?=/)(?:/timeline)?", "defender:alerts", keep=("status", "severity")),
    _route(rf"/securityAlert/{_object_id('alert_id')}", "defender:alert"),
    _route(rf"/user/{_object_id('identity_id')}", "defender:identity"),
    _route(rf"/computer/{_object_id('device_id')}", "defender:machine"),
    # The Defender portal shows a group in a pane of its own.
    _route(rf"/group/{_object_id('group_id')}", "defender:group"),
    _route(r"/search", "defender:search", keep=("q",)),
    # Reports > Identities > Report management offers the same reports; a download link
    # opens the report's page there, from which it downloads.
    _route(r"/reports", "defender:identity_reports", keep=("period",)),
    _route(rf"/reports/{_REPORT_NAME}(?:/download)?", "defender:identity_report", keep=("period",)),
    _route(r"/health", "defender:health"),
    # The workspace facts the legacy Configuration page shows are on About for every account.
    _route(
        r"/configuration",
        "settings_ui:identities",
        opens=views_settings,
        otherwise="defender:about",
    ),
    _route(r"/about", "defender:about"),
)

# The Security Center's. Its queue showed the endpoints' alerts only: the Defender queue
# shows every product's, so the route asks it for the same ones.
ENDPOINT_ROUTES: tuple[Route, ...] = (
    _route(
        r"(?=/)(?:/alerts)?",
        "defender:alerts",
        keep=("status", "severity"),
        adds=(("service_source", ServiceSource.ENDPOINT.value),),
    ),
    # One table of alerts behind both portals: an alert keeps its id.
    _route(rf"/alerts/{_object_id('alert_id')}", "defender:alert"),
    _route(r"/incidents", "defender:incidents"),
    _route(rf"/machines/{_object_id('device_id')}", "defender:machine"),
    _route(r"/search", "defender:search", keep=("q",)),
)


@dataclass(frozen=True)
class RouteMap:
    """One former portal's routes, and the checks of the query parameters they keep."""

    routes: tuple[Route, ...]
    query_rules: Mapping[str, QueryRule]


IDENTITY_ROUTE_MAP = RouteMap(ROUTES, QUERY_RULES)
ENDPOINT_ROUTE_MAP = RouteMap(ENDPOINT_ROUTES, ENDPOINT_QUERY_RULES)


# An id no page has: reversed in place of each argument, then swapped for a format field.
_PLACEHOLDER_ID = "9" * 18


@functools.cache
def defender_path_template(url_name: str, arguments: tuple[str, ...] = ()) -> str:
    """A Defender URL name's path as a format string, e.g. ``/alerts/{alert_id}``.

    Reversed once, from the Defender portal's own URLconf whichever host asks, so the hot
    path only fills in digits.
    """
    placeholders = dict.fromkeys(arguments, _PLACEHOLDER_ID)
    path = reverse(url_name, urlconf=urlconf_for(DEFENDER), kwargs=placeholders)
    for name in arguments:
        path = path.replace(_PLACEHOLDER_ID, "{" + name + "}", 1)
    return path


def route_for_path(
    route_map: RouteMap,
    path: str,
    query: Mapping[str, str] | None = None,
    *,
    roles: Iterable[str] | None = None,
) -> str:
    """The Defender path (with its query) equivalent to a path of a former portal.

    The answer is built only from the Defender portal's URL names, digits, the reports' names,
    the map's fixed parameters and URL-encoded values of whitelisted parameters, so it is
    always a path on the Defender host; unknown or malformed paths go to the Defender home
    page. Given the account's directory ``roles``, it is a page that account may open: the
    nearest one when the equivalent refuses it.
    """
    query = query or {}
    for route in route_map.routes:
        match = route.former.fullmatch(path)
        if match is None:
            continue
        arguments = match.groupdict()
        url_name = route.target_for(roles)
        target = defender_path_template(url_name, tuple(arguments)).format(**arguments)
        kept = list(route.adds)
        for name in route.keep:
            raw = query.get(name)
            value = route_map.query_rules[name](raw) if isinstance(raw, str) else None
            if isinstance(value, tuple):
                kept.extend((name, one) for one in value)
            elif value is not None:
                kept.append((name, value))
        # "replace": text a browser could never send (a lone surrogate) must not crash the map.
        return f"{target}?{urlencode(kept, errors='replace')}" if kept else target
    return defender_path_template(DEFENDER_HOME)


def route_for_legacy_path(
    path: str, query: Mapping[str, str] | None = None, *, roles: Iterable[str] | None = None
) -> str:
    """The Defender path (with its query) equivalent to a legacy portal's path."""
    return route_for_path(IDENTITY_ROUTE_MAP, path, query, roles=roles)


def route_for_endpoint_path(
    path: str, query: Mapping[str, str] | None = None, *, roles: Iterable[str] | None = None
) -> str:
    """The Defender path (with its query) equivalent to a Security Center path."""
    return route_for_path(ENDPOINT_ROUTE_MAP, path, query, roles=roles)
