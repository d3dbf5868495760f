"""The Defender portal's Manage alert panel: who may change an alert's triage, what is refused,
and the comments and history each save leaves, seen from every portal showing the alert."""

from __future__ import annotations

import itertools
import re
import threading
from html import unescape
from http import HTTPStatus

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import DirectoryRole, RoleAssignment
from portal.manage_alert import Triage, save_triage
from portal.models import Alert, AlertHistoryEntry, AppendOnlyError
from tests.conftest import DEFENDER_HOST, sign_in
from tests.factories import AlertFactory, EndpointAlertFactory, UserFactory

pytestmark = pytest.mark.django_db

MANAGERS = (
    DirectoryRole.GLOBAL_ADMINISTRATOR,
    DirectoryRole.SECURITY_ADMINISTRATOR,
    DirectoryRole.SECURITY_OPERATOR,
)
ROLES = (*DirectoryRole, None)  # None: an account with no directory role
REFUSAL = (
    "Only a Global Administrator, a Security Administrator or a Security Operator of Contoso "
    "can change an alert's status, assignment or classification."
)


def text(html: str) -> str:
    """The words a reader sees: tags are gaps, except a long email's line-break chances."""
    html = html.replace("<wbr>", "")
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def panel(html: str) -> str:
    """The Manage alert card's HTML."""
    return html[html.index('id="manage-title"') : html.index('id="details-title"')]


def history(html: str) -> str:
    return text(html[html.index('id="history-title"') : html.index('id="evidence-title"')])


def triage_of(alert: Alert) -> tuple:
    alert.refresh_from_db()
    return (
        alert.status,
        alert.assigned_to_id,
        alert.classification,
        alert.determination,
        alert.suppressed,
    )


def shown(alert: Alert) -> dict[str, str]:
    """What the page's form shows of the alert, as it sends it back."""
    return {
        "shown_status": alert.status,
        "shown_assigned_to": str(alert.assigned_to_id or ""),
        "shown_classification": alert.classification,
        "shown_determination": alert.determination,
    }


def form_of(alert: Alert, **changes) -> dict[str, str]:
    """The panel's form as drawn for the alert, with the fields the analyst changed."""
    drawn = {
        "status": alert.status,
        "assigned_to": str(alert.assigned_to_id or ""),
        "classification": alert.classification,
        "determination": alert.determination,
        "comment": "",
        **shown(alert),
    }
    return {**drawn, **changes}


@pytest.fixture
def alert(contoso):
    return AlertFactory(tenant=contoso, title="Suspected DCSync attack")


def signed_in(contoso, role=None, **fields) -> Client:
    account = UserFactory(tenant=contoso, roles=[role] if role else [], **fields)
    client = Client(HTTP_HOST=DEFENDER_HOST)
    sign_in(client, account)
    client.account = account
    return client


@pytest.fixture
def operator(contoso) -> Client:
    return signed_in(contoso, DirectoryRole.SECURITY_OPERATOR, email="operator@contoso.example")


# ------------------------------------------------------------------ each role
@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "no role")
def test_each_role_sees_the_form_or_the_values_with_the_reason(contoso, alert, role):
    client = signed_in(contoso, role)
    html = client.get(f"/alerts/{alert.pk}").content.decode()
    card = panel(html)
    if role in MANAGERS:
        assert f'<form method="post" action="/alerts/{alert.pk}"' in card
        assert "csrfmiddlewaretoken" in card
        for name in ("status", "assigned_to", "classification", "determination", "comment"):
            assert f'name="{name}"' in card
    else:
        assert "<form" not in card
        words = text(card)
        assert "Status New" in words and "Assigned to Unassigned" in words
        assert "Classification Not set" in words and "Determination Not set" in words
        assert "managed by a Global Administrator, a Security Administrator or a Security" in words


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "no role")
def test_each_role_saves_or_is_refused_with_nothing_changed(contoso, alert, role):
    client = signed_in(contoso, role)
    before = triage_of(alert)

    response = client.post(
        f"/alerts/{alert.pk}", form_of(alert, status="resolved", comment="Closed after review.")
    )

    if role in MANAGERS:
        assert response.status_code == HTTPStatus.SEE_OTHER
        assert response["Location"] == f"/alerts/{alert.pk}"
        assert triage_of(alert)[0] == "resolved"
        entry = AlertHistoryEntry.objects.get(alert=alert)
        assert entry.author == client.account and entry.text == "Closed after review."
        assert entry.changes == [{"field": "status", "from": "new", "to": "resolved"}]
        page = client.get(response["Location"]).content.decode()
        assert "Alert updated, and your comment added." in page
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert triage_of(alert) == before
        assert not AlertHistoryEntry.objects.exists()
        page = response.content.decode()
        assert REFUSAL in unescape(page) and "<form" not in panel(page)


