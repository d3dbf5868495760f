"""The Defender Settings area."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SettingsUiConfig(AppConfig):
    name = "settings_ui"
    verbose_name = "Defender settings"

    def ready(self) -> None:
        from settings_ui import support  # (also adds the Support group to seed_demo)

        # Sent for this app after Django's own post_migrate work for the apps listed before
        # it (auth, accounts, portal), so their permissions exist by then.
        post_migrate.connect(
            support.create_support_group, sender=self, dispatch_uid="settings_ui.support_group"
        )
