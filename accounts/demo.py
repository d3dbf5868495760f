"""The demo tenants, accounts and security data that `seed_demo` puts in place."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

from accounts.models import DirectoryRole, RoleAssignment, Tenant, User


@dataclass(frozen=True)
class DemoAccount:
    email: str
    display_name: str
    tenant_domain: str | None
    role: str | None = None
    is_staff: bool = False


TENANTS = {"contoso.example": "Contoso", "fabrikam.example": "Fabrikam"}

ACCOUNTS = (
    DemoAccount(
        "admin@contoso.example",
        "Megan Bowen",
        "contoso.example",
        DirectoryRole.GLOBAL_ADMINISTRATOR,
    ),
    DemoAccount(
        "secadmin@contoso.example",
        "Isaiah Langer",
        "contoso.example",
        DirectoryRole.SECURITY_ADMINISTRATOR,
    ),
    DemoAccount(
        "operator@contoso.example",
        "Adele Vance",
        "contoso.example",
        DirectoryRole.SECURITY_OPERATOR,
    ),
    DemoAccount(
        "reader@contoso.example", "Lee Gu", "contoso.example", DirectoryRole.SECURITY_READER
    ),
    DemoAccount("analyst@contoso.example", "Nestor Wilke", "contoso.example"),
    DemoAccount(
        "admin@fabrikam.example",
        "Pradeep Gupta",
        "fabrikam.example",
        DirectoryRole.GLOBAL_ADMINISTRATOR,
    ),
    DemoAccount("support@defender.example", "Support Desk", None, is_staff=True),
)

# Sent inside seed_demo's transaction with ``tenants`` (domain → Tenant), so the apps that
# own other demo data (security data, the support group) add theirs without being imported.
demo_seeded = Signal()


@transaction.atomic
def seed_demo(password: str) -> list[str]:
    """Create the demo data; running it again changes nothing. Returns what it did."""
    done = []
    tenants = {}
    for domain, name in TENANTS.items():
        tenant, created = Tenant.objects.get_or_create(domain=domain, defaults={"name": name})
        tenants[domain] = tenant
        if created:
            done.append(f"tenant {name}")

    for account in ACCOUNTS:
        tenant = tenants.get(account.tenant_domain)
        user = User.objects.filter(email=account.email).first()
        if user is None:
            user = User.objects.create_user(
                account.email,
                password,
                display_name=account.display_name,
                tenant=tenant,
                is_staff=account.is_staff,
            )
            done.append(f"account {account.email}")
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
            done.append(f"password of {account.email}")
        if account.role:
            RoleAssignment.objects.get_or_create(user=user, tenant=tenant, role=account.role)

    for _receiver, outcome in demo_seeded.send(sender=seed_demo, tenants=tenants):
        done.extend(outcome or [])
    return done
