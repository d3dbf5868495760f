"""The authorization matrix as data: every endpoint of the portals and what each account gets.

Read a row left to right: the three accounts that belong to no tenant (or none at all), then
the five directory roles and "no role" for an account whose home is Contoso, the same for an
account whose home is Fabrikam, and last the five roles held in Fabrikam by an account whose
home is Contoso. Every object a request names (alert, identity, device, tenant, session,
feedback, audit row, account) is Contoso's, so a Fabrikam account must never reach it, and
a Contoso account holding a role only in Fabrikam has no role where it lives.

A cell is the answer expected (status, where a 302 goes) and, for requests that write, the
changes expected: every other change is a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import NamedTuple

from accounts.models import DirectoryRole

# ------------------------------------------------------------------ the columns
ANONYMOUS, STAFF, SUPPORT = "anonymous", "staff without group", "Support group"
GA, SA, SO, SR, GR, NO_ROLE = "GA", "SA", "SO", "SR", "GR", "no role"

ROLE_OF = {
    GA: DirectoryRole.GLOBAL_ADMINISTRATOR,
    SA: DirectoryRole.SECURITY_ADMINISTRATOR,
    SO: DirectoryRole.SECURITY_OPERATOR,
    SR: DirectoryRole.SECURITY_READER,
    GR: DirectoryRole.GLOBAL_READER,
    NO_ROLE: None,
}

NO_TENANT = "no tenant"  # anonymous, or staff with no home tenant
CONTOSO = "home Contoso"  # role (if any) held in Contoso
FABRIKAM = "home Fabrikam"  # role (if any) held in Fabrikam
ROLE_ELSEWHERE = "home Contoso, role in Fabrikam"

GROUPS = {
    NO_TENANT: (ANONYMOUS, STAFF, SUPPORT),
    CONTOSO: (GA, SA, SO, SR, GR, NO_ROLE),
    FABRIKAM: (GA, SA, SO, SR, GR, NO_ROLE),
    ROLE_ELSEWHERE: (GA, SA, SO, SR, GR),
}


class Column(NamedTuple):
    group: str
    who: str

    def __str__(self) -> str:
        return self.who if self.group == NO_TENANT else f"{self.who} ({self.group})"


COLUMNS = tuple(Column(group, who) for group, names in GROUPS.items() for who in names)

# ------------------------------------------------------------------ what a write may change
CONTOSO_ON = "Contoso turned On (audited)"
CONTOSO_OFF = "Contoso turned Off (audited)"
FABRIKAM_ON = "Fabrikam turned On (audited)"
FABRIKAM_OFF = "Fabrikam turned Off (audited)"
CONTOSO_ENDPOINT_ON = "Contoso's Endpoint redirection turned On (audited)"
CONTOSO_ENDPOINT_OFF = "Contoso's Endpoint redirection turned Off (audited)"
FABRIKAM_ENDPOINT_ON = "Fabrikam's Endpoint redirection turned On (audited)"
FABRIKAM_ENDPOINT_OFF = "Fabrikam's Endpoint redirection turned Off (audited)"
CONTOSO_FEEDBACK = "one feedback from Contoso"
FABRIKAM_FEEDBACK = "one feedback from Fabrikam"
TENANTLESS_FEEDBACK = "one feedback with no tenant"
FEEDBACK_TRIAGED = "Contoso's feedback triaged, its words kept"
SESSION_ENDED = "the Contoso analyst's session ended and its browser signed out"
ALERT_RESOLVED = "Contoso's alert resolved, with one entry in its history"


# ------------------------------------------------------------------ the cells
@dataclass(frozen=True)
class Expect:
    status: HTTPStatus
    goes_to: str = ""  # how the Location of a 302 starts
    changes: frozenset[str] = field(default_factory=frozenset)

    def __str__(self) -> str:
        text = f"{self.status.value}"
        if self.goes_to:
            text += f" → {self.goes_to}"
        return text + (f" changing {sorted(self.changes)}" if self.changes else "")


OK = Expect(HTTPStatus.OK)
NO = Expect(HTTPStatus.FORBIDDEN)
NF = Expect(HTTPStatus.NOT_FOUND)
UNAUTH = Expect(HTTPStatus.UNAUTHORIZED)
BAD = Expect(HTTPStatus.BAD_REQUEST)
SIGNIN = Expect(HTTPStatus.FOUND, "/signin?next=")  # the portal's sign-in page
CONSOLE = Expect(HTTPStatus.FOUND, "/admin/login/?next=")  # the support console's sign-in


def ok(*changes: str) -> Expect:
    return Expect(HTTPStatus.OK, changes=frozenset(changes))


def to(path: str, *changes: str) -> Expect:
    return Expect(HTTPStatus.FOUND, path, frozenset(changes))


def see(path: str, *changes: str) -> Expect:
    """A form saved: back to its page with GET (303)."""
    return Expect(HTTPStatus.SEE_OTHER, path, frozenset(changes))


# ------------------------------------------------------------------ the rows
@dataclass(frozen=True)
class Endpoint:
    """One request. ``{alert}`` and the like in the path are Contoso's objects' ids."""

    portal: str  # "D" Defender portal, "L" legacy portal, "E" Security Center
    method: str
    path: str
    form: dict | None = None
    json: dict | None = None
    action: str = ""  # admin changelist action, applied to the object in the path's {…}
    starts_on: bool = False  # both tenants' redirection On before the request
    note: str = ""

    def __str__(self) -> str:
        text = f"{self.portal} {self.method} {self.path}"
        if self.action:
            text += f" [{self.action}]"
        return text + (f" ({self.note})" if self.note else "")


def row(
    no_tenant: tuple, contoso: tuple, fabrikam: tuple, role_elsewhere: tuple
) -> dict[Column, Expect]:
    cells = {}
    for group, values in (
        (NO_TENANT, no_tenant),
        (CONTOSO, contoso),
        (FABRIKAM, fabrikam),
        (ROLE_ELSEWHERE, role_elsewhere),
    ):
        names = GROUPS[group]
        assert len(values) == len(names), f"{group}: {len(values)} cells for {len(names)} columns"
        cells.update(
            {Column(group, name): value for name, value in zip(names, values, strict=True)}
        )
    return cells


PAGE = "/preferences2/portal_redirection"
API = "/api/v1/portal-redirection"
ENDPOINT_PAGE = PAGE + "?workload=endpoint"
ENDPOINT_API = API + "?workload=endpoint"
# What support confirms on the console's page before a switch is turned.
CONFIRMED = {"confirm": "Enable", "workload": "identity", "reason": "Ticket 4711"}
# What support confirms before sessions end.
ENDING_CONFIRMED = {"confirm": "End sessions", "reason": "Ticket 4711"}
THANKS = "/feedback/thanks"
FEEDBACK_FORM = {"category": "missing", "message": "The timeline filter is missing.", "from": "/"}
TENANTS = "/admin/accounts/tenant/"
SESSIONS = "/admin/accounts/signinsession/"
CHANGES = "/admin/settings_ui/redirectionchange/"
FEEDBACKS = "/admin/settings_ui/feedback/"
USERS = "/admin/accounts/user/"
# The Manage alert panel, resolving the alert with a comment.
RESOLVE = {
    "status": "resolved",
    "assigned_to": "",
    "classification": "",
    "determination": "",
    "comment": "Resolved after review.",
}

# fmt: off
MATRIX: list[tuple[Endpoint, dict[Column, Expect]]] = [
    # ---------------------------------------------------------------- Defender: browsing
    # A tenant account browses its own tenant's data whatever its role; support staff have no
    # tenant, so nothing to browse. Another tenant's object does not exist for an account.
    #                           anonymous staff support     GA  SA  SO  SR  GR  none
    (Endpoint("D", "GET", "/"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("D", "GET", "/alerts"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("D", "GET", "/alerts/{alert}"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (NF, NF, NF, NF, NF, NF),
         (OK, OK, OK, OK, OK))),
    # Managing an alert: its organization's Global and Security Administrators and Security
    # Operators; every other account of it is refused, and another organization's alert does
    # not exist.
    (Endpoint("D", "POST", "/alerts/{alert}", form=RESOLVE),
     row((SIGNIN, NO, NO),
         (see("/alerts/", ALERT_RESOLVED),) * 3 + (NO, NO, NO),
         (NF, NF, NF, NF, NF, NF),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "GET", "/incidents"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("D", "GET", "/identities"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("D", "GET", "/identities/{identity}"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (NF, NF, NF, NF, NF, NF),
         (OK, OK, OK, OK, OK))),
    (Endpoint("D", "GET", "/machines/{device}"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (NF, NF, NF, NF, NF, NF),
         (OK, OK, OK, OK, OK))),
    (Endpoint("D", "GET", "/search?q=Marker"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    # Health and About are the Defender homes of the legacy /health and /about pages, which
    # every account of the tenant reads; they show, and change, nothing of the settings.
    (Endpoint("D", "GET", "/settings/identities/health"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("D", "GET", "/settings/identities/about"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("D", "GET", "/healthz"),
     row((OK, OK, OK),          (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),

    # ---------------------------------------------------------------- Defender: settings
    # Any directory role of the home tenant reads the settings; only GA and SA change them.
    #                           anonymous staff support     GA  SA  SO  SR  GR  none
    (Endpoint("D", "GET", "/settings"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, NO),   (OK, OK, OK, OK, OK, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "GET", "/settings/identities"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, NO),   (OK, OK, OK, OK, OK, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "GET", PAGE),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, NO),   (OK, OK, OK, OK, OK, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "GET", PAGE + "?turn=on", note="confirm step"),
     row((SIGNIN, NO, NO),      (OK, OK, NO, NO, NO, NO),   (OK, OK, NO, NO, NO, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "GET", PAGE + "?turn=off", starts_on=True, note="confirm step"),
     row((SIGNIN, NO, NO),      (OK, OK, NO, NO, NO, NO),   (OK, OK, NO, NO, NO, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "POST", PAGE, form={"enabled": "on"}),
     row((SIGNIN, NO, NO),
         (to(PAGE, CONTOSO_ON), to(PAGE, CONTOSO_ON), NO, NO, NO, NO),
         (to(PAGE, FABRIKAM_ON), to(PAGE, FABRIKAM_ON), NO, NO, NO, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "POST", PAGE, form={"enabled": "on", "tenant": "{contoso}"},
              note="naming Contoso"),
     row((SIGNIN, NO, NO),
         (to(PAGE, CONTOSO_ON), to(PAGE, CONTOSO_ON), NO, NO, NO, NO),
         (to(PAGE, FABRIKAM_ON), to(PAGE, FABRIKAM_ON), NO, NO, NO, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "POST", PAGE, form={"enabled": "off", "feedback": "Too early for us."},
              starts_on=True),
     row((SIGNIN, NO, NO),
         (to(PAGE, CONTOSO_OFF, CONTOSO_FEEDBACK), to(PAGE, CONTOSO_OFF, CONTOSO_FEEDBACK),
          NO, NO, NO, NO),
         (to(PAGE, FABRIKAM_OFF, FABRIKAM_FEEDBACK), to(PAGE, FABRIKAM_OFF, FABRIKAM_FEEDBACK),
          NO, NO, NO, NO),
         (NO, NO, NO, NO, NO))),

    # The Endpoint workload's switch: the same doors and rules, its own state and audit.
    (Endpoint("D", "GET", "/settings/endpoints"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, NO),   (OK, OK, OK, OK, OK, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "GET", ENDPOINT_PAGE),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, NO),   (OK, OK, OK, OK, OK, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "POST", ENDPOINT_PAGE, form={"enabled": "on"}),
     row((SIGNIN, NO, NO),
         (to(ENDPOINT_PAGE, CONTOSO_ENDPOINT_ON), to(ENDPOINT_PAGE, CONTOSO_ENDPOINT_ON),
          NO, NO, NO, NO),
         (to(ENDPOINT_PAGE, FABRIKAM_ENDPOINT_ON), to(ENDPOINT_PAGE, FABRIKAM_ENDPOINT_ON),
          NO, NO, NO, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "POST", ENDPOINT_PAGE, form={"enabled": "off", "feedback": "Not yet."},
              starts_on=True),
     row((SIGNIN, NO, NO),
         (to(ENDPOINT_PAGE, CONTOSO_ENDPOINT_OFF, CONTOSO_FEEDBACK),
          to(ENDPOINT_PAGE, CONTOSO_ENDPOINT_OFF, CONTOSO_FEEDBACK), NO, NO, NO, NO),
         (to(ENDPOINT_PAGE, FABRIKAM_ENDPOINT_OFF, FABRIKAM_FEEDBACK),
          to(ENDPOINT_PAGE, FABRIKAM_ENDPOINT_OFF, FABRIKAM_FEEDBACK), NO, NO, NO, NO),
         (NO, NO, NO, NO, NO))),

    # ---------------------------------------------------------------- Defender: JSON API
    #                           anonymous staff support     GA  SA  SO  SR  GR  none
    (Endpoint("D", "GET", API),
     row((UNAUTH, NO, NO),      (OK, OK, OK, OK, OK, NO),   (OK, OK, OK, OK, OK, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "PUT", API, json={"enabled": True}),
     row((UNAUTH, NO, NO),
         (ok(CONTOSO_ON), ok(CONTOSO_ON), NO, NO, NO, NO),
         (ok(FABRIKAM_ON), ok(FABRIKAM_ON), NO, NO, NO, NO),
         (NO, NO, NO, NO, NO))),
    # The API acts on the caller's home tenant; a body naming another is refused, unchanged.
    (Endpoint("D", "PUT", API, json={"enabled": True, "tenant": "contoso.example"}),
     row((UNAUTH, NO, NO),      (BAD, BAD, NO, NO, NO, NO), (BAD, BAD, NO, NO, NO, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "PATCH", API, json={"enabled": False, "feedback": "Not yet."},
              starts_on=True),
     row((UNAUTH, NO, NO),
         (ok(CONTOSO_OFF, CONTOSO_FEEDBACK), ok(CONTOSO_OFF, CONTOSO_FEEDBACK), NO, NO, NO, NO),
         (ok(FABRIKAM_OFF, FABRIKAM_FEEDBACK), ok(FABRIKAM_OFF, FABRIKAM_FEEDBACK),
          NO, NO, NO, NO),
         (NO, NO, NO, NO, NO))),

    (Endpoint("D", "GET", ENDPOINT_API),
     row((UNAUTH, NO, NO),      (OK, OK, OK, OK, OK, NO),   (OK, OK, OK, OK, OK, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "PUT", ENDPOINT_API, json={"enabled": True}),
     row((UNAUTH, NO, NO),
         (ok(CONTOSO_ENDPOINT_ON), ok(CONTOSO_ENDPOINT_ON), NO, NO, NO, NO),
         (ok(FABRIKAM_ENDPOINT_ON), ok(FABRIKAM_ENDPOINT_ON), NO, NO, NO, NO),
         (NO, NO, NO, NO, NO))),
    (Endpoint("D", "PATCH", ENDPOINT_API, json={"enabled": False}, starts_on=True),
     row((UNAUTH, NO, NO),
         (ok(CONTOSO_ENDPOINT_OFF), ok(CONTOSO_ENDPOINT_OFF), NO, NO, NO, NO),
         (ok(FABRIKAM_ENDPOINT_OFF), ok(FABRIKAM_ENDPOINT_OFF), NO, NO, NO, NO),
         (NO, NO, NO, NO, NO))),

    # ---------------------------------------------------------------- Defender: feedback
    # Every signed-in account may send feedback; it is filed under the sender's home tenant.
    (Endpoint("D", "GET", "/feedback?from=/alerts"),
     row((SIGNIN, OK, OK),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("D", "POST", "/feedback", form=FEEDBACK_FORM),
     row((SIGNIN, to(THANKS, TENANTLESS_FEEDBACK), to(THANKS, TENANTLESS_FEEDBACK)),
         (to(THANKS, CONTOSO_FEEDBACK),) * 6,
         (to(THANKS, FABRIKAM_FEEDBACK),) * 6,
         (to(THANKS, CONTOSO_FEEDBACK),) * 5)),
    (Endpoint("D", "POST", "/feedback",
              form={**FEEDBACK_FORM, "tenant": "{contoso}", "user": "{analyst}",
                    "status": "closed", "portal": "legacy"},
              note="naming Contoso and its analyst"),
     row((SIGNIN, to(THANKS, TENANTLESS_FEEDBACK), to(THANKS, TENANTLESS_FEEDBACK)),
         (to(THANKS, CONTOSO_FEEDBACK),) * 6,
         (to(THANKS, FABRIKAM_FEEDBACK),) * 6,
         (to(THANKS, CONTOSO_FEEDBACK),) * 5)),
    (Endpoint("D", "GET", THANKS),
     row((SIGNIN, OK, OK),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),

    # ---------------------------------------------------------------- Defender: support console
    # Anonymous visitors are asked to sign in: at the console's own page from its index, at
    # the portal's sign-in page from any deeper page (the site-wide sign-in requirement).
    # Tenant accounts are not staff: the console sends them to its own sign-in. Staff outside
    # the Support group see an empty index and nothing else. Support views everything it
    # needs, turns redirection through the audited actions, ends sessions, triages feedback,
    # and edits nothing else: not tenants, not accounts, never the audit.
    #                           anonymous staff support     GA  SA  SO  SR  GR  none
    (Endpoint("D", "GET", "/admin/"),
     row((CONSOLE, OK, OK),     (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "GET", TENANTS),
     row((SIGNIN, NO, OK),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "GET", TENANTS + "{contoso}/change/"),
     row((SIGNIN, NO, OK),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "POST", TENANTS + "{contoso}/change/",
              form={"name": "Renamed", "domain": "renamed.example",
                    "role_assignments-TOTAL_FORMS": "0", "role_assignments-INITIAL_FORMS": "0",
                    "redirection_changes-TOTAL_FORMS": "0",
                    "redirection_changes-INITIAL_FORMS": "0"},
              note="rename"),
     row((SIGNIN, NO, NO),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    # The console's switch asks first (which workload, why), changing nothing...
    (Endpoint("D", "POST", TENANTS, action="turn_redirection_on", note="asks first"),
     row((SIGNIN, NO, OK),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    # ...and turns it once confirmed with a reason.
    (Endpoint("D", "POST", TENANTS, action="turn_redirection_on", form=CONFIRMED),
     row((SIGNIN, NO, to(TENANTS, CONTOSO_ON)),
         (CONSOLE,) * 6,        (CONSOLE,) * 6,             (CONSOLE,) * 5)),
    (Endpoint("D", "POST", TENANTS, action="turn_redirection_off", starts_on=True,
              form={**CONFIRMED, "workload": "endpoint"}),
     row((SIGNIN, NO, to(TENANTS, CONTOSO_ENDPOINT_OFF)),
         (CONSOLE,) * 6,        (CONSOLE,) * 6,             (CONSOLE,) * 5)),
    (Endpoint("D", "GET", SESSIONS),
     row((SIGNIN, NO, OK),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    # Ending sessions asks first (what it touches, why), ending nothing...
    (Endpoint("D", "POST", SESSIONS, action="end_sessions", note="asks first"),
     row((SIGNIN, NO, OK),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    # ...and ends once confirmed with a reason.
    (Endpoint("D", "POST", SESSIONS, action="end_sessions", form=ENDING_CONFIRMED),
     row((SIGNIN, NO, to(SESSIONS, SESSION_ENDED)),
         (CONSOLE,) * 6,        (CONSOLE,) * 6,             (CONSOLE,) * 5)),
    (Endpoint("D", "GET", SESSIONS + "{session}/change/"),
     row((SIGNIN, NO, OK),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "POST", SESSIONS + "{session}/change/",
              form={"end_reason": "signed_out", "ended_at_0": "2024-01-01",
                    "ended_at_1": "00:00"}),
     row((SIGNIN, NO, NO),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "GET", CHANGES),
     row((SIGNIN, NO, OK),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "GET", CHANGES + "{change}/change/"),
     row((SIGNIN, NO, OK),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "GET", CHANGES + "add/"),
     row((SIGNIN, NO, NO),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "POST", CHANGES + "add/",
              form={"tenant": "{contoso}", "source": "admin", "old_value": "on",
                    "new_value": "", "changed_at_0": "2024-01-01", "changed_at_1": "00:00"}),
     row((SIGNIN, NO, NO),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "GET", CHANGES + "{change}/delete/"),
     row((SIGNIN, NO, NO),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "POST", CHANGES + "{change}/delete/", form={"post": "yes"}),
     row((SIGNIN, NO, NO),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "GET", FEEDBACKS + "{feedback}/change/"),
     row((SIGNIN, NO, OK),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "POST", FEEDBACKS + "{feedback}/change/",
              form={"status": "triaged", "message": "Words rewritten by support."}),
     row((SIGNIN, NO, to(FEEDBACKS, FEEDBACK_TRIAGED)),
         (CONSOLE,) * 6,        (CONSOLE,) * 6,             (CONSOLE,) * 5)),
    # Support has no delete permission: the bulk delete is not among its actions.
    (Endpoint("D", "POST", FEEDBACKS, action="delete_selected"),
     row((SIGNIN, NO, to(FEEDBACKS)),
         (CONSOLE,) * 6,        (CONSOLE,) * 6,             (CONSOLE,) * 5)),
    (Endpoint("D", "GET", USERS + "{analyst}/change/"),
     row((SIGNIN, NO, OK),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "POST", USERS + "{analyst}/change/",
              form={"email": "analyst@contoso.example", "display_name": "Promoted",
                    "tenant": "{contoso}", "is_active": "on", "is_staff": "on",
                    "is_superuser": "on", "date_joined_0": "2024-01-01",
                    "date_joined_1": "00:00", "role_assignments-TOTAL_FORMS": "0",
                    "role_assignments-INITIAL_FORMS": "0"},
              note="make superuser"),
     row((SIGNIN, NO, NO),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    # An account's sessions end from its page, through the same confirmation.
    (Endpoint("D", "GET", USERS + "{analyst}/end-sessions/"),
     row((SIGNIN, NO, OK),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "POST", USERS + "{analyst}/end-sessions/", note="asks first"),
     row((SIGNIN, NO, OK),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "POST", USERS + "{analyst}/end-sessions/", form=ENDING_CONFIRMED),
     row((SIGNIN, NO, to(USERS, SESSION_ENDED)),
         (CONSOLE,) * 6,        (CONSOLE,) * 6,             (CONSOLE,) * 5)),
    (Endpoint("D", "POST", USERS + "{analyst}/delete/", form={"post": "yes"}),
     row((SIGNIN, NO, NO),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "GET", USERS + "{analyst}/password/"),
     row((SIGNIN, NO, NO),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),
    (Endpoint("D", "POST", USERS + "{analyst}/password/",
              form={"usable_password": "true", "password1": "Taken-over-2024!",
                    "password2": "Taken-over-2024!"}),
     row((SIGNIN, NO, NO),      (CONSOLE,) * 6,             (CONSOLE,) * 6,
         (CONSOLE,) * 5)),

    # ---------------------------------------------------------------- legacy portal
    #                           anonymous staff support     GA  SA  SO  SR  GR  none
    (Endpoint("L", "GET", "/"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("L", "GET", "/timeline?status=open"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("L", "GET", "/securityAlert/{alert}"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (NF, NF, NF, NF, NF, NF),
         (OK, OK, OK, OK, OK))),
    (Endpoint("L", "GET", "/user/{identity}"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (NF, NF, NF, NF, NF, NF),
         (OK, OK, OK, OK, OK))),
    (Endpoint("L", "GET", "/computer/{device}"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (NF, NF, NF, NF, NF, NF),
         (OK, OK, OK, OK, OK))),
    (Endpoint("L", "GET", "/search?q=Marker"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("L", "GET", "/health"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("L", "GET", "/configuration"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("L", "GET", "/about"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("L", "GET", "/feedback?from=/timeline"),
     row((SIGNIN, OK, OK),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("L", "POST", "/feedback", form=FEEDBACK_FORM),
     row((SIGNIN, to(THANKS, TENANTLESS_FEEDBACK), to(THANKS, TENANTLESS_FEEDBACK)),
         (to(THANKS, CONTOSO_FEEDBACK),) * 6,
         (to(THANKS, FABRIKAM_FEEDBACK),) * 6,
         (to(THANKS, CONTOSO_FEEDBACK),) * 5)),
    # The settings, their API and the console exist on the Defender portal only.
    (Endpoint("L", "GET", "/admin/"),
     row((NF, NF, NF),          (NF,) * 6,                  (NF,) * 6,
         (NF,) * 5)),
    (Endpoint("L", "GET", "/settings"),
     row((NF, NF, NF),          (NF,) * 6,                  (NF,) * 6,
         (NF,) * 5)),
    (Endpoint("L", "POST", PAGE, form={"enabled": "on"}),
     row((NF, NF, NF),          (NF,) * 6,                  (NF,) * 6,
         (NF,) * 5)),
    (Endpoint("L", "PUT", API, json={"enabled": True}),
     row((NF, NF, NF),          (NF,) * 6,                  (NF,) * 6,
         (NF,) * 5)),

    # ---------------------------------------------------------------- Security Center
    # As the legacy portal: a tenant account browses its own tenant's endpoint alerts whatever
    # its role; an identity sensor's alert is not a Security Center page, even its own tenant's.
    #                           anonymous staff support     GA  SA  SO  SR  GR  none
    (Endpoint("E", "GET", "/"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("E", "GET", "/alerts?status=new&severity=medium"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("E", "GET", "/alerts/{endpoint_alert}"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (NF, NF, NF, NF, NF, NF),
         (OK, OK, OK, OK, OK))),
    (Endpoint("E", "GET", "/alerts/{alert}", note="an identity sensor's alert"),
     row((SIGNIN, NO, NO),      (NF,) * 6,                  (NF,) * 6,
         (NF,) * 5)),
    (Endpoint("E", "GET", "/machines/{endpoint_device}"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (NF, NF, NF, NF, NF, NF),
         (OK, OK, OK, OK, OK))),
    (Endpoint("E", "GET", "/incidents"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("E", "GET", "/search?q=Marker"),
     row((SIGNIN, NO, NO),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("E", "GET", "/feedback?from=/alerts"),
     row((SIGNIN, OK, OK),      (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    (Endpoint("E", "POST", "/feedback", form=FEEDBACK_FORM),
     row((SIGNIN, to(THANKS, TENANTLESS_FEEDBACK), to(THANKS, TENANTLESS_FEEDBACK)),
         (to(THANKS, CONTOSO_FEEDBACK),) * 6,
         (to(THANKS, FABRIKAM_FEEDBACK),) * 6,
         (to(THANKS, CONTOSO_FEEDBACK),) * 5)),
    (Endpoint("E", "GET", "/healthz"),
     row((OK, OK, OK),          (OK, OK, OK, OK, OK, OK),   (OK, OK, OK, OK, OK, OK),
         (OK, OK, OK, OK, OK))),
    # The SIEM API answers a bearer token of a SIEM integration only: a browser's signed-in
    # session is no credential there (tests/test_siem_api.py covers the tokens).
    (Endpoint("E", "GET", "/api/alerts"),
     row((UNAUTH,) * 3,         (UNAUTH,) * 6,              (UNAUTH,) * 6,
         (UNAUTH,) * 5)),
    # Settings, their API and the console exist on the Defender portal only.
    (Endpoint("E", "GET", "/admin/"),
     row((NF, NF, NF),          (NF,) * 6,                  (NF,) * 6,
         (NF,) * 5)),
    (Endpoint("E", "GET", "/settings"),
     row((NF, NF, NF),          (NF,) * 6,                  (NF,) * 6,
         (NF,) * 5)),
    (Endpoint("E", "POST", PAGE, form={"enabled": "on"}),
     row((NF, NF, NF),          (NF,) * 6,                  (NF,) * 6,
         (NF,) * 5)),
    (Endpoint("E", "PUT", API, json={"enabled": True}),
     row((NF, NF, NF),          (NF,) * 6,                  (NF,) * 6,
         (NF,) * 5)),
]
# fmt: on


# ------------------------------------------------------------------ the sign-in callback
# Whatever else a portal's sign-in callback answers, a request that no sign-in of this
# browser's is waiting for signs nobody in (and never switches the browser's account) and
# never fails with a 5xx. ``{forged}`` is a value signed with the site's key: one a careless
# check would accept.
CALLBACK_PATHS = (
    "/signin/callback",
    "/signin/callback?code=",
    "/signin/callback?code=not-a-code&state=not-a-state",
    "/signin/callback?code={forged}&state={forged}",
    "/signin/callback?error=access_denied&state={forged}",
    "/signin/callback?code={forged}&state={forged}&next=/admin/",
)
