"""Start-up checks of the portal configuration."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from config.portals import host_of


@checks.register(checks.Tags.compatibility)
def check_portals_on_separate_hosts(app_configs, **kwargs) -> list[checks.CheckMessage]:
    defender = host_of(settings.DEFENDER_PORTAL_URL)
    legacy = host_of(settings.LEGACY_PORTAL_URL)
    if defender == legacy:
        return [
            checks.Error(
                f"DEFENDER_PORTAL_URL and LEGACY_PORTAL_URL share the host {defender!r}.",
                hint="Give each portal its own host name; the portals are told apart by host.",
                id="portals.E001",
            )
        ]
    return []