def test_a_role_taken_away_after_sign_in_is_refused_at_the_save(contoso, alert, operator):
    RoleAssignment.objects.filter(user=operator.account).delete()

    response = operator.post(f"/alerts/{alert.pk}", form_of(alert, status="resolved"))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert triage_of(alert)[0] == "new" and not AlertHistoryEntry.objects.exists()


def test_a_post_without_the_pages_csrf_token_is_refused(contoso, alert):
    account = UserFactory(tenant=contoso, roles=[DirectoryRole.GLOBAL_ADMINISTRATOR])
    browser = Client(HTTP_HOST=DEFENDER_HOST, enforce_csrf_checks=True)
    sign_in(browser, account)

    response = browser.post(f"/alerts/{alert.pk}", form_of(alert, status="resolved"))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert triage_of(alert)[0] == "new" and not AlertHistoryEntry.objects.exists()


# ------------------------------------------------------------------ another tenant
def test_another_tenants_alert_is_not_found_to_read_or_to_save(contoso, fabrikam, operator):
    theirs = AlertFactory(tenant=fabrikam)
    before = triage_of(theirs)

    assert operator.get(f"/alerts/{theirs.pk}").status_code == HTTPStatus.NOT_FOUND
    response = operator.post(f"/alerts/{theirs.pk}", form_of(theirs, status="resolved"))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert triage_of(theirs) == before and not AlertHistoryEntry.objects.exists()


def test_the_writer_never_reaches_another_tenants_alert(contoso, fabrikam):
    theirs = AlertFactory(tenant=fabrikam)
    operator = UserFactory(tenant=contoso, roles=[DirectoryRole.SECURITY_OPERATOR])
    with pytest.raises(Alert.DoesNotExist):
        save_triage(
            theirs.pk, contoso.pk, Triage("resolved", None, "", ""), actor=operator, comment="x"
        )
    assert triage_of(theirs)[0] == "new"


def test_a_role_held_in_another_organization_manages_none_of_its_alerts(contoso, fabrikam):
    theirs = AlertFactory(tenant=fabrikam)
    visitor = UserFactory(tenant=contoso)
    RoleAssignment.objects.create(
        user=visitor, tenant=fabrikam, role=DirectoryRole.GLOBAL_ADMINISTRATOR
    )
    with pytest.raises(PermissionDenied):
        save_triage(theirs.pk, fabrikam.pk, Triage("resolved", None, "", ""), actor=visitor)
    assert triage_of(theirs)[0] == "new" and not AlertHistoryEntry.objects.exists()


# ------------------------------------------------------------------ validation
def refused_with(client, alert, message: str, **changes) -> str:
    """Post the change; the page comes back with the message, the input kept, nothing saved."""
    before = triage_of(alert)
    response = client.post(f"/alerts/{alert.pk}", form_of(alert, **changes))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = unescape(response.content.decode())
    assert message in page
    assert "Not saved: correct what is marked below." in page
    assert triage_of(alert) == before and not AlertHistoryEntry.objects.exists()
    return panel(page)


