"""The Support group of the support console: exactly its permissions, and who is in it.

`migrate` creates the group (a data migration), so a real deployment has it without the demo
data; `seed_demo` corrects its permissions if they drifted and puts the demo's staff accounts
in it.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.dispatch import receiver

from accounts.demo import ACCOUNTS, demo_seeded
from accounts.models import Tenant, User

SUPPORT_GROUP = "Support"

# (app label, codename). Support looks at everything it needs, ends sessions, lifts sign-in
# pauses, triages feedback, registers tenants' SIEM integrations and turns redirection
# through the audited actions; it edits nothing else.
SUPPORT_PERMISSIONS = (
    ("accounts", "view_tenant"),
    ("accounts", "view_user"),
    ("accounts", "view_roleassignment"),
    ("accounts", "view_signinsession"),
    ("accounts", "change_signinsession"),
    ("settings_ui", "view_redirectionchange"),
    ("settings_ui", "change_portal_redirection"),
    ("settings_ui", "view_feedback"),
    ("settings_ui", "change_feedback"),
    # Registering a tenant's SIEM shows its secret once; removing it revokes its tokens.
    ("portal", "view_siemintegration"),
    ("portal", "add_siemintegration"),
    ("portal", "delete_siemintegration"),
    ("axes", "change_accessattempt"),  # lifting a pause (the record itself is never edited)
)

# Lockouts from the sign-in throttle: every record can be seen.
LOCKOUT_APP = "axes"


def support_permissions() -> list[Permission]:
    wanted = Q()
    for app_label, codename in SUPPORT_PERMISSIONS:
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(wanted).select_related("content_type"))
    missing = set(SUPPORT_PERMISSIONS) - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise LookupError(
            "Permissions missing (run migrate first): "
            + ", ".join(f"{app}.{code}" for app, code in sorted(missing))
        )
    lockouts = Permission.objects.filter(
        content_type__app_label=LOCKOUT_APP, codename__startswith="view_"
    )
    return [*found, *lockouts]


def ensure_support_group() -> tuple[Group, bool]:
    """Create or correct the Support group; True when anything changed."""
    group, created = Group.objects.get_or_create(name=SUPPORT_GROUP)
    wanted = {permission.pk for permission in support_permissions()}
    current = set(group.permissions.values_list("pk", flat=True))
    if wanted != current:
        group.permissions.set(wanted)
    return group, created or wanted != current


@receiver(demo_seeded, dispatch_uid="settings_ui.seed_support_group")
def seed_support_group(sender, tenants: dict[str, Tenant], **kwargs) -> list[str]:
    """Puts the demo's staff accounts in the Support group."""
    done = []
    group, changed = ensure_support_group()
    if changed:
        done.append(f"group {SUPPORT_GROUP}")
    staff_emails = [account.email for account in ACCOUNTS if account.is_staff]
    for user in User.objects.filter(email__in=staff_emails).exclude(groups=group):
        user.groups.add(group)
        done.append(f"{user.email} in {SUPPORT_GROUP}")
    return done
