"""The legacy portal's banner: where this session stands with the Defender portal."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from accounts.session_keys import TENANT_ID, session_roles
from portal.former_portals import FORMER_PORTALS, state_for
from portal.middleware import session_is_routed
from portal.routes import route_for_legacy_path
from web.hosts import LEGACY

SWITCHED = "switched"
INVITATION = "invitation"


def legacy_banner(request: HttpRequest) -> dict:
    """Context for the banner on signed-in legacy pages; reads the session and cached state only.

    ``switched`` while the tenant's redirection is On but this session is not routed (it signed
    in earlier, or its account's turn in the propagation window has not come); ``invitation``
    while it is Off. The Defender link is always built by the route map, never from raw input.
    Its "Give feedback" link is the page's own (web.context_processors.portal).
    """
    session = getattr(request, "session", None)
    if getattr(request, "portal", None) != LEGACY or session is None:
        return {}
    tenant_id = session.get(TENANT_ID)
    if tenant_id is None or not request.user.is_authenticated:
        return {}
    state = state_for(tenant_id, FORMER_PORTALS[LEGACY].workload)
    if session_is_routed(session, state):
        return {}  # the middleware routes this session; only pass-through pages get here
    return {
        "legacy_banner": {
            "kind": SWITCHED if state.settled(timezone.now()).enabled else INVITATION,
            "defender_url": settings.DEFENDER_PORTAL_URL
            + route_for_legacy_path(request.path_info, request.GET, roles=session_roles(session)),
        }
    }
