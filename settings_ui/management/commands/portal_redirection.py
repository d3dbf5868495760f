"""`python manage.py portal_redirection <domain> --on|--off|--status`: the switch from a shell."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Tenant, User
from settings_ui.models import ChangeSource, PortalRedirection, on_off
from settings_ui.services import set_portal_redirection


class Command(BaseCommand):
    help = (
        "Show or change a tenant's Automatic redirection. Changes are audited with the "
        "source 'cli' and, with --actor, the account named."
    )

    def add_arguments(self, parser):
        parser.add_argument("tenant", help="The tenant's primary domain, e.g. contoso.example.")
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--on", dest="action", action="store_const", const="on")
        action.add_argument("--off", dest="action", action="store_const", const="off")
        action.add_argument("--status", dest="action", action="store_const", const="status")
        parser.add_argument(
            "--actor",
            help="Email of the account the change is recorded for: support staff, or a Global "
            "Administrator or Security Administrator of that tenant.",
        )

    def handle(self, *args, tenant: str, action: str, actor: str | None = None, **options):
        found = Tenant.objects.filter(domain__iexact=tenant.strip()).first()
        if found is None:
            raise CommandError(f"No tenant has the domain {tenant!r}.")
        account = None
        if actor:
            account = User.objects.filter(email__iexact=actor.strip()).first()
            if account is None:
                raise CommandError(f"No account has the email {actor!r}.")

        if action != "status":
            try:
                result = set_portal_redirection(
                    found, action == "on", actor=account, source=ChangeSource.CLI
                )
            except PermissionDenied as refusal:
                raise CommandError(str(refusal)) from None
            if not result.changed:
                self.stdout.write(f"Already {action.capitalize()}: nothing changed.")
        self.stdout.write(self.describe(found))

    def describe(self, tenant: Tenant) -> str:
        setting = (
            PortalRedirection.objects.select_related("updated_by").filter(tenant=tenant).first()
        )
        enabled = bool(setting and setting.enabled)
        lines = [f"{tenant.name} ({tenant.domain}): automatic redirection is {on_off(enabled)}"]
        if enabled and setting.enabled_at:
            lines.append(f"  enabled at: {setting.enabled_at.isoformat()}")
        if setting and setting.updated_at:
            by = setting.updated_by.email if setting.updated_by_id else "no named account"
            lines.append(f"  last changed: {setting.updated_at.isoformat()} by {by}")
        return "\n".join(lines)
