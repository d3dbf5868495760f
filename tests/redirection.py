"""Test helpers for routing: a clock, turning the switch, and reading where a 302 lands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.handoff import HANDOFF_PATH, read_claim
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

    def turn(tenant, enabled: bool, actor) -> None:
        with capture_on_commit(execute=True):
            set_portal_redirection(tenant, enabled, actor=actor, source="web")

    return turn


def handoff_token(location: str) -> str:
    """The token of a routed 302, which must point at the Defender portal's hand-off."""
    assert location.startswith(f"{settings.DEFENDER_PORTAL_URL}{HANDOFF_PATH}?token="), location
    return parse_qs(urlsplit(location).query)["token"][0]


def landing(location: str) -> str:
    """The absolute Defender URL a routed 302 lands on, once its hand-off is redeemed."""
    return settings.DEFENDER_PORTAL_URL + read_claim(handoff_token(location)).target


def redeem_handoff(location: str, client: Client | None = None):
    """Follow a routed 302 into the Defender portal, as the browser would."""
    client = client or Client(HTTP_HOST=urlsplit(settings.DEFENDER_PORTAL_URL).hostname)
    return client.get(HANDOFF_PATH, {"token": handoff_token(location)})
