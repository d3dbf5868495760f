"""The Settings areas' left menus: what each area holds, in Microsoft's order.

An area's pages share one two-pane layout (templates/settings_ui/two_pane.html): this menu on
the left, the page on the right, and a breadcrumb worked out from the menu. A page this
portal does not build is listed by its name only, never as a link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str | None = None  # None: a page this portal does not build
    # Open to every account of the tenant (the legacy portal's Health and About route here);
    # otherwise offered only to accounts that may open Settings.
    open_to_all: bool = False
    # Added to the page's URL: a workload's Portal redirection shares the page of another.
    query: str = ""


@dataclass(frozen=True)
class MenuGroup:
    label: str
    entries: tuple[MenuEntry, ...]

    @property
    def anchor(self) -> str:
        return f"group-{slugify(str(self.label))}"


@dataclass(frozen=True)
class SettingsMenu:
    """One Settings area: its name, its own page, and its menu."""

    area: str
    url_name: str
    groups: tuple[MenuGroup, ...]

    def place_of(self, url_name: str) -> tuple[MenuGroup, MenuEntry] | None:
        """The group and entry of the page named ``url_name``, if the menu lists it."""
        for group in self.groups:
            for entry in group.entries:
                if entry.url_name == url_name:
                    return group, entry
        return None


def unbuilt(*labels: str) -> tuple[MenuEntry, ...]:
    return tuple(MenuEntry(label) for label in labels)


IDENTITIES_MENU = SettingsMenu(
    area=_("Identities"),
    url_name="settings_ui:identities",
    groups=(
        MenuGroup(
            _("General"),
            (
                *unbuilt(
                    _("Sensors"),
                    _("Directory service accounts"),
                    _("VPN"),
                    _("Manage action accounts"),
                ),
                MenuEntry(_("Portal redirection"), "settings_ui:portal_redirection"),
                MenuEntry(_("Health issues"), "defender:health", open_to_all=True),
                MenuEntry(_("About"), "defender:about", open_to_all=True),
            ),
        ),
        MenuGroup(_("Entity tags"), unbuilt(_("Sensitive"), _("Honeytoken"), _("Exchange server"))),
        MenuGroup(
            _("Actions and exclusions"),
            unbuilt(_("Global excluded entities"), _("Exclusions by detection rule")),
        ),
        MenuGroup(
            _("Notifications"),
            unbuilt(
                _("Health issues notifications"),
                _("Alert notifications"),
                _("Syslog notifications"),
            ),
        ),
    ),
)


ENDPOINTS_MENU = SettingsMenu(
    area=_("Endpoints"),
    url_name="settings_ui:endpoints",
    groups=(
        MenuGroup(
            _("General"),
            (
                *unbuilt(
                    _("Advanced features"),
                    _("Licenses"),
                    _("Email notifications"),
                    _("Auto remediation"),
                ),
                MenuEntry(
                    _("Portal redirection"),
                    "settings_ui:portal_redirection",
                    query="?workload=endpoint",
                ),
            ),
        ),
        MenuGroup(_("Permissions"), unbuilt(_("Roles"), _("Device groups"))),
        MenuGroup(_("APIs"), unbuilt(_("SIEM"))),
        MenuGroup(
            _("Rules"),
            unbuilt(_("Alert suppression"), _("Indicators"), _("Web content filtering")),
        ),
        MenuGroup(_("Device management"), unbuilt(_("Onboarding"), _("Offboarding"))),
    ),
)


def settings_menu_context(menu: SettingsMenu, url_name: str) -> dict:
    """What the two-pane layout needs: the area's menu and where this page sits in it."""
    place = menu.place_of(url_name)
    return {
        "settings_menu": menu,
        "settings_page": url_name,
        "settings_group": place[0] if place else None,
        "settings_entry": place[1] if place else None,
    }
