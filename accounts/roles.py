"""Who may do what: the directory-role rules, in one place."""

from __future__ import annotations

from accounts.models import DirectoryRole, Tenant

SETTINGS_VIEWERS = frozenset(DirectoryRole.values)
REDIRECTION_CHANGERS = frozenset(
    {DirectoryRole.GLOBAL_ADMINISTRATOR, DirectoryRole.SECURITY_ADMINISTRATOR}
)


def roles_in(user, tenant: Tenant | int | None) -> frozenset[str]:
    """The directory roles ``user`` holds in ``tenant``, read once per user object."""
    tenant_id = getattr(tenant, "pk", tenant)
    if tenant_id is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cache = user.__dict__.setdefault("_roles_by_tenant", {})
    if tenant_id not in cache:
        cache[tenant_id] = frozenset(
            user.role_assignments.filter(tenant_id=tenant_id).values_list("role", flat=True)
        )
    return cache[tenant_id]


def can_view_settings(user, tenant: Tenant | int | None) -> bool:
    return bool(roles_in(user, tenant) & SETTINGS_VIEWERS)


def can_change_portal_redirection(user, tenant: Tenant | int | None) -> bool:
    return bool(roles_in(user, tenant) & REDIRECTION_CHANGERS)
