"""The former portals that route their accounts to the Defender portal.

Each is one workload: the legacy portal is Identity's, the Security Center Endpoint's. The
redirection middleware reads from here which workload a site is, the route map it uses and
the state of that workload's switch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone

from portal.models import ServiceSource
from portal.routes import ENDPOINT_ROUTE_MAP, IDENTITY_ROUTE_MAP, RouteMap, route_for_path
from settings_ui.state import OFF, RedirectionState, get_state
from web.hosts import ENDPOINT, LEGACY

# The workloads' names: the same as the service sources whose alerts each former portal shows.
IDENTITY_WORKLOAD = ServiceSource.IDENTITY.value
ENDPOINT_WORKLOAD = ServiceSource.ENDPOINT.value


@dataclass(frozen=True)
class FormerPortal:
    """A site whose sign-ins the Defender portal takes over once its workload's switch is On."""

    workload: str
    route_map: RouteMap

    def defender_path(
        self, path: str, query: Mapping[str, str] | None = None, *, roles: Iterable[str] | None
    ) -> str:
        """The Defender path equivalent to one of this portal's paths."""
        return route_for_path(self.route_map, path, query, roles=roles)


FORMER_PORTALS: dict[str, FormerPortal] = {
    LEGACY: FormerPortal(workload=IDENTITY_WORKLOAD, route_map=IDENTITY_ROUTE_MAP),
    ENDPOINT: FormerPortal(workload=ENDPOINT_WORKLOAD, route_map=ENDPOINT_ROUTE_MAP),
}


def state_for(tenant_id: int | None, workload: str) -> RedirectionState:
    """The redirection state of one workload of a tenant: what its former portal obeys.

    Identity reads the tenant's Automatic redirection switch (settings_ui.state.get_state).
    Endpoint has no switch of its own yet, so it reads Off and the Security Center routes
    nobody. The per-workload switch replaces this function with its own reader,
    ``get_state(tenant_id, workload)``; nothing else here needs to change.
    """
    if workload == IDENTITY_WORKLOAD:
        return get_state(tenant_id)
    return OFF


def redirection_in_force(tenant_id: int | None, workload: str) -> bool:
    """Whether a workload's redirection is On now for the tenant (a scheduled change applied):
    then links leaving its former portal lead to the Defender portal instead."""
    return state_for(tenant_id, workload).settled(timezone.now()).enabled
