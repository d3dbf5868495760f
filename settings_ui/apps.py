"""The Defender Settings area."""

from django.apps import AppConfig


class SettingsUiConfig(AppConfig):
    name = "settings_ui"
    verbose_name = "Defender settings"

    def ready(self) -> None:
        from settings_ui import support  # noqa: F401  (adds the Support group to seed_demo)
