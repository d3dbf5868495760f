"""Session engine of the embedded default: Django's db engine, its row read by one statement."""

from __future__ import annotations

from django.contrib.sessions.backends import db

from web.session_rows import SessionRowReading


class SessionStore(SessionRowReading, db.SessionStore):
    pass
