"""The one writer: roles, no-op repeats, Off→On moments, the audit, and commit-time invalidation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import DirectoryRole
from settings_ui import state
from settings_ui.models import AppendOnlyError, ChangeSource, PortalRedirection, RedirectionChange
from settings_ui.services import set_portal_redirection
from tests.factories import RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def secadmin(contoso):
    return UserFactory(
        email="secadmin@contoso.example",
        tenant=contoso,
        roles=[DirectoryRole.SECURITY_ADMINISTRATOR],
    )


def test_first_on_creates_the_row_and_one_audit_row(contoso, contoso_admin):
    result = set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    row = PortalRedirection.objects.get(tenant=contoso)
    assert result.changed and row.enabled
    assert row.enabled_at == row.updated_at
    assert row.updated_by == contoso_admin
    change = RedirectionChange.objects.get()
    assert (change.old_value, change.new_value, change.changed_at) == (False, True, row.enabled_at)


def test_repeat_on_is_a_no_op(contoso, contoso_admin, secadmin):
    set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    first = PortalRedirection.objects.get(tenant=contoso)
    result = set_portal_redirection(contoso, True, actor=secadmin, source=ChangeSource.API)
    again = PortalRedirection.objects.get(tenant=contoso)
    assert not result.changed
    assert (again.enabled_at, again.updated_at, again.updated_by) == (
        first.enabled_at,
        first.updated_at,
        contoso_admin,
    )
    assert RedirectionChange.objects.count() == 1


def test_off_on_a_tenant_never_turned_on_is_a_no_op(contoso, contoso_admin):
    result = set_portal_redirection(contoso, False, actor=contoso_admin, source=ChangeSource.WEB)
    assert not result.changed
    assert not RedirectionChange.objects.exists()


def test_on_off_on_moves_enabled_at_and_audits_each_step(contoso, contoso_admin, secadmin):
    set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    first_on = PortalRedirection.objects.get(tenant=contoso).enabled_at
    set_portal_redirection(contoso, False, actor=secadmin, source=ChangeSource.API)
    assert PortalRedirection.objects.get(tenant=contoso).enabled_at == first_on
    set_portal_redirection(contoso, True, source=ChangeSource.CLI)
    row = PortalRedirection.objects.get(tenant=contoso)
    assert row.enabled and row.enabled_at > first_on
    assert row.updated_by is None

    changes = list(RedirectionChange.objects.order_by("id"))
    assert [(c.actor, c.source, c.old_value, c.new_value) for c in changes] == [
        (contoso_admin, ChangeSource.WEB, False, True),
        (secadmin, ChangeSource.API, True, False),
        (None, ChangeSource.CLI, False, True),
    ]
    assert changes[2].changed_at == row.enabled_at


@pytest.mark.parametrize(
    "role",
    [DirectoryRole.SECURITY_OPERATOR, DirectoryRole.SECURITY_READER, DirectoryRole.GLOBAL_READER],
)
def test_viewing_roles_cannot_change_it(role, contoso):
    user = UserFactory(tenant=contoso, roles=[role])
    for source in (ChangeSource.WEB, ChangeSource.API):
        with pytest.raises(PermissionDenied):
            set_portal_redirection(contoso, True, actor=user, source=source)
    assert not PortalRedirection.objects.exists()
    assert not RedirectionChange.objects.exists()


def test_admin_of_another_tenant_cannot_change_it(contoso, fabrikam):
    user = UserFactory(tenant=contoso)
    RoleAssignmentFactory(user=user, tenant=fabrikam, role=DirectoryRole.GLOBAL_ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        set_portal_redirection(contoso, True, actor=user, source=ChangeSource.WEB)
    assert not RedirectionChange.objects.exists()


def test_untrusted_source_needs_an_actor(contoso):
    with pytest.raises(PermissionDenied):
        set_portal_redirection(contoso, True, source=ChangeSource.API)
    assert not PortalRedirection.objects.exists()


@pytest.mark.parametrize("source", [ChangeSource.CLI, ChangeSource.ADMIN])
def test_trusted_sources_may_record_support_staff(source, contoso):
    staff = UserFactory(tenant=None, is_staff=True)
    result = set_portal_redirection(contoso, True, actor=staff, source=source)
    assert result.changed
    assert (RedirectionChange.objects.get().source, RedirectionChange.objects.get().actor) == (
        source,
        staff,
    )


@pytest.mark.parametrize("source", [ChangeSource.CLI, ChangeSource.ADMIN])
@pytest.mark.parametrize("who", ["contoso_analyst", "fabrikam_admin", "inactive_staff"])
def test_trusted_sources_never_record_someone_who_could_not_change_it(
    request, source, who, contoso
):
    actor = (
        UserFactory(tenant=None, is_staff=True, is_active=False)
        if who == "inactive_staff"
        else request.getfixturevalue(who)
    )
    with pytest.raises(PermissionDenied, match=r"cannot be recorded as changing contoso\.example"):
        set_portal_redirection(contoso, True, actor=actor, source=source)
    assert not PortalRedirection.objects.exists()
    assert not RedirectionChange.objects.exists()


def test_only_the_command_may_name_nobody(contoso):
    with pytest.raises(PermissionDenied):
        set_portal_redirection(contoso, True, source=ChangeSource.ADMIN)
    assert set_portal_redirection(contoso, True, source=ChangeSource.CLI).changed


@pytest.mark.parametrize("value", ["true", 1, None])
def test_only_a_real_boolean_is_accepted(value, contoso, contoso_admin):
    with pytest.raises(TypeError):
        set_portal_redirection(contoso, value, actor=contoso_admin, source=ChangeSource.WEB)
    assert not PortalRedirection.objects.exists()


def test_unknown_source_is_refused(contoso, contoso_admin):
    with pytest.raises(ValueError, match="unknown change source"):
        set_portal_redirection(contoso, True, actor=contoso_admin, source="email")
    assert not PortalRedirection.objects.exists()


# ------------------------------------------------------------------ the audit is append-only
def test_audit_rows_cannot_be_updated_or_deleted(contoso, contoso_admin):
    set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    change = RedirectionChange.objects.get()
    change.new_value = False
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        RedirectionChange.objects.filter(pk=change.pk).update(new_value=False)
    with pytest.raises(AppendOnlyError):
        RedirectionChange.objects.all().delete()
    assert RedirectionChange.objects.get().new_value is True


# ------------------------------------------------------------------ cache on commit only
def test_cache_is_refreshed_on_commit(contoso, contoso_admin, django_capture_on_commit_callbacks):
    assert state.get_state(contoso.pk) == state.OFF  # warms the cache
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
    # Until the transaction commits, readers keep the old, still-true state.
    assert state.get_state(contoso.pk) == state.OFF
    assert callbacks
    for callback in callbacks:
        callback()
    assert state.get_state(contoso.pk).enabled is True


def test_no_op_schedules_no_cache_write(contoso, contoso_admin, django_capture_on_commit_callbacks):
    PortalRedirection.objects.create(tenant=contoso, enabled=False)
    with django_capture_on_commit_callbacks() as callbacks:
        set_portal_redirection(contoso, False, actor=contoso_admin, source=ChangeSource.WEB)
    assert callbacks == []


def test_rolled_back_write_never_empties_the_cache(
    contoso, contoso_admin, django_capture_on_commit_callbacks, django_assert_num_queries
):
    assert state.get_state(contoso.pk) == state.OFF  # warms the cache
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        set_portal_redirection(contoso, True, actor=contoso_admin, source=ChangeSource.WEB)
        raise RuntimeError("a later step of the same request failed")
    assert callbacks == []
    with django_assert_num_queries(0):
        assert state.get_state(contoso.pk) == state.OFF
    assert not RedirectionChange.objects.exists()
    assert not PortalRedirection.objects.filter(enabled=True).exists()
