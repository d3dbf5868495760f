"""The session engine of both back ends: sessions live in the database only, one row each.

Django's db engine on accounts.Session, its row read by one fixed statement
(web/session_rows.py). Each save writes the account and the directory session the session
belongs to beside its data, so whatever ends a sign-in deletes its rows in one statement, and
the next read of any of them, by any worker of any server, finds nothing. No copy is kept
anywhere else: there is nothing to outlive that end.
"""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError

from accounts.models import Session
from accounts.session_keys import DIRECTORY_SID, STAYS_SIGNED_IN
from web.session_rows import SessionRowReading


class SessionStore(SessionRowReading, db.SessionStore):
    @classmethod
    def get_model_class(cls):
        return Session

    def get_expire_at_browser_close(self) -> bool:
        # "Stay signed in?" answered No: the cookie goes with the browser, while the row keeps
        # the fixed end its sign-in gave it (remember_sign_in).
        if self.get(STAYS_SIGNED_IN) is False:
            return True
        return super().get_expire_at_browser_close()

    def create_model_instance(self, data):
        return self._with_owner(super().create_model_instance(data), data)

    async def acreate_model_instance(self, data):
        return self._with_owner(await super().acreate_model_instance(data), data)

    @staticmethod
    def _with_owner(row: Session, data) -> Session:
        row.account_id = account_id(data.get(SESSION_KEY))
        row.sid = str(data.get(DIRECTORY_SID) or "")
        return row


def account_id(value):
    """The signed-in account's primary key as django.contrib.auth stores it, or None."""
    if value is None:
        return None
    try:
        return get_user_model()._meta.pk.to_python(value)
    except ValidationError:
        return None
