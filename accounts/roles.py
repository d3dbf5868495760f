"""Who may do what: the directory-role rules, in one place."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import DirectoryRole, Tenant

SETTINGS_VIEWERS = frozenset(DirectoryRole.values)
REDIRECTION_CHANGERS = frozenset(
    {DirectoryRole.GLOBAL_ADMINISTRATOR, DirectoryRole.SECURITY_ADMINISTRATOR}
)

# One wording for every refusal of a change for want of a role: page, API and the writer.
REDIRECTION_CHANGE_REFUSED = _(
    "Only a Global Administrator or a Security Administrator of %(organization)s "
    "can turn automatic redirection On or Off."
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


def redirection_change_refused(tenant: Tenant | None) -> str:
    """Why a change of the tenant's switch is refused to an account without a changing role."""
    organization = tenant.name if tenant is not None else _("your organization")
    return REDIRECTION_CHANGE_REFUSED % {"organization": organization}
