"""The legacy→Defender route map: DESIGN.md's table as data, and the one function that reads it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import register_converter

from portal.models import AlertStatus, Severity

DEFENDER_HOME = "/"
MAX_SEARCH_LENGTH = 200
# 18 digits always fit a 64-bit primary key, so no id in a URL can overflow a query.
OBJECT_ID_PATTERN = "[0-9]{1,18}"
_OBJECT_ID = rf"(?P<id>{OBJECT_ID_PATTERN})"
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class ObjectIdConverter:
    """URL converter for the object ids both portals show, the same shape the route map takes."""

    regex = OBJECT_ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


# Registered once, here, for both portals' URLconfs.
register_converter(ObjectIdConverter, "object_id")


def _one_of(choices: list[str]):
    allowed = frozenset(choices)
    return lambda value: value if value in allowed else None


def clean_search_text(value: str) -> str:
    """Search text as both portals use it: no control characters, at most 200 characters."""
    return _CONTROL_CHARACTERS.sub("", value).strip()[:MAX_SEARCH_LENGTH].strip()


def _search_text(value: str) -> str | None:
    return clean_search_text(value) or None


# Query parameters a route may carry across, each with the check its value must pass.
QUERY_RULES = {
    "status": _one_of(AlertStatus.values),
    "severity": _one_of(Severity.values),
    "q": _search_text,
}


@dataclass(frozen=True)
class Route:
    legacy: re.Pattern[str]
    defender: str
    keep: tuple[str, ...] = ()


def _route(legacy: str, defender: str, keep: tuple[str, ...] = ()) -> Route:
    return Route(re.compile(legacy + "/?"), defender, keep)


ROUTES: tuple[Route, ...] = (
    # The lookahead keeps an empty path off the landing page: only "/" and "/timeline" are it.
    _route(r"(?=/)(?:/timeline)?", "/alerts", keep=("status", "severity")),
    _route(rf"/securityAlert/{_OBJECT_ID}", "/alerts/{id}"),
    _route(rf"/user/{_OBJECT_ID}", "/identities/{id}"),
    _route(rf"/computer/{_OBJECT_ID}", "/machines/{id}"),
    _route(r"/search", "/search", keep=("q",)),
    _route(r"/health", "/settings/identities/health"),
    _route(r"/configuration", "/settings/identities"),
    _route(r"/about", "/settings/identities/about"),
)


def route_for_legacy_path(path: str, query: Mapping[str, str] | None = None) -> str:
    """The Defender path (with its query) equivalent to a legacy path.

    The answer is built only from the table's constants, digits and URL-encoded values of
    whitelisted parameters, so it is always a path on the Defender host; unknown or
    malformed paths go to the Defender home page.
    """
    query = query or {}
    for route in ROUTES:
        match = route.legacy.fullmatch(path)
        if match is None:
            continue
        target = route.defender.format(**match.groupdict())
        kept = []
        for name in route.keep:
            raw = query.get(name)
            value = QUERY_RULES[name](raw) if isinstance(raw, str) else None
            if value is not None:
                kept.append((name, value))
        # "replace": text a browser could never send (a lone surrogate) must not crash the map.
        return f"{target}?{urlencode(kept, errors='replace')}" if kept else target
    return DEFENDER_HOME
