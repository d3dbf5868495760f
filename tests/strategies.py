"""Hostile paths and queries of the former portals, one home for the route maps' and the
middleware's tests."""

from __future__ import annotations

from hypothesis import strategies as st

# Any code point, lone surrogates too: text a browser never sends but a crafted request can.
ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()))

RISKY_PREFIXES = [
    "/",
    "//",
    "/\\",
    "\\\\",
    "http://",
    "/timeline",
    "/securityAlert/",
    "/user/",
    "/computer/",
    "/search",
    # The Security Center's own.
    "/alerts",
    "/alerts/",
    "/machines/",
    "/incidents",
    # The middleware's pass-through paths, so its tests see them too.
    "/signin",
    "/signout",
    "/healthz",
    "/static/",
    "%2F%2F",
    "/%2F",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%0d%0a",
    "/%00",
    "/\t/",
    "/\x00",
]
RISKY_CHARACTERS = "/\\%2F5Cevil.example:@?#0123456789 \t\r\n\x00"
RISKY_VALUES = ["new", "high", "//evil.example", "\\\\evil", "http://evil.example"]


def legacy_paths(*, surrogates: bool = False) -> st.SearchStrategy[str]:
    """Paths as a hostile client might send them to the legacy portal."""
    text = ANY_TEXT if surrogates else st.text()
    risky = st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from(RISKY_PREFIXES),
        st.text(alphabet=RISKY_CHARACTERS, max_size=40),
    )
    return st.one_of(text, risky)


def legacy_queries(*, surrogates: bool = False) -> st.SearchStrategy[dict[str, str]]:
    """Query parameters, the whitelisted ones and others, with hostile values."""
    text = ANY_TEXT if surrogates else st.text()
    return st.dictionaries(
        st.sampled_from(["q", "status", "severity", "service_source", "next", "url", "page"]),
        st.one_of(text, st.sampled_from(RISKY_VALUES)),
        max_size=6,
    )
