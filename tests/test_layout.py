"""The project's layout as the README describes it: config/ composes, and each folder is listed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
README = (ROOT / "README.md").read_text()
OUR_APPS = {
    config.split(".")[0]
    for config in settings.INSTALLED_APPS
    if (ROOT / config.split(".")[0]).is_dir() and config.split(".")[0] != "config"
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_config_imports_no_app_outside_its_urlconfs():
    for path in sorted((ROOT / "config").rglob("*.py")):
        if path.name.startswith("urls_"):
            continue  # a site's URLconf names the apps' views: that is composition
        apps = {name for name in imported_modules(path) if name.split(".")[0] in OUR_APPS}
        assert not apps, f"{path.relative_to(ROOT)} imports {sorted(apps)}"


def test_config_holds_composition_only():
    allowed = {"settings", "settings_test", "wsgi", "asgi", "gunicorn", "checks", "apps"}
    allowed |= {"portals", "oidc_key", "__init__"}  # what settings read from the environment
    modules = {path.stem for path in (ROOT / "config").glob("*.py")}
    assert modules - allowed == {p.stem for p in (ROOT / "config").glob("urls_*.py")}
    assert not [
        path for path in (ROOT / "config").iterdir() if path.is_dir() and path.name != "__pycache__"
    ]


def layout_rows() -> dict[str, str]:
    section = README.split("## Project layout", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 2 and cells[0].startswith("`"):
            for folder in re.findall(r"`([^`]+)/`", cells[0]):
                rows[folder] = cells[1]
    return rows


def test_the_readme_layout_table_matches_the_tree():
    rows = layout_rows()
    assert all((ROOT / folder).is_dir() for folder in rows), rows.keys()
    packages = {
        path.parent.name for path in ROOT.glob("*/__init__.py") if path.parent.name != "tests"
    }
    assert packages | {"tests", "templates", "static"} <= set(rows), "a folder is not listed"
    for app in OUR_APPS:
        assert app in rows, f"the README's layout table does not list {app}/"
