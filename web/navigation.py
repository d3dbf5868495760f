"""Which item of the Defender portal's navigation rail a page belongs to, by its URL name.

Each page's view names its own item; a page about another one (the feedback form, told where
it was opened from) asks here, so the rail and its breadcrumb point back where the reader was.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RailItem:
    key: str  # the views' nav_section
    label: str
    url_name: str


HOME = RailItem("home", _("Home"), "defender:home")
INCIDENTS = RailItem("incidents", _("Incidents"), "defender:incidents")
ALERTS = RailItem("alerts", _("Alerts"), "defender:alerts")
IDENTITIES = RailItem("identities", _("Identities"), "defender:identities")
SETTINGS = RailItem("settings", _("Settings"), "settings_ui:settings")

ITEM_OF_PAGE = {
    "defender:home": HOME,
    "defender:incidents": INCIDENTS,
    "defender:alerts": ALERTS,
    "defender:alert": ALERTS,
    "defender:identities": IDENTITIES,
    "defender:identity": IDENTITIES,
    "defender:machine": IDENTITIES,
    "defender:health": SETTINGS,
    "defender:about": SETTINGS,
    "settings_ui:settings": SETTINGS,
    "settings_ui:identities": SETTINGS,
    "settings_ui:portal_redirection": SETTINGS,
}


def rail_item_of(path: str) -> RailItem | None:
    """The rail item of the Defender page at ``path`` (on the site answering), if it has one."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return ITEM_OF_PAGE.get(match.view_name)