def test_a_determination_of_another_classification_is_refused(operator, alert):
    card = refused_with(
        operator,
        alert,
        "Malware is not a determination of False positive. Choose one listed under False positive.",
        status="in_progress",
        classification="false_positive",
        determination="malware",
        comment="Looks benign.",
    )
    # What was typed comes back as typed.
    assert '<option value="in_progress" selected>' in card
    assert '<option value="false_positive" selected>' in card
    assert '<option value="malware" selected>' in card
    assert ">Looks benign.</textarea>" in card
    assert 'aria-invalid="true"' in card


def test_a_determination_without_a_classification_is_refused(operator, alert):
    refused_with(
        operator,
        alert,
        "Choose a classification first: each determination belongs to one.",
        determination="other",
    )


def test_an_account_of_another_tenant_cannot_be_assigned(operator, alert, fabrikam):
    outsider = UserFactory(tenant=fabrikam)
    refused_with(
        operator,
        alert,
        "Choose an account of your organization from the list, or Unassigned.",
        assigned_to=str(outsider.pk),
    )


def test_an_inactive_account_cannot_be_assigned(operator, alert, contoso):
    gone = UserFactory(tenant=contoso, is_active=False)
    refused_with(
        operator,
        alert,
        "Choose an account of your organization from the list, or Unassigned.",
        assigned_to=str(gone.pk),
    )


def test_a_comment_over_a_thousand_characters_is_refused(operator, alert):
    card = refused_with(
        operator,
        alert,
        "Keep the comment to 1000 characters or fewer: it has 1001.",
        status="resolved",
        comment="x" * 1001,
    )
    assert "x" * 1001 in card


def test_unknown_values_are_refused(operator, alert):
    refused_with(operator, alert, "Choose a status from the list.", status="closed")
    refused_with(operator, alert, "Choose a classification from the list.", classification="bad")


def test_a_comment_of_a_thousand_characters_with_line_breaks_is_kept(operator, alert):
    # A browser sends each line break as two characters but counts it as one.
    comment = "\r\n".join(["y" * 99] * 10)
    response = operator.post(f"/alerts/{alert.pk}", form_of(alert, comment=comment))
    assert response.status_code == HTTPStatus.SEE_OTHER
    assert AlertHistoryEntry.objects.get().text == "\n".join(["y" * 99] * 10)


# ------------------------------------------------------------------ what a save keeps
def test_each_save_is_one_entry_naming_who_and_what_newest_first(contoso, alert, operator):
    analyst = UserFactory(tenant=contoso, email="grady@contoso.example", display_name="Grady")
    operator.post(
        f"/alerts/{alert.pk}",
        form_of(alert, status="in_progress", assigned_to=str(analyst.pk)),
    )
    alert.refresh_from_db()
    operator.post(
        f"/alerts/{alert.pk}",
        form_of(
            alert,
            status="resolved",
            classification="true_positive",
            determination="compromised_account",
            comment="Password reset;\nsessions revoked.",
        ),
    )

    first, second = AlertHistoryEntry.objects.order_by("pk")
    assert first.author == second.author == operator.account
    assert first.changes == [
        {"field": "status", "from": "new", "to": "in_progress"},
        {"field": "assigned_to", "from": "", "to": "grady@contoso.example"},
    ]
    assert [c["field"] for c in second.changes] == ["status", "classification", "determination"]

    words = history(operator.get(f"/alerts/{alert.pk}").content.decode())
    newest = words.index("Status changed from In progress to Resolved")
    oldest = words.index("Status changed from New to In progress")
    assert newest < oldest
    assert "Classification changed from Not set to True positive" in words
    assert "Determination changed from Not set to Compromised account" in words
    assert "Assigned to changed from Unassigned to grady@contoso.example" in words
    assert "Password reset; sessions revoked." in words
    assert words.count("operator@contoso.example") == 2


