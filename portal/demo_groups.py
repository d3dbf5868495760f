"""The demo tenants' directory groups: who is in them, how the sensitive ones changed, and the
passwords the sensors saw sent in clear text. Built from the identities and devices already
seeded, so every name a report shows is one the portals can open."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from accounts.models import Tenant
from portal.models import ClearTextPassword, Device, Group, GroupChange, Identity

# (name, description): the built-in groups Defender for Identity treats as sensitive.
SENSITIVE_GROUPS = (
    ("Domain Admins", "Designated administrators of the domain"),
    ("Enterprise Admins", "Designated administrators of the enterprise"),
    ("Schema Admins", "Designated administrators of the schema"),
    ("Account Operators", "Members can administer domain user and group accounts"),
    ("Backup Operators", "Members can override security restrictions to back up files"),
)
OTHER_GROUPS = (
    ("Helpdesk", "First-line support staff"),
    ("VPN Users", "Accounts allowed to connect through the VPN"),
)
GROUP_CHANGES = 14
CLEAR_TEXT_PASSWORDS = 6


def seed_groups(tenant: Tenant, rng: random.Random) -> None:
    identities = list(Identity.objects.filter(tenant=tenant).order_by("pk"))
    devices = list(Device.objects.filter(tenant=tenant).order_by("pk"))
    if not identities or not devices:
        return
    now = timezone.now()
    domain_controllers = [device for device in devices if device.is_domain_controller] or devices
    workstations = [device for device in devices if not device.is_domain_controller] or devices
    sensitive_people = [identity for identity in identities if identity.is_sensitive]
    departments = sorted({identity.department for identity in identities if identity.department})
    groups = Group.objects.bulk_create(
        [
            Group(
                tenant=tenant,
                name=name,
                description=description,
                is_sensitive=True,
                created_at=now - timedelta(days=900),
            )
            for name, description in SENSITIVE_GROUPS
        ]
        + [
            Group(
                tenant=tenant,
                name=name,
                description=description,
                created_at=now - timedelta(days=600),
            )
            for name, description in OTHER_GROUPS
        ]
        + [
            Group(
                tenant=tenant,
                name=f"{department} department",
                description=f"Everyone in {department}",
                created_at=now - timedelta(days=rng.randint(100, 500)),
            )
            for department in departments
        ]
    )
    # Members of a sensitive group are the sensitive accounts, as the sensors mark them.
    for group in groups[: len(SENSITIVE_GROUPS)]:
        group.members.set(
            rng.sample(sensitive_people, min(len(sensitive_people), rng.randint(1, 3)))
        )
    for group in groups[len(SENSITIVE_GROUPS) : len(SENSITIVE_GROUPS) + len(OTHER_GROUPS)]:
        group.members.set(rng.sample(identities, min(len(identities), rng.randint(3, 8))))
    for group in groups[len(SENSITIVE_GROUPS) + len(OTHER_GROUPS) :]:
        department = group.name.removesuffix(" department")
        group.members.set([i for i in identities if i.department == department])
    changes = []
    for _ in range(GROUP_CHANGES):
        # Mostly the sensitive groups: those are the ones a report follows.
        group = rng.choice(groups[: len(SENSITIVE_GROUPS)] if rng.random() < 0.8 else groups)
        changes.append(
            GroupChange(
                tenant=tenant,
                group=group,
                action=rng.choice(GroupChange.Action.values),
                member=rng.choice(identities),
                changed_by=rng.choice(sensitive_people or identities),
                domain_controller=rng.choice(domain_controllers),
                changed_at=now - timedelta(minutes=rng.randint(30, 60 * 24 * 30)),
            )
        )
    GroupChange.objects.bulk_create(changes)
    ClearTextPassword.objects.bulk_create(
        ClearTextPassword(
            tenant=tenant,
            identity=rng.choice(identities),
            source=rng.choice(workstations),
            seen_at=now - timedelta(minutes=rng.randint(30, 60 * 24 * 30)),
        )
        for _ in range(CLEAR_TEXT_PASSWORDS)
    )
