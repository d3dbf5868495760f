"""What a sign-in leaves in the session, so later requests need no query to know it."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase

from accounts.models import sign_in_lifetime

SIGNED_IN_AT = "signed_in_at"
TENANT_ID = "tenant_id"
PORTAL = "portal"
USER_ID = SESSION_KEY  # where django.contrib.auth keeps the signed-in account's id
ROLES = "directory_roles"
# The directory session this session belongs to (the ID token's `sid`; the directory's own
# session names itself): the session engine writes it beside the data, where ending that
# directory session finds it. With an external directory, the ID token too, which the
# sign-out hands back to it as `id_token_hint`.
DIRECTORY_SID = "directory_sid"
ID_TOKEN = "id_token"  # noqa: S105 (a session key name, not a secret)
# The answer to the directory's "Stay signed in?": False keeps the session's cookie for this
# browser session only (accounts.sessions); the session itself ends when the sign-in does.
STAYS_SIGNED_IN = "stays_signed_in"


def remember_sign_in(
    session: SessionBase,
    *,
    portal: str | None,
    tenant_id,
    when: datetime,
    roles=(),
    sid: str = "",
) -> None:
    """Store the sign-in's time, tenant, portal, directory session and the account's roles.

    The roles are those the directory's ID token names in `wids`: pages and the legacy
    middleware read them from here, with no query. A change of roles takes effect at the next
    sign-in, as with the real directory; the one writer of the switch still checks the database.
    """
    session[SIGNED_IN_AT] = when.timestamp()
    session[TENANT_ID] = tenant_id
    session[ROLES] = sorted(str(role) for role in roles)
    if portal:
        session[PORTAL] = portal
    if sid:
        session[DIRECTORY_SID] = sid
    # A sign-in lasts a fixed time from the moment it happened; without this, every later
    # save of the session would push its end further away, and the sign-in history
    # (SignInSession.is_active) could no longer tell when it ends.
    session.set_expiry(when + sign_in_lifetime())


def signed_in_at(session: SessionBase) -> datetime | None:
    stamp = session.get(SIGNED_IN_AT)
    return datetime.fromtimestamp(stamp, tz=UTC) if stamp is not None else None


def session_roles(session: SessionBase | None) -> frozenset[str]:
    """The directory roles this session's account held in its tenant at sign-in."""
    return frozenset(session.get(ROLES, ())) if session is not None else frozenset()
