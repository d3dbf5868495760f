"""The Chromium the browser tests and the screenshots drive: where it is, how it starts, and
how a person signs in with it."""

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


def complete_sign_in(page, email: str, password: str) -> None:
    """Sign in on the sign-in page the browser is on, as a person would; wait for where it leads."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_in(page, origin: str, email: str, password: str, path: str = "/signin") -> None:
    """Open a portal's sign-in page (``path`` may carry ``next``) and sign in there."""
    page.goto(origin + path)
    complete_sign_in(page, email, password)
