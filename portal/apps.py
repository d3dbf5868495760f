"""Both portals' browsing pages and the legacy→Defender routing."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portals"

    def ready(self) -> None:
        from portal import demo  # noqa: F401  (adds the security data to seed_demo)
