"""The workloads whose former portals Microsoft folded into the Defender portal, one entry each.

Each workload has its own Automatic redirection per tenant, with the same writer, reader and
rule. Adding one (Cloud Apps, say) is an entry here, its former portal's site and route map
(portal/), and a migration adding its choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from settings_ui.menus import ENDPOINTS_MENU, IDENTITIES_MENU, SettingsMenu
from web.hosts import ENDPOINT, LEGACY


class Workload(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    ENDPOINT = "endpoint", _("Endpoint")


@dataclass(frozen=True)
class WorkloadSetting:
    """How one workload's setting is named, which former portal it routes, and its menu."""

    workload: Workload
    # The Settings area it sits under (Settings, then this area, General, Portal redirection).
    area: str
    former_portal: str
    # The site (web.hosts) of that former portal, whose sign-ins the switch routes.
    former_site: str
    # The button that turns it Off, in that portal's own words.
    off_button: str
    # The Settings area's menu, in the two-pane layout of its pages.
    settings_menu: SettingsMenu


WORKLOADS: dict[str, WorkloadSetting] = {
    Workload.IDENTITY: WorkloadSetting(
        Workload.IDENTITY,
        area=_("Identities"),
        former_portal=_("Defender for Identity portal"),
        former_site=LEGACY,
        off_button=_("Disable"),
        settings_menu=IDENTITIES_MENU,
    ),
    Workload.ENDPOINT: WorkloadSetting(
        Workload.ENDPOINT,
        area=_("Endpoints"),
        former_portal=_("Microsoft Defender Security Center"),
        former_site=ENDPOINT,
        off_button=_("Disable & share feedback"),
        settings_menu=ENDPOINTS_MENU,
    ),
}

DEFAULT = Workload.IDENTITY


def workload_named(value: str | None) -> Workload | None:
    """The workload a request or an option names (none named: Identity), or None if unknown."""
    if value in (None, ""):
        return DEFAULT
    return Workload(value) if value in Workload.values else None
