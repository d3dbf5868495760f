"""The former portals' banner: where this session stands with the Defender portal."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from accounts.session_keys import TENANT_ID, USER_ID, session_roles
from portal.former_portals import FORMER_PORTALS
from portal.middleware import session_is_routed
from settings_ui.routing_rule import Why, account_turn
from settings_ui.state import get_state

# What the banner tells this account, from the routing rule (settings_ui.routing_rule).
NEXT_SIGN_IN = "next_sign_in"  # On for this account: its next sign-in goes to Defender
PILOT_ONLY = "pilot_only"  # On for a pilot group this account is not in: it stays here
INVITATION = "invitation"  # Off: an invitation to try the Defender portal


def redirection_banner(request: HttpRequest) -> dict:
    """Context for the banner on a former portal's signed-in pages; reads the session and the
    cached state of that portal's workload only.

    It says what will really happen to this account, from the same rule the routing uses: a
    session the middleware routes never gets here; one that keeps the former portal learns
    whether its next sign-in goes to the Defender portal (and from when), whether redirection
    is On only for a pilot group it is not in, or that redirection is Off. The Defender link
    is always built by the route map, never from raw input.
    """
    session = getattr(request, "session", None)
    former = FORMER_PORTALS.get(getattr(request, "portal", None))
    if former is None or session is None:
        return {}
    tenant_id = session.get(TENANT_ID)
    if tenant_id is None or not request.user.is_authenticated:
        return {}
    state = get_state(tenant_id, former.workload)
    if session_is_routed(session, state):
        return {}  # the middleware routes this session; only pass-through pages get here
    now = timezone.now()

    def turn_at(moment):
        return account_turn(
            state,
            tenant_id=tenant_id,
            account_id=session[USER_ID],
            now=moment,
            window_seconds=settings.REDIRECTION_PROPAGATION_SECONDS,
        )

    turn = turn_at(now)
    kind = {Why.OFF: INVITATION, Why.NOT_IN_PILOT: PILOT_ONLY}.get(turn.why, NEXT_SIGN_IN)
    turns_on_at = state.settled(now).scheduled_on_at if kind == INVITATION else None
    if turns_on_at is not None and turn_at(turns_on_at).why == Why.NOT_IN_PILOT:
        # A scheduled On for a pilot group leaves an account outside it here: it is not told
        # that it moves at that moment.
        turns_on_at = None
    return {
        "redirection_banner": {
            "kind": kind,
            # The account's turn is still ahead (the propagation window): from when.
            "from": turn.starts if kind == NEXT_SIGN_IN and turn.starts > now else None,
            "turns_on_at": turns_on_at,
            "defender_url": settings.DEFENDER_PORTAL_URL
            + former.defender_path(request.path_info, request.GET, roles=session_roles(session)),
        }
    }
