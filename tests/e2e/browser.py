"""The Chromium the browser tests and the screenshots drive: where it is and how it starts."""

from __future__ import annotations

import os
import shutil

# Headless, and quiet on the network: this machine reaches no host but its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def find_chromium() -> str | None:
    """The Chromium to drive: $E2E_CHROMIUM if set, else the system's; never a download."""
    wanted = os.environ.get("E2E_CHROMIUM")
    if wanted:
        return wanted if os.access(wanted, os.X_OK) else None
    for candidate in (
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None
