"""The Defender portal's Manage alert panel: its form, its one writer, and what the page shows.

An alert's status, assignee, classification and determination change here only, each save
kept as one entry of the alert's comments and history. Who may change them is the role rule
in accounts/roles.py; the page reads the roles the sign-in stored, the writer asks the
directory again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from accounts.roles import alert_managers_in_words, can_manage_alerts, manages_alerts
from accounts.session_keys import TENANT_ID, session_roles
from portal.models import (
    DETERMINATIONS,
    NOT_SET,
    UNASSIGNED,
    Alert,
    AlertHistoryEntry,
    AlertStatus,
    Classification,
    Determination,
)

COMMENT_LENGTH = 1000
# The page lists this many of the latest entries; an alert's triage rarely runs longer.
HISTORY_SHOWN = 50


class SeeOther(HttpResponseRedirect):
    """After a save, the browser asks for the alert page again with GET: reloading it never
    sends the form a second time."""

    status_code = 303


def may_manage(request: HttpRequest) -> bool:
    """Whether the page offers the form: from the roles this sign-in stored, with no query.

    Roles count in the account's home tenant only, whose alerts are the only ones it sees.
    The writer checks the directory again before any change.
    """
    session = getattr(request, "session", None)
    user = request.user
    if session is None or session.get(TENANT_ID) != user.tenant_id:
        return False
    return manages_alerts(session_roles(session))


def refusal(tenant) -> str:
    """Why a save is refused to an account that does not manage the organization's alerts."""
    who = alert_managers_in_words(tenant)
    return f"Only {who} can change an alert's status, assignment or classification."


def read_only_reason(tenant) -> str:
    """Why the panel shows the triage without a form."""
    who = alert_managers_in_words(tenant)
    return (
        "You can see this alert's triage but not change it: status, assignment and "
        f"classification are managed by {who}."
    )


# ------------------------------------------------------------------ the form
class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, account) -> str:
        if account.display_name:
            return f"{account.display_name} ({account.email})"
        return account.email


