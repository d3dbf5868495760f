"""The one writer of the portal redirection setting: every entry point changes it here."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from accounts.models import Tenant
from accounts.roles import can_change_portal_redirection, redirection_change_refused
from settings_ui.models import ChangeSource, PortalRedirection, RedirectionChange

logger = logging.getLogger("settings_ui.redirection")

# Sources whose caller has already decided who may act: the command runs with shell access
# to the server, and the admin action checks the support console's own permission. They skip
# the role check of the caller, never the check of the actor they record.
TRUSTED_SOURCES = frozenset({ChangeSource.CLI, ChangeSource.ADMIN})
USER_AGENT_LENGTH = RedirectionChange._meta.get_field("user_agent").max_length


def check_recorded_actor(actor, tenant: Tenant, source: str) -> None:
    """The audit names only someone who could have made the change: staff, or a changer there.

    A trusted caller skips its own role check, never this one: `--actor admin@fabrikam.example`
    on Contoso would make Contoso's history name Fabrikam's admin. Only the command may name
    nobody, recorded as "no named account".
    """
    if actor is None:
        if source == ChangeSource.CLI:
            return
        raise PermissionDenied("A change from the support console must name who made it.")
    if (actor.is_active and actor.is_staff) or can_change_portal_redirection(actor, tenant):
        return
    raise PermissionDenied(
        f"{actor.email} cannot be recorded as changing {tenant.domain}: the account must be "
        "support staff, or a Global Administrator or Security Administrator of that tenant."
    )


@dataclass(frozen=True)
class RedirectionResult:
    setting: PortalRedirection
    changed: bool


def set_portal_redirection(
    tenant: Tenant,
    enabled: bool,
    *,
    actor=None,
    source: str,
    ip_address: str | None = None,
    user_agent: str = "",
) -> RedirectionResult:
    """Turn a tenant's Automatic redirection On or Off, audited, in one transaction.

    Setting the value the tenant already has changes nothing: no audit row, and
    ``enabled_at`` keeps the moment of the latest real Off→On.
    """
    if not isinstance(enabled, bool):
        raise TypeError("enabled must be True or False")
    if source not in ChangeSource.values:
        raise ValueError(f"unknown change source {source!r}")
    if source in TRUSTED_SOURCES:
        check_recorded_actor(actor, tenant, source)
    elif not can_change_portal_redirection(actor, tenant):
        raise PermissionDenied(redirection_change_refused(tenant))

    with transaction.atomic():
        PortalRedirection.objects.get_or_create(tenant=tenant)
        setting = PortalRedirection.objects.select_for_update().get(tenant=tenant)
        if setting.enabled == enabled:
            return RedirectionResult(setting=setting, changed=False)

        now = timezone.now()
        old_value = setting.enabled
        setting.enabled = enabled
        if enabled:
            setting.enabled_at = now
        setting.updated_at = now
        setting.updated_by = actor
        setting.save()
        RedirectionChange.objects.create(
            tenant=tenant,
            actor=actor,
            source=source,
            old_value=old_value,
            new_value=enabled,
            changed_at=now,
            ip_address=ip_address,
            user_agent=user_agent[:USER_AGENT_LENGTH],
        )

    logger.info(
        "redirection_changed tenant=%s actor=%s source=%s enabled=%s",
        tenant.pk,
        getattr(actor, "pk", None),
        source,
        "on" if enabled else "off",
    )
    return RedirectionResult(setting=setting, changed=True)
