"""Property: whatever the admins do, in any order, a session is routed only if it signed in
after its account last came into routing, and always if it signed in after the last change.

A small model of the rules (On and in scope, with scheduled changes taking effect at their
time) follows the same steps as the real writer, reader and decision, and judges them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from settings_ui.models import ChangeSource
from settings_ui.routing_rule import SessionFacts, should_route
from settings_ui.services import InvalidChange, RedirectionUpdate, change_portal_redirection
from settings_ui.state import get_state, refresh
from tests.factories import TenantFactory, UserFactory

pytestmark = pytest.mark.django_db

TICK = timedelta(microseconds=1)
ACCOUNTS = ("analyst", "operator")


@dataclass
class Model:
    """The rules as a person states them, one moment at a time."""

    enabled: bool = False
    scope: str = "everyone"
    pilot: frozenset = frozenset()
    scheduled: dict = field(default_factory=dict)  # {True: on_at, False: off_at}
    since: dict = field(default_factory=dict)  # account → moment it came into routing
    last_change: datetime | None = None

    def in_routing(self, account: str) -> bool:
        return self.enabled and (self.scope == "everyone" or account in self.pilot)

    def settle(self, moment: datetime, apply) -> None:
        before = {account: self.in_routing(account) for account in ACCOUNTS}
        apply()
        self.last_change = moment
        for account in ACCOUNTS:
            if not self.in_routing(account):
                self.since.pop(account, None)
            elif not before[account]:
                self.since[account] = moment

    def reach(self, now: datetime) -> None:
        """Scheduled changes take effect at their own time, in order."""
        for turn_on, at in sorted(self.scheduled.items(), key=lambda item: item[1]):
            if at <= now:
                del self.scheduled[turn_on]
                if self.enabled != turn_on:
                    self.settle(at, lambda turn_on=turn_on: setattr(self, "enabled", turn_on))


steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=20),  # seconds before the step
        st.sampled_from(
            [
                "on",
                "off",
                "everyone",
                "pilot",
                "join",
                "leave",
                "schedule_on",
                "schedule_off",
                "wait",
            ]
        ),
        st.sampled_from(ACCOUNTS),
        st.integers(min_value=1, max_value=30),  # seconds ahead for a schedule
    ),
    min_size=1,
    max_size=12,
)


def written(text: str) -> list[tuple]:
    """Steps one second apart, each "action", "action:account" or "action:seconds ahead"."""
    steps = []
    for word in text.split():
        action, _, detail = word.partition(":")
        wait = int(detail) if action == "wait" else 1
        account = detail if detail in ACCOUNTS else "analyst"
        ahead = int(detail) if detail.isdigit() and action != "wait" else 1
        steps.append((wait, action, account, ahead))
    return steps


def update_for(action: str, account: str, model: Model, now: datetime, ahead: int, emails):
    if action in ("on", "off"):
        return RedirectionUpdate(enabled=action == "on")
    if action in ("everyone", "pilot"):
        return RedirectionUpdate(scope=action)
    if action in ("join", "leave"):
        members = model.pilot | {account} if action == "join" else model.pilot - {account}
        return RedirectionUpdate(pilot_emails=tuple(emails[name] for name in sorted(members)))
    at = now + timedelta(seconds=ahead)
    key = "scheduled_on_at" if action == "schedule_on" else "scheduled_off_at"
    return RedirectionUpdate(**{key: at})


def apply_to_model(action: str, account: str, model: Model, update: RedirectionUpdate):
    if action in ("on", "off"):
        model.enabled = action == "on"
        model.scheduled.pop(model.enabled, None)  # a pending change the same way is moot
    elif action in ("everyone", "pilot"):
        model.scope = action
    elif action == "join":
        model.pilot |= {account}
    elif action == "leave":
        model.pilot -= {account}
    elif action == "schedule_on":
        model.scheduled[True] = update.scheduled_on_at
    elif action == "schedule_off":
        model.scheduled[False] = update.scheduled_off_at


@hypothesis_settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
# The journey, then a schedule reached while the scope changes.
@example(steps=written("join pilot on everyone pilot off on everyone"))
@example(
    steps=written(
        "join pilot schedule_on:10 wait:5 everyone wait:10 pilot"
        " join:operator schedule_off:3 wait:5"
    )
)
def test_routing_follows_the_rules_through_any_sequence_of_changes(clock, steps):
    tenant = TenantFactory()
    users = {name: UserFactory(tenant=tenant, email=f"{name}@{tenant.domain}") for name in ACCOUNTS}
    emails = {name: user.email for name, user in users.items()}
    model = Model()
    moments: list[datetime] = [clock.now()]

    for wait, action, account, ahead in steps:
        now = clock.advance(wait) + TICK * len(moments)  # distinct moments, even with wait 0
        clock.current = now
        model.reach(now)
        if action != "wait":
            update = update_for(action, account, model, now, ahead, emails)
            try:
                result = change_portal_redirection(tenant, update, source=ChangeSource.CLI)
            except InvalidChange:
                pass  # refused: nothing changed, in the product or the model
            else:
                if result.changed:
                    model.settle(now, partial(apply_to_model, action, account, model, update))
                refresh(tenant.pk)  # what the writer does on commit
        moments.append(now)

        state = get_state(tenant.pk)
        for name, user in users.items():
            since = model.since.get(name)
            candidates = {*moments, now}
            if since is not None:
                candidates |= {since - TICK, since}
            for signed_in_at in candidates:
                routed = should_route(
                    state,
                    SessionFacts(user.pk, tenant.pk, signed_in_at),
                    now=timezone.now(),
                    window_seconds=0,
                )
                if routed:
                    assert since is not None and signed_in_at >= since, (name, signed_in_at)
                if since is not None and signed_in_at >= model.last_change:
                    assert routed, (name, signed_in_at, since)
