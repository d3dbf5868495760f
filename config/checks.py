"""Start-up checks of the sites' configuration."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from config.portals import SITE_URL_SETTINGS, host_of


@checks.register(checks.Tags.compatibility)
def check_portals_on_separate_hosts(app_configs, **kwargs) -> list[checks.CheckMessage]:
    sites = {name: host_of(getattr(settings, name)) for name in SITE_URL_SETTINGS}
    names = list(sites)
    for index, first in enumerate(names):
        for second in names[index + 1 :]:
            if sites[first] == sites[second]:
                return [
                    checks.Error(
                        f"{first} and {second} share the host {sites[first]!r}.",
                        hint="Give each site its own host name; the sites are told apart by host.",
                        id="portals.E001",
                    )
                ]
    return []


@checks.register(checks.Tags.security)
def check_production_without_debug(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Transport security no longer follows DEBUG, so say when a run without it is exposed."""
    if settings.DEBUG:
        return []
    warnings = []
    if not (settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE):
        warnings.append(
            checks.Warning(
                "Debug is off but the session and CSRF cookies are not Secure: they travel "
                "over plain http.",
                hint="Publish every portal URL over https, or set DJANGO_SECURE_COOKIES=true.",
                id="portals.W001",
            )
        )
    if not settings.STATIC_MANIFEST:
        warnings.append(
            checks.Warning(
                "Debug is off but static files are served unhashed from the source folders.",
                hint="Unset DJANGO_STATIC_MANIFEST and run collectstatic.",
                id="portals.W002",
            )
        )
    return warnings