def test_every_role_reads_the_saved_triage_and_its_history(contoso, alert, operator):
    operator.post(
        f"/alerts/{alert.pk}",
        form_of(
            alert,
            status="resolved",
            assigned_to=str(operator.account.pk),
            classification="informational_expected_activity",
            determination="security_test",
            comment="Red team exercise.",
        ),
    )
    reader = signed_in(contoso, DirectoryRole.SECURITY_READER)
    html = reader.get(f"/alerts/{alert.pk}").content.decode()
    words = text(panel(html))
    assert "Status Resolved" in words and "Assigned to operator@contoso.example" in words
    assert "Classification Informational, expected activity" in words
    assert "Determination Security test" in words
    assert "Red team exercise." in history(html)


def test_a_comment_alone_is_kept_without_changing_the_alert(operator, alert):
    before = triage_of(alert)
    response = operator.post(f"/alerts/{alert.pk}", form_of(alert, comment="Watching it."))
    assert response.status_code == HTTPStatus.SEE_OTHER
    assert triage_of(alert) == before
    entry = AlertHistoryEntry.objects.get()
    assert entry.text == "Watching it." and entry.changes == []
    assert "Comment added." in operator.get(f"/alerts/{alert.pk}").content.decode()


def test_saving_nothing_new_keeps_no_entry(operator, alert):
    response = operator.post(f"/alerts/{alert.pk}", form_of(alert))
    assert response.status_code == HTTPStatus.SEE_OTHER
    assert not AlertHistoryEntry.objects.exists()
    page = unescape(operator.get(f"/alerts/{alert.pk}").content.decode())
    assert "Nothing to save: the alert already reads so." in page


def test_the_form_opens_on_the_alerts_values(contoso, operator):
    holder = UserFactory(tenant=contoso, email="holder@contoso.example")
    alert = AlertFactory(
        tenant=contoso,
        status="in_progress",
        assigned_to=holder,
        classification="false_positive",
        determination="other",
    )
    card = panel(operator.get(f"/alerts/{alert.pk}").content.decode())
    assert '<option value="in_progress" selected>' in card
    assert f'<option value="{holder.pk}" selected>' in card
    assert '<option value="false_positive" selected>' in card
    # "Other" is under every classification: the one marked is False positive's.
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', card)
    marked = [label for label, options in groups if "selected" in options]
    assert marked == ["False positive"]


def test_an_assignee_since_made_inactive_does_not_block_other_changes(contoso, operator):
    holder = UserFactory(tenant=contoso, is_active=False)
    alert = AlertFactory(tenant=contoso, assigned_to=holder)
    response = operator.post(f"/alerts/{alert.pk}", form_of(alert, status="in_progress"))
    assert response.status_code == HTTPStatus.SEE_OTHER
    assert triage_of(alert)[:2] == ("in_progress", holder.pk)


def test_a_form_read_before_anothers_save_keeps_that_save(contoso, alert, operator):
    """Two analysts open the alert; the first resolves it, the second then classifies it from
    the page they read before: the status stays Resolved, and both saves are in the history."""
    stale = form_of(alert, classification="true_positive", determination="phishing")
    admin = signed_in(contoso, DirectoryRole.SECURITY_ADMINISTRATOR)
    admin.post(f"/alerts/{alert.pk}", form_of(alert, status="resolved"))

    response = operator.post(f"/alerts/{alert.pk}", stale)

    assert response.status_code == HTTPStatus.SEE_OTHER
    assert triage_of(alert)[0] == "resolved"
    assert triage_of(alert)[2:4] == ("true_positive", "phishing")
    changed = [[c["field"] for c in e.changes] for e in AlertHistoryEntry.objects.order_by("pk")]
    assert changed == [["status"], ["classification", "determination"]]


def test_the_history_is_append_only(operator, alert):
    operator.post(f"/alerts/{alert.pk}", form_of(alert, comment="First words."))
    entry = AlertHistoryEntry.objects.get()
    entry.text = "Rewritten."
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AlertHistoryEntry.objects.update(text="Rewritten.")
    with pytest.raises(AppendOnlyError):
        AlertHistoryEntry.objects.all().delete()
    assert AlertHistoryEntry.objects.get().text == "First words."


