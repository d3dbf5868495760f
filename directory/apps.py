"""The directory: the OpenID Connect provider every portal trusts, and its sign-in pages."""

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from django.apps import apps
        from django.db.models.signals import post_migrate

        from accounts.sign_ins import sign_ins_ended
        from directory.logout import end_clients_of_sign_ins
        from directory.provider import register_portal_client

        # After the provider's own tables exist: the portals' client is one of their rows.
        post_migrate.connect(
            register_portal_client,
            sender=apps.get_app_config("oauth2_provider"),
            dispatch_uid="directory.client",
        )
        sign_ins_ended.connect(end_clients_of_sign_ins, dispatch_uid="directory.end_clients")
