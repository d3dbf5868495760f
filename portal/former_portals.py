"""The former portals that route their accounts to the Defender portal.

Each is one workload: the legacy portal is Identity's, the Security Center Endpoint's. The
redirection middleware reads from here which workload a site is, the route map it uses and
the state of that workload's switch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone

from portal.routes import ENDPOINT_ROUTE_MAP, IDENTITY_ROUTE_MAP, RouteMap, route_for_path
from settings_ui.state import get_state
from settings_ui.workloads import WORKLOADS, Workload


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


# One entry per workload of settings_ui.workloads, on the site its former portal is served at.
ROUTE_MAPS: dict[str, RouteMap] = {
    Workload.IDENTITY: IDENTITY_ROUTE_MAP,
    Workload.ENDPOINT: ENDPOINT_ROUTE_MAP,
}
FORMER_PORTALS: dict[str, FormerPortal] = {
    setting.former_site: FormerPortal(workload=workload, route_map=ROUTE_MAPS[workload])
    for workload, setting in WORKLOADS.items()
}


def redirection_in_force(tenant_id: int | None, workload: str) -> bool:
    """Whether a workload's redirection is On now for the tenant (a scheduled change applied):
    then links leaving its former portal lead to the Defender portal instead."""
    return get_state(tenant_id, workload).settled(timezone.now()).enabled
