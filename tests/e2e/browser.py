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


def complete_sign_in(page, email: str, password: str, stay_signed_in: bool = False) -> None:
    """Sign in on the sign-in page the browser is on, as a person would, step by step (Email,
    Password, Stay signed in?); wait for where it leads."""
    page.get_by_label("Email").fill(email)
    with page.expect_navigation():
        page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if page.get_by_role("heading", name="Stay signed in?").count():
        with page.expect_navigation():
            page.get_by_role("button", name="Yes" if stay_signed_in else "No").click()
    page.wait_for_load_state()


def sign_in(
    page,
    origin: str,
    email: str,
    password: str,
    path: str = "/signin",
    stay_signed_in: bool = False,
) -> None:
    """Open a portal's sign-in page (``path`` may carry ``next``) and sign in there."""
    page.goto(origin + path)
    complete_sign_in(page, email, password, stay_signed_in)