class CommentField(forms.CharField):
    """A comment as typed: a browser sends each line break as two characters, but counts it as
    one against the box's limit, so they are made one before the length is checked."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


def assignable_accounts(alert: Alert) -> QuerySet:
    """The alert's organization's active accounts, and whoever holds it now even if no longer
    active: saving other fields must not fail over an assignee nobody touched."""
    accounts = Q(tenant_id=alert.tenant_id, is_active=True)
    if alert.assigned_to_id is not None:
        accounts |= Q(pk=alert.assigned_to_id)
    return get_user_model().objects.filter(accounts).order_by("display_name", "email")


class ManageAlertForm(forms.Form):
    """The panel's fields, and what they showed when the page was drawn (``shown_*``).

    Only what the analyst changed from what they saw is saved: two analysts saving the same
    alert at once each keep the other's changes instead of writing back what they had read.
    """

    status = forms.ChoiceField(
        label=_("Status"),
        choices=AlertStatus.choices,
        error_messages={
            "required": _("Choose a status."),
            "invalid_choice": _("Choose a status from the list."),
        },
    )
    assigned_to = AccountChoiceField(
        label=_("Assigned to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=UNASSIGNED,
        error_messages={
            "invalid_choice": _(
                "Choose an account of your organization from the list, or Unassigned."
            )
        },
    )
    classification = forms.ChoiceField(
        label=_("Classification"),
        choices=[("", NOT_SET), *Classification.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a classification from the list.")},
    )
    determination = forms.ChoiceField(
        label=_("Determination"),
        choices=[("", NOT_SET), *Determination.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a determination from the list.")},
    )
    comment = CommentField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "max_length": _(
                "Keep the comment to %(limit_value)d characters or fewer: it has %(show_value)d."
            )
        },
    )
    shown_status = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_assigned_to = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_classification = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_determination = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, alert: Alert, **kwargs):
        self.alert = alert
        shown = {
            "status": alert.status,
            "assigned_to": alert.assigned_to_id,
            "classification": alert.classification,
            "determination": alert.determination,
        }
        initial = {**shown, **{f"shown_{name}": value or "" for name, value in shown.items()}}
        super().__init__(data, initial=initial, **kwargs)
        self.fields["assigned_to"].queryset = assignable_accounts(alert)

    def clean(self) -> dict:
        cleaned = super().clean()
        classification = cleaned.get("classification")
        determination = cleaned.get("determination")
        if not determination or "classification" not in cleaned:
            return cleaned
        if not classification:
            self.add_error(
                "determination",
                _("Choose a classification first: each determination belongs to one."),
            )
        elif determination not in DETERMINATIONS[classification]:
            named = {
                "determination": Determination(determination).label,
                "classification": Classification(classification).label,
            }
            self.add_error(
                "determination",
                _(
                    "%(determination)s is not a determination of %(classification)s. "
                    "Choose one listed under %(classification)s."
                )
                % named,
            )
        return cleaned

    def triage(self) -> Triage:
        data = self.cleaned_data
        return Triage(
            status=data["status"],
            assigned_to=data["assigned_to"],
            classification=data["classification"],
            determination=data["determination"],
        )

    def shown(self) -> dict[str, str]:
        """What each field showed when the page was drawn; a form that did not say (not the
        page's own) counts as having shown nothing, so all it sends is applied."""
        return {
            name: self.cleaned_data.get(f"shown_{name}")
            for name in ("status", "assigned_to", "classification", "determination")
            if f"shown_{name}" in self.data
        }

    # What the page draws: each list of options with the one chosen marked.
    def options(self, name: str) -> list[tuple[str, str, bool]]:
        field = self[name]
        given = str(field.value() or "")
        return [(str(value), label, str(value) == given) for value, label in field.field.choices]

    def determination_groups(self) -> list[tuple[str, list[tuple[str, str, bool]]]]:
        """The determinations under their classification. "Other" is in every list: the one
        marked is under the classification chosen; a determination that is not (refused) is
        still marked where it first appears, so the page shows what was sent."""
        classification = str(self["classification"].value() or "")
        determination = str(self["determination"].value() or "")
        if determination not in DETERMINATIONS.get(classification, ()):
            classification = next(
                (group for group, choices in DETERMINATIONS.items() if determination in choices),
                "",
            )
        return [
            (
                str(Classification(group).label),
                [
                    (
                        choice.value,
                        str(choice.label),
                        group == classification and choice.value == determination,
                    )
                    for choice in choices
                ],
            )
            for group, choices in DETERMINATIONS.items()
        ]


# ------------------------------------------------------------------ the writer
@dataclass(frozen=True)
class Triage:
    """What the panel asks the alert to read."""

    status: str
    assigned_to: object | None  # an account, or None: Unassigned
    classification: str
    determination: str


def _changed(wanted: str, shown: dict[str, str], name: str) -> bool:
    return name not in shown or wanted != shown[name]


def save_triage(
    alert_id: int,
    tenant_id: int,
    wanted: Triage,
    *,
    actor,
    shown: dict[str, str] | None = None,
    comment: str = "",
) -> AlertHistoryEntry | None:
    """Apply what the analyst changed and keep it, with the comment, as one history entry.

    One transaction with the alert's row locked: two saves at once run one after the other,
    each comparing with what the other left, and each keeps its entry. Returns None when
    there was nothing to keep (no change, no comment). Raises PermissionDenied for an account
    that does not manage the organization's alerts, as in the portal: a role counts in the
    account's own organization only.
    """
    if getattr(actor, "tenant_id", None) != tenant_id or not can_manage_alerts(actor, tenant_id):
        raise PermissionDenied(refusal(getattr(actor, "tenant", None)))
    shown = shown or {}
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert_id, tenant_id=tenant_id)
        changes: list[dict] = []

        def change(field: str, new: str) -> None:
            old = getattr(alert, field)
            if new != old:
                changes.append({"field": field, "from": old, "to": new})
                setattr(alert, field, new)

        if _changed(wanted.status, shown, "status"):
            change("status", wanted.status)
        assignee = wanted.assigned_to
        if _changed(str(getattr(assignee, "pk", "") or ""), shown, "assigned_to") and (
            getattr(assignee, "pk", None) != alert.assigned_to_id
        ):
            changes.append(
                {
                    "field": "assigned_to",
                    "from": alert.assigned_to.email if alert.assigned_to_id else "",
                    "to": assignee.email if assignee is not None else "",
                }
            )
            alert.assigned_to = assignee
        # A classification and its determination go together: the form checked them as a pair.
        if _changed(wanted.classification, shown, "classification") or _changed(
            wanted.determination, shown, "determination"
        ):
            change("classification", wanted.classification)
            change("determination", wanted.determination)
        if not changes and not comment:
            return None
        if changes:
            fields = {c["field"] for c in changes}
            if "status" in fields:
                # The analyst's status now, not a suppression rule's: the legacy portal says
                # Closed for an alert someone resolved, Open for one reopened.
                alert.suppressed = False
                fields.add("suppressed")
            alert.save(update_fields=sorted(fields))
        return AlertHistoryEntry.objects.create(
            alert=alert, author=actor, text=comment, changes=changes
        )


def saved_message(entry: AlertHistoryEntry | None) -> str:
    if entry is None:
        return "Nothing to save: the alert already reads so."
    if entry.changes and entry.text:
        return "Alert updated, and your comment added."
    return "Alert updated." if entry.changes else "Comment added."


# ------------------------------------------------------------------ what the page shows
def history_of(alert: Alert) -> tuple[list[AlertHistoryEntry], bool]:
    """The latest entries, newest first, with their authors: one query however many there are;
    and whether older ones were left out."""
    entries = list(alert.history.select_related("author")[: HISTORY_SHOWN + 1])
    return entries[:HISTORY_SHOWN], len(entries) > HISTORY_SHOWN
