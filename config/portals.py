"""The sites' public addresses as settings read them: each an origin, and its host name."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# The settings naming each site's public address: Defender portal, legacy portal, Security
# Center, directory (web.hosts names the sites they belong to).
SITE_URL_SETTINGS = (
    "DEFENDER_PORTAL_URL",
    "LEGACY_PORTAL_URL",
    "ENDPOINT_PORTAL_URL",
    "IDENTITY_URL",
)


def portal_origin(url: str) -> str:
    """Return ``scheme://host[:port]`` for a configured portal URL, or refuse it."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(f"{url!r} is not an http(s) URL with a host name.")
    if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username:
        raise ImproperlyConfigured(f"{url!r} must be an origin only, like https://host:port.")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def host_of(origin: str) -> str:
    return urlsplit(origin).hostname or ""


def portal_hosts(*origins: str) -> list[str]:
    return [host_of(origin) for origin in origins]
