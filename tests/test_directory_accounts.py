"""An external directory's ID token becomes this project's tenant, account and roles."""

from __future__ import annotations

import uuid

import pytest

from accounts.directory_accounts import AccountRefused, account_from_claims
from accounts.models import DirectoryRole, RoleAssignment, Tenant
from accounts.roles import ROLE_TEMPLATE_IDS

pytestmark = pytest.mark.django_db

GLOBAL_ADMIN = ROLE_TEMPLATE_IDS[DirectoryRole.GLOBAL_ADMINISTRATOR]
READER = ROLE_TEMPLATE_IDS[DirectoryRole.SECURITY_READER]


def claims(**overrides) -> dict:
    return {
        "sub": "external-subject",
        "tid": str(uuid.UUID(int=7)),
        "email": "Admin@Northwind.example",
        "name": "Nora Admin",
        "wids": [GLOBAL_ADMIN, "00000000-0000-0000-0000-00000000abcd"],
        **overrides,
    }


def test_an_unknown_tenant_is_created_with_the_emails_domain_and_roles_from_wids():
    user, roles = account_from_claims(claims(), embedded=False)
    tenant = Tenant.objects.get(directory_id=uuid.UUID(int=7))
    assert (tenant.domain, user.email, user.tenant) == (
        "northwind.example",
        "admin@northwind.example",
        tenant,
    )
    assert roles == ["global_administrator"]
    assert not user.has_usable_password()
    assert list(RoleAssignment.objects.values_list("role", flat=True)) == roles


def test_roles_follow_wids_at_each_sign_in():
    account_from_claims(claims(), embedded=False)
    user, roles = account_from_claims(claims(wids=[READER]), embedded=False)
    assert roles == ["security_reader"]
    assert list(user.role_assignments.values_list("role", flat=True)) == ["security_reader"]


@pytest.mark.parametrize(
    "bad",
    [{"tid": "not-a-uuid"}, {"email": "", "preferred_username": ""}, {"tid": None}],
)
def test_a_token_without_tenant_or_email_signs_no_one_in(bad):
    with pytest.raises(AccountRefused):
        account_from_claims(claims(**bad), embedded=False)
    assert not Tenant.objects.exists()


def test_another_tenants_domain_or_account_is_refused(contoso, contoso_admin):
    with pytest.raises(AccountRefused):
        account_from_claims(claims(email="someone@contoso.example"), embedded=False)
    with pytest.raises(AccountRefused):
        account_from_claims(claims(email="admin@contoso.example"), embedded=False)
