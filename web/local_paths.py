"""The one check of a redirect target taken from a request: a path on this very site."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from django.utils.http import url_has_allowed_host_and_scheme

# Unicode categories that have no business in a path: controls, invisible format characters,
# and line or paragraph separators, which browsers strip or treat as breaks.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def local_redirect_target(url: str | None) -> str | None:
    """`url` if it is a path on this very site, else None.

    Stricter than Django's own check: it also refuses absolute URLs to this host, leading or
    trailing whitespace, control and invisible characters, and anything a browser could read
    as another host (`//host`, `/\\host`). Every page that redirects to a target taken from
    the request (sign-in `next`, and later ones) passes it through here.
    """
    if not url or url != url.strip() or not url.startswith("/") or url.startswith(("//", "/\\")):
        return None
    if any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in url):
        return None
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=set()):
        return None
    # Every page path of ours is plain ASCII (a query may carry any text): refusing the rest
    # refuses look-alike slashes and dots (/\u2215\u2215host). Encoded slashes (/%2F%2Fhost)
    # reach the server as //host; no page of ours needs them either.
    path = urlsplit(url).path
    if not path.isascii() or unquote(path).startswith(("//", "/\\")):
        return None
    return url
