"""`seed_demo`: the demo tenants and accounts, believable data, and idempotence."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import DirectoryRole, RoleAssignment, Tenant, User
from accounts.roles import can_change_portal_redirection
from portal.models import Alert, Device, HealthIssue, Identity, Incident
from tests.manage_process import run_manage

pytestmark = pytest.mark.django_db

MODELS = (Tenant, User, RoleAssignment, Alert, Device, HealthIssue, Identity, Incident)


def snapshot():
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS}


def test_seed_creates_the_demo_accounts_with_their_roles(settings):
    settings.DEBUG = True
    call_command("seed_demo", password="demo-password-1")
    contoso = Tenant.objects.get(domain="contoso.example")
    admin = User.objects.get(email="admin@contoso.example")
    assert admin.check_password("demo-password-1")
    assert can_change_portal_redirection(admin, contoso)
    assert RoleAssignment.objects.filter(
        user__email="reader@contoso.example", role=DirectoryRole.SECURITY_READER
    ).exists()
    assert not RoleAssignment.objects.filter(user__email="analyst@contoso.example").exists()
    support = User.objects.get(email="support@defender.example")
    assert support.is_staff and support.tenant is None
    assert User.objects.get(email="admin@fabrikam.example").tenant.name == "Fabrikam"
    for tenant in Tenant.objects.all():
        assert Alert.objects.filter(tenant=tenant).count() >= 24
        assert Identity.objects.filter(tenant=tenant).exists()
        assert Device.objects.filter(tenant=tenant).exists()
        assert HealthIssue.objects.filter(tenant=tenant).exists()


def test_seed_twice_leaves_the_same_data(settings):
    settings.DEBUG = True
    call_command("seed_demo", password="demo-password-1")
    first = snapshot()
    call_command("seed_demo", password="demo-password-1")
    assert snapshot() == first


def test_seed_refuses_outside_debug_without_a_password(settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = ""
    with pytest.raises(
        CommandError, match=r"outside debug .* set DEMO_PASSWORD or pass --password"
    ):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_outside_debug_reads_demo_password(settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = "from-the-environment-1"
    call_command("seed_demo")
    assert User.objects.get(email="admin@contoso.example").check_password("from-the-environment-1")


def test_the_settings_read_demo_password_in_every_mode():
    shown = "from django.conf import settings; print(repr(settings.DEMO_PASSWORD))"
    production = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "k" * 60}
    read = run_manage(
        "shell", "--no-imports", "-c", shown, DEMO_PASSWORD="chosen-password-1", **production
    )
    assert read.stdout.strip() == "'chosen-password-1'", read.stderr
    unset = run_manage("shell", "--no-imports", "-c", shown, **production)
    assert unset.stdout.strip() == "''", "no well-known default outside debug"
    assert run_manage("shell", "--no-imports", "-c", shown, DJANGO_DEBUG="true").stdout.strip() == (
        "'demo-password-1'"
    )


def test_seed_outside_debug_with_a_password(settings):
    settings.DEBUG = False
    call_command("seed_demo", password="a-long-deploy-password")
    assert User.objects.get(email="admin@contoso.example").check_password("a-long-deploy-password")
