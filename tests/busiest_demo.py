"""The demo data in its busiest state: what a tenant that has used the setting for a while shows.

A fresh tenant hides what a real one shows: no history, no schedule, no pilot group. Width,
contrast and look tests (and `make screenshots`) run on this state instead, made on top of
`seed_demo` through the one writer, as a tenant's admins would have made it:

- a history longer than the page shows, by several accounts (one with a long email) and
  every source, each kind of change;
- a pilot group of several accounts, the long email among them;
- the switch On, with a schedule to turn it Off in a couple of hours and On again a day later;
- feedback from both portals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import DirectoryRole, Portal, RoleAssignment, Tenant, User
from settings_ui.models import ChangeSource, Feedback
from settings_ui.services import RedirectionUpdate, change_portal_redirection

TENANT = "contoso.example"
# Long enough to run out of a phone's width in any one line.
LONG_EMAIL = "alexandria.montgomery-fitzgerald.security-operations@contoso.example"
PILOT = ("analyst@contoso.example", "operator@contoso.example", LONG_EMAIL)
SUPPORT = "support@defender.example"
CHANGERS = ("admin@contoso.example", "secadmin@contoso.example", SUPPORT)
TURNS_OFF_IN = timedelta(hours=1, minutes=54)
TURNS_ON_AGAIN_IN = timedelta(days=1, hours=3)
FEEDBACK = (
    (
        Portal.DEFENDER,
        Feedback.Category.REDIRECTION,
        "After the switch my bookmark to the old timeline opened the alerts queue, which is "
        "fine, but the filter I had saved on the timeline was not kept.",
    ),
    (
        Portal.LEGACY,
        Feedback.Category.MISSING,
        "I can't find the lateral movement paths of a user in the new portal yet.",
    ),
)


@dataclass(frozen=True)
class Busiest:
    tenant: Tenant
    long_email_admin: User
    turns_off_at: datetime
    turns_on_at: datetime


def make_busiest(password: str, *, now: datetime | None = None) -> Busiest:
    """Put the demo tenant Contoso in its busiest state (after `seed_demo`); returns its parts."""
    now = now or timezone.now()
    tenant = Tenant.objects.get(domain=TENANT)
    long_admin = User.objects.filter(email=LONG_EMAIL).first()
    if long_admin is None:
        long_admin = User.objects.create_user(
            LONG_EMAIL, password, display_name="Alexandria Montgomery-Fitzgerald", tenant=tenant
        )
    RoleAssignment.objects.get_or_create(
        user=long_admin, tenant=tenant, role=DirectoryRole.GLOBAL_ADMINISTRATOR
    )
    accounts = {user.email: user for user in User.objects.filter(email__in=[*PILOT, *CHANGERS])}

    def change(actor: str | None, source: str, **update) -> None:
        change_portal_redirection(
            tenant,
            RedirectionUpdate(**update),
            actor=accounts[actor] if actor else None,
            source=source,
            ip_address="203.0.113.24",
            user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edge/120.0",
        )

    change(LONG_EMAIL, ChangeSource.WEB, enabled=True)
    change("secadmin@contoso.example", ChangeSource.API, enabled=False)
    change(None, ChangeSource.CLI, pilot_emails=PILOT[:2], scope="pilot")
    change(LONG_EMAIL, ChangeSource.WEB, pilot_emails=PILOT)
    change(SUPPORT, ChangeSource.ADMIN, enabled=True)
    turns_off_at = now + TURNS_OFF_IN
    turns_on_at = now + TURNS_ON_AGAIN_IN
    change(LONG_EMAIL, ChangeSource.WEB, scheduled_off_at=turns_off_at, scheduled_on_at=turns_on_at)

    for portal, category, message in FEEDBACK:
        Feedback.objects.get_or_create(
            tenant=tenant,
            user=accounts[LONG_EMAIL],
            portal=portal,
            category=category,
            defaults={"message": message, "from_path": "/alerts", "may_contact": True},
        )
    return Busiest(tenant, long_admin, turns_off_at, turns_on_at)
