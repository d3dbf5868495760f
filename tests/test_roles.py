"""The role rules: who may view Settings, change portal redirection and manage alerts."""

import pytest

from accounts.models import DirectoryRole
from accounts.roles import (
    ALERT_MANAGERS,
    alert_managers_in_words,
    can_change_portal_redirection,
    can_manage_alerts,
    can_view_settings,
    roles_in_words,
)
from tests.factories import RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db

# (views Settings, changes portal redirection, manages alerts)
EXPECTED = {
    DirectoryRole.GLOBAL_ADMINISTRATOR: (True, True, True),
    DirectoryRole.SECURITY_ADMINISTRATOR: (True, True, True),
    DirectoryRole.SECURITY_OPERATOR: (True, False, True),
    DirectoryRole.SECURITY_READER: (True, False, False),
    DirectoryRole.GLOBAL_READER: (True, False, False),
}


def test_every_directory_role_is_covered():
    assert set(EXPECTED) == set(DirectoryRole)


@pytest.mark.parametrize("role", list(DirectoryRole))
def test_role_in_own_tenant(role, contoso):
    user = UserFactory(tenant=contoso, roles=[role])
    assert (
        can_view_settings(user, contoso),
        can_change_portal_redirection(user, contoso),
        can_manage_alerts(user, contoso),
    ) == EXPECTED[role]


@pytest.mark.parametrize("role", list(DirectoryRole))
def test_role_in_another_tenant_counts_for_nothing_here(role, contoso, fabrikam):
    user = UserFactory(tenant=contoso)
    RoleAssignmentFactory(user=user, tenant=fabrikam, role=role)
    assert not can_view_settings(user, contoso)
    assert not can_change_portal_redirection(user, contoso)
    assert not can_manage_alerts(user, contoso)
    assert can_view_settings(user, fabrikam)


def test_no_role_no_settings(contoso_analyst, contoso):
    assert not can_view_settings(contoso_analyst, contoso)
    assert not can_change_portal_redirection(contoso_analyst, contoso)
    assert not can_manage_alerts(contoso_analyst, contoso)


def test_inactive_admin_can_do_nothing(contoso):
    user = UserFactory(tenant=contoso, roles=[DirectoryRole.GLOBAL_ADMINISTRATOR], is_active=False)
    assert not can_change_portal_redirection(user, contoso)
    assert not can_manage_alerts(user, contoso)


def test_anonymous_can_do_nothing(contoso):
    from django.contrib.auth.models import AnonymousUser

    assert not can_view_settings(AnonymousUser(), contoso)
    assert not can_change_portal_redirection(AnonymousUser(), contoso)
    assert not can_manage_alerts(AnonymousUser(), contoso)


def test_who_manages_alerts_is_said_as_the_rule_reads(contoso):
    assert alert_managers_in_words(contoso) == (
        "a Global Administrator, a Security Administrator or a Security Operator of Contoso"
    )
    # The words follow the rule, whatever it holds.
    for role in DirectoryRole:
        assert (str(role.label) in roles_in_words(ALERT_MANAGERS)) == (role in ALERT_MANAGERS)
    assert roles_in_words([DirectoryRole.SECURITY_READER]) == "a Security Reader"
    assert roles_in_words([]) == ""
