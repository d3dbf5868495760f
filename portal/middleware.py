"""The former portals' middleware: newly signed-in sessions go to the equivalent Defender page.

One class for every former portal; each site's workload and route map come from
portal.former_portals, and whether a session is routed from settings_ui.routing_rule.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date

from accounts.session_keys import TENANT_ID, USER_ID, session_roles, signed_in_at
from portal.former_portals import FORMER_PORTALS
from settings_ui.routing_rule import RedirectionState, SessionFacts, should_route
from settings_ui.state import get_state
from web.hosts import urlconf_for

logger = logging.getLogger("portal.redirection")


def pass_through_prefixes(site: str) -> tuple[str, ...]:
    """A former portal's paths a routed session still needs: sign-in, sign-out, service
    pages, static files."""
    urlconf = urlconf_for(site)
    named = ("accounts:signin", "accounts:signout", "healthz", "favicon")
    return (*(reverse(name, urlconf=urlconf) for name in named), settings.STATIC_URL)


def session_is_routed(session, state: RedirectionState) -> bool:
    """The one decision applied to a signed-in session of a former portal, from the session
    and its workload's ``state`` alone."""
    account_id = session.get(USER_ID)
    tenant_id = session.get(TENANT_ID)
    if account_id is None or tenant_id is None:
        return False
    return should_route(
        state,
        SessionFacts(account_id, tenant_id, signed_in_at(session)),
        now=timezone.now(),
        window_seconds=settings.REDIRECTION_PROPAGATION_SECONDS,
    )


def _never_cache_control() -> str:
    """Django's never-cache Cache-Control value, worked out once: it never changes."""
    sample = HttpResponse()
    add_never_cache_headers(sample)
    return sample["Cache-Control"]


class RoutedRedirect(HttpResponseRedirect):
    """A 302 no cache keeps: the same Off must take effect on the very next request.

    The headers are those of add_never_cache_headers, whose two passes over Cache-Control
    cost a sixth of the middleware's routed answer; only Expires changes between answers.
    """

    never_cache_control = _never_cache_control()

    def __init__(self, redirect_to: str):
        super().__init__(redirect_to)
        self["Expires"] = http_date()
        self["Cache-Control"] = self.never_cache_control


class FormerPortalRedirectionMiddleware:
    """On each former portal, answers a routed session with a 302 to the equivalent Defender
    page, by that portal's route map and its workload's switch (portal.former_portals).

    A plain 302 to the mapped page: the Defender portal, with no session of its own yet,
    signs the account in through the directory, which already knows this browser and answers
    without asking again. Reads only the session and the cached state: no query of its own
    on a warm cache. Every other site passes untouched.
    """

    # 302, never 301: a browser keeps a 301 for ever, and Off must take effect at once.
    response_class = RoutedRedirect

    def __init__(self, get_response):
        self.get_response = get_response
        self.pass_through = {site: pass_through_prefixes(site) for site in FORMER_PORTALS}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        former = FORMER_PORTALS.get(request.portal)
        if former is None or request.path_info.startswith(self.pass_through[request.portal]):
            return self.get_response(request)
        session = request.session
        tenant_id = session.get(TENANT_ID)
        if tenant_id is None or not session_is_routed(
            session, get_state(tenant_id, former.workload)
        ):
            return self.get_response(request)

        account_id = session[USER_ID]
        target = former.defender_path(request.path_info, request.GET, roles=session_roles(session))
        # Traffic, not an event: the access log has every routed 302 already, and a line of
        # its own per answer cost a seventh of a routed answer's time. LOG_LEVEL=DEBUG adds it.
        logger.debug(
            "redirection_routed portal=%s tenant=%s account=%s decision=routed",
            request.portal,
            tenant_id,
            account_id,
        )
        return self.response_class(settings.DEFENDER_PORTAL_URL + target)
