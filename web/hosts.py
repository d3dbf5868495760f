"""Host routing: one project, four sites (three portals and the directory), one URLconf each."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.urls import get_script_prefix, get_urlconf, reverse

from config.portals import SITE_URL_SETTINGS, host_of

# The sites one project serves, as each request names the one answering it (request.portal).
DEFENDER = "defender"
LEGACY = "legacy"
ENDPOINT = "endpoint"
DIRECTORY = "directory"
SERVICE = "service"

URLCONFS = {
    DEFENDER: "config.urls_defender",
    LEGACY: "config.urls_legacy",
    ENDPOINT: "config.urls_endpoint",
    DIRECTORY: "config.urls_directory",
    SERVICE: "config.urls_service",
}

# The setting naming each site's origin; every other allowed host is a service host.
URL_SETTINGS = dict(zip((DEFENDER, LEGACY, ENDPOINT, DIRECTORY), SITE_URL_SETTINGS, strict=True))

# The directory's relying parties: every site an account signs in to, in a fixed order (the
# order a sign-out visits the others in).
PORTALS = (DEFENDER, LEGACY, ENDPOINT)


def urlconf_for(portal: str) -> str:
    """The URLconf that answers a portal's requests."""
    return URLCONFS[portal]


def site_url(site: str) -> str:
    """A site's origin (scheme, host and port) as configured."""
    return getattr(settings, URL_SETTINGS[site])


def page_url(site: str, url_name: str, fragment: str = "", **kwargs) -> str:
    """The absolute URL of a page of ``site``, whichever site answers this request."""
    path = reverse(url_name, kwargs=kwargs or None, urlconf=urlconf_for(site))
    return f"{site_url(site)}{path}{'#' + fragment if fragment else ''}"


def site_path(url_name: str) -> str:
    """The path of a URL name that takes no arguments, on the site answering this request.

    Reversed once per site: a page names the same few (navigation, sign-out, feedback) on
    every request, and each reverse() costs tens of µs.
    """
    return _reversed(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), url_name)


@lru_cache(maxsize=512)
def _reversed(urlconf: str, script_prefix: str, url_name: str) -> str:
    return reverse(url_name, urlconf=urlconf)


def portal_for_host(host: str) -> str:
    """Name the portal a (validated) host name belongs to."""
    for site, setting in URL_SETTINGS.items():
        if host == host_of(getattr(settings, setting)):
            return site
    return SERVICE


class PortalHostMiddleware:
    """Pick the portal from the Host header; unknown hosts end here with a 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # get_host() validates against ALLOWED_HOSTS and raises DisallowedHost (a 400).
        host, _port = split_domain_port(request.get_host())
        request.portal = portal_for_host(host)
        request.urlconf = urlconf_for(request.portal)
        return self.get_response(request)
