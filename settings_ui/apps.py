"""The Defender Settings area."""

from django.apps import AppConfig


class SettingsUiConfig(AppConfig):
    name = "settings_ui"
    verbose_name = "Defender settings"

    def ready(self) -> None:
        # The state's cache follows the rows it mirrors; seed_demo fills the Support group.
        from settings_ui import state, support  # noqa: F401
