"""Accounts app: connects the sign-in receivers."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from accounts import signals  # noqa: F401  (connects the receivers)
        from accounts.provider import register_portal_client

        post_migrate.connect(register_portal_client, sender=self, dispatch_uid="accounts.client")
