"""Session engine of the embedded default: Django's db engine, its row read by one statement
and its signature checked once per process."""

from __future__ import annotations

from django.contrib.sessions.backends import db

from config.session_data import SignatureCheckedOnce
from config.session_rows import SessionRowReading


class SessionStore(SignatureCheckedOnce, SessionRowReading, db.SessionStore):
    pass