# ------------------------------------------------------------------ the other portals
def test_the_legacy_portal_shows_closed_once_resolved(contoso, alert, operator, legacy_client):
    sign_in(legacy_client, UserFactory(tenant=contoso))

    def legacy_status() -> tuple[str, str]:
        page = legacy_client.get(f"/securityAlert/{alert.pk}").content.decode()
        return re.search(r'<span class="status status-(\w+)">(\w+)</span>', page).groups()

    assert legacy_status() == ("open", "Open")
    operator.post(f"/alerts/{alert.pk}", form_of(alert, status="resolved"))
    assert legacy_status() == ("closed", "Closed")


def test_a_suppressed_alert_reopened_and_resolved_by_hand_reads_closed(
    contoso, operator, legacy_client
):
    alert = AlertFactory(tenant=contoso, status="resolved", suppressed=True)
    sign_in(legacy_client, UserFactory(tenant=contoso))
    assert "Suppressed" in legacy_client.get(f"/securityAlert/{alert.pk}").content.decode()

    operator.post(f"/alerts/{alert.pk}", form_of(alert, status="in_progress"))
    assert ">Open</span>" in legacy_client.get(f"/securityAlert/{alert.pk}").content.decode()
    alert.refresh_from_db()
    operator.post(f"/alerts/{alert.pk}", form_of(alert, status="resolved"))
    assert ">Closed</span>" in legacy_client.get(f"/securityAlert/{alert.pk}").content.decode()


def test_the_security_center_shows_the_defender_status(contoso, operator, endpoint_client):
    alert = EndpointAlertFactory(tenant=contoso)
    sign_in(endpoint_client, UserFactory(tenant=contoso))

    operator.post(f"/alerts/{alert.pk}", form_of(alert, status="in_progress"))

    page = endpoint_client.get(f"/alerts/{alert.pk}").content.decode()
    assert '<span class="status status-in_progress">In progress</span>' in page


# ------------------------------------------------------------------ cost
def test_the_alert_page_costs_the_same_queries_however_long_its_history(contoso, operator):
    def count(entries: int) -> int:
        alert = AlertFactory(tenant=contoso)
        for number in range(entries):
            AlertHistoryEntry.objects.create(
                alert=alert,
                author=UserFactory(tenant=contoso),
                text=f"Note {number}",
                changes=[{"field": "status", "from": "new", "to": "in_progress"}],
            )
        with CaptureQueriesContext(connection) as captured:
            response = operator.get(f"/alerts/{alert.pk}")
        assert response.status_code == HTTPStatus.OK
        assert f"Note {entries - 1}" in response.content.decode()
        return len(captured)

    few, many = count(1), count(30)
    assert few == many
    assert few <= 9


# ------------------------------------------------------------------ at once (PostgreSQL)
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_analysts_saving_at_once_each_keep_their_entry(contoso):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for row locks across connections")
    alert = AlertFactory(tenant=contoso)
    analysts = [UserFactory(tenant=contoso, roles=[MANAGERS[n % 3]]) for n in range(6)]
    start = threading.Barrier(len(analysts))
    failures = []

    def save(analyst, number):
        try:
            start.wait()
            for step in range(5):
                status = ("new", "in_progress", "resolved")[(number + step) % 3]
                save_triage(
                    alert.pk,
                    contoso.pk,
                    Triage(status, None, "", ""),
                    actor=analyst,
                    comment=f"{number}/{step}",
                )
        except Exception as error:  # surfaced below: a thread's exception is otherwise lost
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(a, n)) for n, a in enumerate(analysts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    entries = list(AlertHistoryEntry.objects.filter(alert=alert).order_by("pk"))
    assert len(entries) == len(analysts) * 5
    statuses = [c for e in entries for c in e.changes]
    for earlier, later in itertools.pairwise(statuses):
        assert later["from"] == earlier["to"]
    alert.refresh_from_db()
    assert alert.status == (statuses[-1]["to"] if statuses else "new")
