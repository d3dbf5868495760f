"""The portals' browsing pages, the Security Center's API and the routing to the Defender portal."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portals"

    def ready(self) -> None:
        from portal import (
            demo,  # noqa: F401  (adds the security data to seed_demo)
            signals,  # noqa: F401  (connects the receivers)
        )
