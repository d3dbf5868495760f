"""The benchmark servers' settings minus the redirection middleware (row 2 of the table)."""

from __future__ import annotations

from bench.settings import *  # noqa: F403
from bench.settings import MIDDLEWARE

MIDDLEWARE = [
    name for name in MIDDLEWARE if name != "portal.middleware.LegacyRedirectionMiddleware"
]
