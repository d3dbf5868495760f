"""Who an ID token names, in this project's own accounts: tenant from `tid`, roles from `wids`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import RoleAssignment, Tenant, User
from accounts.roles import roles_from_template_ids


class AccountRefused(Exception):
    """The directory vouched for someone this portal cannot sign in; the message says why."""


def account_from_claims(claims: Mapping, *, embedded: bool) -> tuple[User, list[str]]:
    """The account and its directory roles for a validated ID token's claims.

    The embedded directory shares this database: its accounts are ours, named by `sub`.
    An external one is trusted for its tenants: an unknown `tid` becomes a tenant (its domain
    from the email), an unknown email an account with no password, and `wids` its roles.
    """
    roles = roles_from_template_ids(claims.get("wids"))
    if embedded:
        user = User.objects.select_related("tenant").filter(pk=_int(claims.get("sub"))).first()
        tid = claims.get("tid")
        if user is None or str(user.tenant.directory_id if user.tenant else None) != str(tid):
            raise AccountRefused(_("The directory's answer does not match any account here."))
    else:
        user = _external_account(claims, roles)
    if not user.is_active:
        raise AccountRefused(_("This account is disabled."))
    return user, roles


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _external_account(claims: Mapping, roles: list[str]) -> User:
    email = str(claims.get("email") or claims.get("preferred_username") or "").strip().lower()
    try:
        tid = uuid.UUID(str(claims.get("tid")))
    except ValueError as error:
        raise AccountRefused(
            _("The directory did not say which tenant this account is in.")
        ) from error
    if "@" not in email:
        raise AccountRefused(_("The directory did not give this account's email."))
    domain = email.rpartition("@")[2]
    with transaction.atomic():
        tenant = Tenant.objects.filter(directory_id=tid).first()
        if tenant is None:
            try:
                with transaction.atomic():
                    tenant = Tenant.objects.create(directory_id=tid, name=domain, domain=domain)
            except IntegrityError as error:
                raise AccountRefused(
                    _("Another tenant here already uses the domain %(domain)s.")
                    % {"domain": domain}
                ) from error
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, tenant=tenant, display_name=str(claims.get("name") or "")[:200]
            )
        elif user.tenant_id != tenant.pk:
            raise AccountRefused(_("This account belongs to another tenant here."))
        # The one writer re-checks roles in this database: keep it what the directory says.
        held = RoleAssignment.objects.filter(user=user, tenant=tenant)
        held.exclude(role__in=roles).delete()
        for role in set(roles) - set(held.values_list("role", flat=True)):
            RoleAssignment.objects.create(user=user, tenant=tenant, role=role)
    return user
