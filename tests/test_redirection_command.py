"""`manage.py portal_redirection`: prints the state after the call; bad input changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from settings_ui.models import ChangeSource, PortalRedirection, RedirectionChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("portal_redirection", *args, stdout=out)
    return out.getvalue()


def test_status_of_a_tenant_never_changed(contoso):
    assert run("contoso.example", "--status") == (
        "Contoso (contoso.example): automatic redirection is Off\n"
    )
    assert not PortalRedirection.objects.exists()


def test_on_records_a_cli_change_and_prints_the_state(contoso):
    output = run("contoso.example", "--on")
    row = PortalRedirection.objects.get(tenant=contoso)
    assert output.splitlines() == [
        "Contoso (contoso.example): automatic redirection is On",
        f"  enabled at: {row.enabled_at.isoformat()}",
        f"  last changed: {row.updated_at.isoformat()} by no named account",
    ]
    change = RedirectionChange.objects.get()
    assert (change.source, change.actor, change.new_value) == (ChangeSource.CLI, None, True)


def test_actor_is_recorded(contoso, contoso_admin):
    output = run("CONTOSO.example", "--on", "--actor", "Admin@Contoso.example")
    assert "by admin@contoso.example" in output
    assert RedirectionChange.objects.get().actor == contoso_admin


def test_repeat_on_changes_nothing(contoso):
    run("contoso.example", "--on")
    enabled_at = PortalRedirection.objects.get(tenant=contoso).enabled_at
    output = run("contoso.example", "--on")
    assert output.startswith("Already On: nothing changed.\n")
    assert "automatic redirection is On" in output
    assert RedirectionChange.objects.count() == 1
    assert PortalRedirection.objects.get(tenant=contoso).enabled_at == enabled_at


def test_off_after_on(contoso):
    run("contoso.example", "--on")
    output = run("contoso.example", "--off")
    assert output.splitlines()[0] == "Contoso (contoso.example): automatic redirection is Off"
    assert "enabled at" not in output
    assert [c.new_value for c in RedirectionChange.objects.order_by("id")] == [True, False]


def test_unknown_tenant(contoso):
    with pytest.raises(CommandError, match=r"^No tenant has the domain 'nowhere.example'\.$"):
        run("nowhere.example", "--on")
    assert not PortalRedirection.objects.exists()


def test_unknown_actor_changes_nothing(contoso):
    with pytest.raises(CommandError, match=r"^No account has the email 'ghost@contoso.example'\.$"):
        run("contoso.example", "--on", "--actor", "ghost@contoso.example")
    assert not PortalRedirection.objects.exists()
    assert not RedirectionChange.objects.exists()


@pytest.mark.parametrize("args", [(), ("--on", "--off"), ("--status", "--on")])
def test_exactly_one_action_is_required(args, contoso):
    with pytest.raises(CommandError):
        run("contoso.example", *args)
    assert not RedirectionChange.objects.exists()


def test_error_exits_non_zero_with_one_line(contoso, capsys):
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "portal_redirection", "nowhere.example", "--on"]).execute()
    assert exit_info.value.code != 0
    err = capsys.readouterr().err
    assert err.strip() == "CommandError: No tenant has the domain 'nowhere.example'."


def test_an_actor_from_another_tenant_is_refused_with_one_line(contoso, fabrikam_admin, capsys):
    argv = ["manage.py", "portal_redirection", "contoso.example", "--on"]
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility([*argv, "--actor", "admin@fabrikam.example"]).execute()
    assert exit_info.value.code != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("CommandError: admin@fabrikam.example cannot be recorded as changing")
    assert len(err.splitlines()) == 1
    # run_from_argv closes the database connection: that nothing changed is checked with
    # call_command below.


def test_an_actor_without_a_changing_role_is_refused(contoso, contoso_analyst):
    with pytest.raises(CommandError, match="support staff, or a Global Administrator"):
        run("contoso.example", "--on", "--actor", contoso_analyst.email)
    assert not RedirectionChange.objects.exists()


def test_support_staff_may_be_named_as_the_actor(contoso):
    UserFactory(email="support@defender.example", tenant=None, is_staff=True)
    assert "by support@defender.example" in run(
        "contoso.example", "--on", "--actor", "support@defender.example"
    )


def test_turning_off_in_another_tenants_name_changes_nothing(contoso, fabrikam_admin):
    run("contoso.example", "--on")
    with pytest.raises(CommandError, match=r"^admin@fabrikam\.example cannot be recorded"):
        run("contoso.example", "--off", "--actor", "admin@fabrikam.example")
    assert PortalRedirection.objects.get(tenant=contoso).enabled is True
    assert RedirectionChange.objects.count() == 1
