"""One switch per workload: Identity's and Endpoint's never move each other, at every door."""

from __future__ import annotations

import json
from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from settings_ui import state
from settings_ui.models import ChangeSource, Feedback, RedirectionChange
from settings_ui.services import set_portal_redirection
from settings_ui.workloads import Workload
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

PAGE = "/preferences2/portal_redirection"
ENDPOINT_PAGE = PAGE + "?workload=endpoint"
API = "/api/v1/portal-redirection"


@pytest.fixture
def admin_client(defender_client, contoso_admin):
    sign_in(defender_client, contoso_admin)
    return defender_client


def switches(tenant) -> dict[str, bool]:
    return {workload: state.get_state(tenant.pk, workload).enabled for workload in Workload}


@pytest.mark.parametrize("workload", list(Workload))
def test_one_workloads_switch_never_moves_the_other(
    workload, contoso, contoso_admin, django_capture_on_commit_callbacks
):
    other = next(each for each in Workload if each != workload)
    with django_capture_on_commit_callbacks(execute=True):
        set_portal_redirection(
            contoso, True, actor=contoso_admin, source=ChangeSource.WEB, workload=workload
        )
    assert switches(contoso) == {workload: True, other: False}
    change = RedirectionChange.objects.get()
    assert (change.workload, change.new_value) == (workload, True)


def test_the_page_names_each_workloads_switch_and_keeps_to_it(
    admin_client, contoso, django_capture_on_commit_callbacks
):
    page = admin_client.get(ENDPOINT_PAGE).content.decode()
    assert "Microsoft Defender Security Center" in page
    assert '<a href="/settings/endpoints">Endpoints</a>' in page  # the breadcrumb
    assert '<a href="/preferences2/portal_redirection">Identities</a>' in page  # its tab
    confirm = admin_client.get(ENDPOINT_PAGE + "&turn=off").content.decode()
    assert "Disable &amp; share feedback" in confirm
    assert (
        "Disable &amp; share feedback" not in admin_client.get(PAGE + "?turn=off").content.decode()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ENDPOINT_PAGE, {"enabled": "on"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == ENDPOINT_PAGE
    assert switches(contoso) == {Workload.IDENTITY: False, Workload.ENDPOINT: True}


def test_disable_and_share_feedback_reaches_support_with_the_workload_named(
    admin_client, contoso, contoso_admin, django_capture_on_commit_callbacks
):
    set_portal_redirection(
        contoso, True, actor=contoso_admin, source=ChangeSource.WEB, workload=Workload.ENDPOINT
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(ENDPOINT_PAGE, {"enabled": "off", "feedback": "Device timeline"})
    feedback = Feedback.objects.get()
    assert (feedback.workload, feedback.message) == (Workload.ENDPOINT, "Device timeline")
    assert feedback.from_path == ENDPOINT_PAGE
    assert switches(contoso)[Workload.ENDPOINT] is False


def test_an_unknown_workload_is_a_clear_refusal(admin_client):
    assert admin_client.get(PAGE + "?workload=cloudapps").status_code == HTTPStatus.NOT_FOUND
    refused = admin_client.get(API + "?workload=cloudapps")
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "identity, endpoint" in refused.json()["error"]


def test_the_api_reads_and_changes_the_named_workload(
    admin_client, contoso, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        changed = admin_client.patch(
            API + "?workload=endpoint",
            json.dumps({"enabled": True}),
            content_type="application/json",
        )
    assert changed.status_code == HTTPStatus.OK
    assert (changed.json()["workload"], changed.json()["enabled"]) == ("endpoint", True)
    assert admin_client.get(API).json()["enabled"] is False  # Identity's, the default
    assert switches(contoso) == {Workload.IDENTITY: False, Workload.ENDPOINT: True}


def test_the_command_takes_the_workload(contoso):
    out = StringIO()
    call_command(
        "portal_redirection", "contoso.example", "--on", "--workload", "endpoint", stdout=out
    )
    assert out.getvalue().startswith(
        "Contoso (contoso.example): automatic redirection (Endpoint) is On"
    )
    assert switches(contoso) == {Workload.IDENTITY: False, Workload.ENDPOINT: True}
    with pytest.raises(CommandError):
        call_command("portal_redirection", "contoso.example", "--on", "--workload", "cloudapps")
