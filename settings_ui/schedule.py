"""Scheduled switch-overs: which have come by a given moment. Pure, so readers need no job.

Nothing runs at the scheduled time. Every reader (the routing decision, the page, the API,
the command) applies the scheduled changes whose time has come; the one writer stores them
at its next change of the tenant. Both go through ``reached`` below.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter


@dataclass(frozen=True, slots=True)
class Switching:
    """A scheduled change of the switch taking effect: On or Off, at its time."""

    at: datetime
    enabled: bool


def reached(
    *,
    enabled: bool,
    scheduled_on_at: datetime | None,
    scheduled_off_at: datetime | None,
    now: datetime,
) -> tuple[Switching, ...]:
    """The scheduled changes that have taken effect by ``now``, oldest first.

    A scheduled time counts from that very moment (``at <= now``), as ``enabled_at`` does.
    One that would set the value already in force is no change and is left out.
    """
    due = sorted(
        (
            Switching(at=at, enabled=turn_on)
            for at, turn_on in ((scheduled_on_at, True), (scheduled_off_at, False))
            if at is not None and at <= now
        ),
        key=attrgetter("at"),
    )
    changes = []
    for switching in due:
        if switching.enabled != enabled:
            changes.append(switching)
            enabled = switching.enabled
    return tuple(changes)
