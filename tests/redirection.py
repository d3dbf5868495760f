"""Test helpers for routing: a clock, turning the switch, and reading where a 302 lands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from settings_ui.services import set_portal_redirection


class Clock:
    """Stands in for django.utils.timezone.now: time moves only when a test says so."""

    def __init__(self, start: datetime):
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float = 1) -> datetime:
        self.current += timedelta(seconds=seconds)
        return self.current


def start_clock(monkeypatch) -> Clock:
    clock = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", clock.now)
    return clock


def switcher(capture_on_commit) -> Callable:
    """Turn a tenant's switch through the one writer, running its after-commit invalidation."""

    def turn(tenant, enabled: bool, actor, workload: str = "identity") -> None:
        with capture_on_commit(execute=True):
            set_portal_redirection(tenant, enabled, actor=actor, source="web", workload=workload)

    return turn


def landing(location: str) -> str:
    """The absolute Defender URL a routed 302 lands on: a plain address, no token in it."""
    assert location.startswith(settings.DEFENDER_PORTAL_URL + "/"), location
    return location
