"""Who may do what: the directory-role rules, in one place."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from accounts.models import DirectoryRole, Tenant

SETTINGS_VIEWERS = frozenset(DirectoryRole.values)
REDIRECTION_CHANGERS = frozenset(
    {DirectoryRole.GLOBAL_ADMINISTRATOR, DirectoryRole.SECURITY_ADMINISTRATOR}
)
# Who triages the organization's alerts in the Defender portal: status, assignment,
# classification and determination, comments.
ALERT_MANAGERS = frozenset(
    {
        DirectoryRole.GLOBAL_ADMINISTRATOR,
        DirectoryRole.SECURITY_ADMINISTRATOR,
        DirectoryRole.SECURITY_OPERATOR,
    }
)
# Who is told by e-mail of a new endpoint alert of the organization.
ALERT_NOTIFICATION_RECIPIENTS = frozenset(
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


def views_settings(roles: Iterable[str]) -> bool:
    """Whether an account holding ``roles`` may open the Settings pages."""
    return not SETTINGS_VIEWERS.isdisjoint(roles)


def changes_portal_redirection(roles: Iterable[str]) -> bool:
    """Whether an account holding ``roles`` may turn Automatic redirection On or Off."""
    return not REDIRECTION_CHANGERS.isdisjoint(roles)


def manages_alerts(roles: Iterable[str]) -> bool:
    """Whether an account holding ``roles`` may change an alert's triage or comment on it."""
    return not ALERT_MANAGERS.isdisjoint(roles)


def can_view_settings(user, tenant: Tenant | int | None) -> bool:
    return views_settings(roles_in(user, tenant))


def can_change_portal_redirection(user, tenant: Tenant | int | None) -> bool:
    return changes_portal_redirection(roles_in(user, tenant))


def can_manage_alerts(user, tenant: Tenant | int | None) -> bool:
    return manages_alerts(roles_in(user, tenant))


def roles_in_words(roles: Iterable[str]) -> str:
    """The roles in the directory's order, as a sentence names them ("a Global Administrator
    or a Security Reader"): a sentence saying who may do something follows the rule."""
    held = frozenset(roles)
    names = [str(role.label) for role in DirectoryRole if role in held]
    named = [f"{'an' if name[:1] in 'AEIOU' else 'a'} {name}" for name in names]
    if len(named) < 2:
        return "".join(named)
    return f"{', '.join(named[:-1])} or {named[-1]}"


def alert_managers_in_words(tenant: Tenant | None) -> str:
    """Who manages the organization's alerts, in words: "… or a Security Operator of Contoso"."""
    organization = tenant.name if tenant is not None else _("your organization")
    return f"{roles_in_words(ALERT_MANAGERS)} of {organization}"


def redirection_change_refused(tenant: Tenant | None) -> str:
    """Why a change of the tenant's switch is refused to an account without a changing role."""
    organization = tenant.name if tenant is not None else _("your organization")
    return REDIRECTION_CHANGE_REFUSED % {"organization": organization}


# The directory's role template ids, as Microsoft's directory sends them in `wids`.
ROLE_TEMPLATE_IDS = {
    DirectoryRole.GLOBAL_ADMINISTRATOR: "62e90394-69f5-4237-9190-012177145e10",
    DirectoryRole.SECURITY_ADMINISTRATOR: "194ae4cb-b126-40b2-bd5b-6091b380977d",
    DirectoryRole.SECURITY_OPERATOR: "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f",
    DirectoryRole.SECURITY_READER: "5d6b6bb7-de71-4623-b4af-96380a352509",
    DirectoryRole.GLOBAL_READER: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
}
ROLES_BY_TEMPLATE_ID = {template: role for role, template in ROLE_TEMPLATE_IDS.items()}


def template_ids(roles) -> list[str]:
    return sorted(ROLE_TEMPLATE_IDS[DirectoryRole(role)] for role in roles)


def roles_from_template_ids(wids) -> list[str]:
    """The directory roles a `wids` claim names; ids of roles this product has no use for drop."""
    if not isinstance(wids, list):
        return []
    return sorted({ROLES_BY_TEMPLATE_ID[w] for w in wids if w in ROLES_BY_TEMPLATE_ID})
