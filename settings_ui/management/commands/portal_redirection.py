"""`python manage.py portal_redirection <domain> ...`: the switch and its staged rollout."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Tenant, User
from settings_ui.forms import OFF, ON, RedirectionForm
from settings_ui.models import ChangeSource, PortalRedirection, Scope, on_off
from settings_ui.services import InvalidChange, change_portal_redirection
from settings_ui.workloads import DEFAULT, Workload


class Command(BaseCommand):
    help = (
        "Show or change a tenant's Automatic redirection, its scope (everyone or a pilot "
        "group) and its schedule. Changes are audited with the source 'cli' and, with "
        "--actor, the account named."
    )

    def add_arguments(self, parser):
        parser.add_argument("tenant", help="The tenant's primary domain, e.g. contoso.example.")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--on", dest="action", action="store_const", const="on")
        action.add_argument("--off", dest="action", action="store_const", const="off")
        action.add_argument("--status", dest="action", action="store_const", const="status")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument(
            "--pilot",
            metavar="EMAIL[,EMAIL...]",
            help="Route only these accounts of the tenant (the whole pilot group).",
        )
        scope.add_argument("--everyone", action="store_true", help="Route every account.")
        parser.add_argument(
            "--at",
            metavar="ISO8601",
            help="With --on or --off: do it at this future time (UTC unless an offset is given).",
        )
        parser.add_argument(
            "--cancel-schedule", action="store_true", help="Cancel the scheduled On and Off."
        )
        parser.add_argument(
            "--workload",
            choices=Workload.values,
            default=DEFAULT,
            help="Which former portal's redirection: identity (the default) or endpoint.",
        )
        parser.add_argument(
            "--actor",
            help="Email of the account the change is recorded for: support staff, or a Global "
            "Administrator or Security Administrator of that tenant.",
        )

    def handle(
        self,
        *args,
        tenant: str,
        action: str | None,
        actor: str | None = None,
        workload: str = DEFAULT,
        **options,
    ):
        found = Tenant.objects.filter(domain__iexact=tenant.strip()).first()
        if found is None:
            raise CommandError(f"No tenant has the domain {tenant!r}.")
        account = None
        if actor:
            account = User.objects.filter(email__iexact=actor.strip()).first()
            if account is None:
                raise CommandError(f"No account has the email {actor!r}.")

        at = options["at"]
        update = self.update(action, **options)
        if update is not None:
            try:
                result = change_portal_redirection(
                    found, update, actor=account, source=ChangeSource.CLI, workload=workload
                )
            except (InvalidChange, PermissionDenied) as refusal:
                raise CommandError(str(refusal)) from None
            if not result.changed:
                already = f"Already {action.capitalize()}" if action and not at else "Already so"
                self.stdout.write(f"{already}: nothing changed.")
        self.stdout.write(describe(found, workload))

    @staticmethod
    def update(action, *, pilot, everyone, at, cancel_schedule, **options):
        """What the options ask for, or None for --status; a usage mistake is a CommandError."""
        changes = pilot is not None or everyone or at or cancel_schedule
        if action == "status" and changes:
            raise CommandError("--status cannot be combined with a change.")
        if action is None and not changes:
            raise CommandError(
                "Say what to do: --on, --off, --status, --pilot, --everyone or --cancel-schedule."
            )
        if action == "status":
            return None
        if at and action is None:
            raise CommandError("--at needs --on or --off.")
        if at and cancel_schedule:
            raise CommandError("--at and --cancel-schedule cannot be combined.")
        # The options as the settings page's form data, checked by the same form.
        data = {}
        if pilot is not None:
            data.update(scope=Scope.PILOT, pilot_accounts=pilot)
        if everyone:
            data["scope"] = Scope.EVERYONE
        if cancel_schedule:
            data.update(scheduled_on_at="", scheduled_off_at="")
        if at:
            data[f"scheduled_{action}_at"] = at
        elif action:
            data["enabled"] = ON if action == "on" else OFF
        form = RedirectionForm(data)
        if not form.is_valid():
            raise CommandError(form.refusal())
        return form.update()


def describe(tenant: Tenant, workload: str = DEFAULT) -> str:
    """The switch as in force now, with its scope and any pending schedule."""
    setting = (
        PortalRedirection.objects.select_related("updated_by")
        .filter(tenant=tenant, workload=workload)
        .first()
    )
    if setting is not None:
        setting.settle(timezone.now())
    enabled = bool(setting and setting.enabled)
    named = "" if workload == DEFAULT else f" ({Workload(workload).label})"
    lines = [f"{tenant.name} ({tenant.domain}): automatic redirection{named} is {on_off(enabled)}"]
    if setting is None:
        return "\n".join(lines)
    if enabled and setting.enabled_at:
        lines.append(f"  enabled at: {setting.enabled_at.isoformat()}")
    if setting.scope == Scope.PILOT:
        emails = sorted(setting.pilot_accounts.values_list("user__email", flat=True))
        lines.append(f"  scope: pilot group ({', '.join(emails)})")
    elif setting.everyone_since:
        lines.append("  scope: everyone")
    for label, moment in (("On", setting.scheduled_on_at), ("Off", setting.scheduled_off_at)):
        if moment:
            lines.append(f"  turns {label} at: {moment.isoformat()}")
    if setting.updated_at:
        by = setting.updated_by.email if setting.updated_by_id else "no named account"
        lines.append(f"  last changed: {setting.updated_at.isoformat()} by {by}")
    return "\n".join(lines)
