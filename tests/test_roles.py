"""The role rules: who may view Settings and who may change portal redirection."""

import pytest

from accounts.models import DirectoryRole
from accounts.roles import can_change_portal_redirection, can_view_settings
from tests.factories import RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPECTED = {
    DirectoryRole.GLOBAL_ADMINISTRATOR: (True, True),
    DirectoryRole.SECURITY_ADMINISTRATOR: (True, True),
    DirectoryRole.SECURITY_OPERATOR: (True, False),
    DirectoryRole.SECURITY_READER: (True, False),
    DirectoryRole.GLOBAL_READER: (True, False),
}


def test_every_directory_role_is_covered():
    assert set(EXPECTED) == set(DirectoryRole)


@pytest.mark.parametrize("role", list(DirectoryRole))
def test_role_in_own_tenant(role, contoso):
    user = UserFactory(tenant=contoso, roles=[role])
    assert (can_view_settings(user, contoso), can_change_portal_redirection(user, contoso)) == (
        EXPECTED[role]
    )


@pytest.mark.parametrize("role", list(DirectoryRole))
def test_role_in_another_tenant_counts_for_nothing_here(role, contoso, fabrikam):
    user = UserFactory(tenant=contoso)
    RoleAssignmentFactory(user=user, tenant=fabrikam, role=role)
    assert not can_view_settings(user, contoso)
    assert not can_change_portal_redirection(user, contoso)
    assert can_view_settings(user, fabrikam)


def test_no_role_no_settings(contoso_analyst, contoso):
    assert not can_view_settings(contoso_analyst, contoso)
    assert not can_change_portal_redirection(contoso_analyst, contoso)


def test_inactive_admin_can_do_nothing(contoso):
    user = UserFactory(tenant=contoso, roles=[DirectoryRole.GLOBAL_ADMINISTRATOR], is_active=False)
    assert not can_change_portal_redirection(user, contoso)


def test_anonymous_can_do_nothing(contoso):
    from django.contrib.auth.models import AnonymousUser

    assert not can_view_settings(AnonymousUser(), contoso)
    assert not can_change_portal_redirection(AnonymousUser(), contoso)
