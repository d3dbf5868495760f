"""Alert e-mail notifications: a new endpoint alert, told to the organization's administrators
through Django's e-mail framework, with the same links as the SIEM API."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.models import DirectoryRole
from portal.models import Alert
from portal.notifications import alert_notification, notification_recipients, notify_of_alert
from tests.factories import (
    AlertFactory,
    EndpointAlertFactory,
    IncidentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECURITY_CENTER = "http://securitycenter.localhost:8000"
DEFENDER = "http://security.localhost:8000"


@pytest.fixture
def administrators(contoso, contoso_admin):
    secadmin = UserFactory(
        email="secadmin@contoso.example",
        tenant=contoso,
        roles=[DirectoryRole.SECURITY_ADMINISTRATOR],
    )
    return [contoso_admin, secadmin]


def test_the_recipients_are_the_organizations_global_and_security_administrators(
    contoso, fabrikam, administrators, fabrikam_admin
):
    UserFactory(tenant=contoso, roles=[DirectoryRole.SECURITY_READER])
    UserFactory(tenant=contoso)
    UserFactory(tenant=contoso, roles=[DirectoryRole.GLOBAL_ADMINISTRATOR], is_active=False)
    assert notification_recipients(contoso.pk) == [
        "admin@contoso.example",
        "secadmin@contoso.example",
    ]
    assert notification_recipients(fabrikam.pk) == ["admin@fabrikam.example"]


def test_a_new_endpoint_alert_mails_each_administrator_after_its_commit(
    contoso, administrators, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        EndpointAlertFactory(tenant=contoso, title="Suspicious PowerShell command line")
        assert mailoutbox == []  # nothing before the commit
    assert len(callbacks) == 1
    assert sorted(message.to[0] for message in mailoutbox) == [
        "admin@contoso.example",
        "secadmin@contoso.example",
    ]
    assert all(len(message.to) == 1 and not message.cc for message in mailoutbox)
    assert "Suspicious PowerShell command line" in mailoutbox[0].subject


def test_a_rolled_back_alert_mails_nobody(contoso, administrators, mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        EndpointAlertFactory(tenant=contoso)
        raise RuntimeError("the alert was never raised")
    assert mailoutbox == []


def test_identity_alerts_and_later_changes_mail_nobody(
    contoso, administrators, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        AlertFactory(tenant=contoso)
    assert mailoutbox == []
    endpoint = EndpointAlertFactory(tenant=contoso)  # its own message is not under test here
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        endpoint.status = "resolved"
        endpoint.save()
    assert callbacks == [] and mailoutbox == []


def test_the_demo_data_mails_nobody(settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", password="demo-password-1")
    assert Alert.objects.filter(service_source="endpoint").exists()
    assert mailoutbox == []


def test_the_message_names_the_alert_and_links_the_security_center(contoso):
    incident = IncidentFactory(tenant=contoso)
    alert = EndpointAlertFactory(
        tenant=contoso,
        title="'Mimikatz' credential theft tool was detected",
        severity="high",
        category="Credential access",
        detection_source="antivirus",
        incident=incident,
        device__name="CONTOSO-WS101",
        identity__upn="adele@contoso.example",
    )
    message = alert_notification(alert, ["admin@contoso.example"], redirected=False)
    assert message.subject == (
        "[Microsoft Defender for Endpoint] High-severity alert on CONTOSO-WS101: "
        "'Mimikatz' credential theft tool was detected"
    )
    assert (
        message.from_email == "Microsoft Defender for Endpoint <noreply@securitycenter.localhost>"
    )
    body = message.body
    for line in (
        "Alert: 'Mimikatz' credential theft tool was detected",
        "Severity: High",
        "Category: Credential access",
        "Detection source: Antivirus",
        "Device: CONTOSO-WS101",
        "User: adele@contoso.example",
        f"Open the alert: {SECURITY_CENTER}/alerts/{alert.pk}",
        f"Open its incident: {SECURITY_CENTER}/incidents#incident-{incident.pk}",
        f"Open it in the Microsoft 365 Defender portal: {DEFENDER}/alerts/{alert.pk}",
    ):
        assert line in body.splitlines(), line


def test_redirected_the_message_leads_to_the_defender_portal_only(contoso):
    alert = EndpointAlertFactory(tenant=contoso, incident=IncidentFactory(tenant=contoso))
    body = alert_notification(alert, ["admin@contoso.example"], redirected=True).body
    assert f"Open the alert: {DEFENDER}/alerts/{alert.pk}" in body
    assert f"Open its incident: {DEFENDER}/incidents#incident-{alert.incident_id}" in body
    assert SECURITY_CENTER not in body


def test_the_messages_links_follow_the_endpoint_switch(contoso, administrators, mailoutbox, switch):
    alert = EndpointAlertFactory(tenant=contoso)
    assert notify_of_alert(alert) == 2
    assert SECURITY_CENTER in mailoutbox[0].body
    mailoutbox.clear()
    switch(contoso, True, administrators[0], workload="endpoint")
    notify_of_alert(alert)
    assert SECURITY_CENTER not in mailoutbox[0].body
    assert f"{DEFENDER}/alerts/{alert.pk}" in mailoutbox[0].body


def test_an_organization_without_administrators_mails_nobody(contoso, mailoutbox):
    assert notify_of_alert(EndpointAlertFactory(tenant=contoso)) == 0
    assert mailoutbox == []


def test_without_email_url_messages_are_files_a_person_can_read(settings, tmp_path, contoso):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    UserFactory(email="admin@contoso.example", tenant=contoso, roles=["global_administrator"])
    notify_of_alert(EndpointAlertFactory(tenant=contoso, title="Written to a file"))
    (written,) = tmp_path.iterdir()
    assert "Written to a file" in written.read_text()
