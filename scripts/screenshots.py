"""`make screenshots`: seed a throwaway database, serve it, and save PNGs of the key pages."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import expect, sync_playwright

from tests.e2e.browser import CHROMIUM_ARGS, find_chromium, sign_in
from tests.manage_process import free_port, manage_env, run_manage

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "demo-password-1"  # noqa: S105 (the documented demo password, debug only)
ADMIN = "admin@contoso.example"
ANALYST = "analyst@contoso.example"
FABRIKAM_ADMIN = "admin@fabrikam.example"
VIEWPORT = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TALL_PHONE = {"width": 390, "height": 1700}


def chromium() -> str:
    found = find_chromium()
    if found is None:
        sys.exit(
            "screenshots: no Chromium found; install the chromium package or set E2E_CHROMIUM."
        )
    return found


def manage(env: dict[str, str], *args: str) -> None:
    done = run_manage(*args, **env)
    if done.returncode != 0:
        sys.exit(f"screenshots: manage.py {args[0]} failed:\n{done.stdout}{done.stderr}")


@contextmanager
def demo_server():
    """A debug server on a free port over a fresh SQLite file, removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="screenshots-"))
    port = free_port()
    env = {
        "DJANGO_DEBUG": "true",
        "DJANGO_STATIC_MANIFEST": "false",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "DEFENDER_PORTAL_URL": f"http://security.localhost:{port}",
        "LEGACY_PORTAL_URL": f"http://portal.atp.localhost:{port}",
        "ENDPOINT_PORTAL_URL": f"http://securitycenter.localhost:{port}",
        "IDENTITY_URL": f"http://login.localhost:{port}",
        "DEMO_PASSWORD": PASSWORD,
        "LOG_LEVEL": "WARNING",
        # A shared cache would mix this throwaway data with a real one.
        "REDIS_URL": "",
    }
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "seed_demo")
    log = (workdir / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=manage_env(**env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_healthy(port, server, workdir / "server.log")
        yield env
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def wait_until_healthy(port: int, server: subprocess.Popen, log: Path, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"screenshots: the server stopped before answering:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit("screenshots: the server did not answer /healthz in time.")


def shoot(page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    path = OUT / f"{name}.png"
    page.screenshot(path=path)
    print(f"  {path.relative_to(ROOT)}")


def take_all(browser, defender: str, legacy: str) -> None:
    anonymous = browser.new_context(viewport=VIEWPORT)
    page = anonymous.new_page()
    page.goto(defender + "/signin")
    shoot(page, "defender-signin")
    page.goto(legacy + "/signin")
    shoot(page, "legacy-signin")
    anonymous.close()

    # The directory's three steps: Email, Password, then Stay signed in? (answered No).
    steps = browser.new_context(viewport=VIEWPORT).new_page()
    steps.goto(defender + "/signin")
    steps.get_by_label("Email").fill(ANALYST)
    shoot(steps, "signin-email")
    steps.get_by_role("button", name="Next").click()
    steps.get_by_label("Password").fill(PASSWORD)
    steps.get_by_role("button", name="Sign in").click()
    steps.get_by_role("heading", name="Stay signed in?").wait_for()
    shoot(steps, "signin-stay-signed-in")
    steps.get_by_role("button", name="No").click()
    steps.get_by_role("button", name="Sign out").click()
    steps.get_by_role("heading", name="You signed out of your account").wait_for()
    shoot(steps, "signed-out")
    steps.context.close()

    # The analyst signs in to the legacy portal first, so it keeps it once redirection is On.
    analyst = browser.new_context(viewport=VIEWPORT).new_page()
    sign_in(analyst, legacy, ANALYST, PASSWORD, path="/signin?next=/timeline")

    admin = browser.new_context(viewport=VIEWPORT).new_page()
    sign_in(admin, defender, ADMIN, PASSWORD)
    shoot(admin, "defender-home")
    admin.goto(defender + "/alerts")
    shoot(admin, "defender-alerts")
    admin.goto(defender + "/settings/identities")
    shoot(admin, "settings-identities")
    admin.goto(defender + "/preferences2/portal_redirection")
    switch = admin.get_by_role("switch", name="Automatic redirection")
    expect(switch).not_to_be_checked()
    shoot(admin, "portal-redirection-off")
    switch.click()
    dialog = admin.get_by_role("dialog")
    expect(dialog).to_be_visible()
    shoot(admin, "portal-redirection-confirm")
    dialog.get_by_role("button", name="Enable").click()
    expect(switch).to_be_checked()
    # The page swaps in its fresh details after the change; wait for them, not for a load.
    expect(admin.get_by_role("region", name="Last change")).to_contain_text("Turned On")
    shoot(admin, "portal-redirection-on")

    analyst.goto(legacy + "/timeline")
    shoot(analyst, "legacy-timeline-banner")
    latest = analyst.get_by_role("main").get_by_role("listitem").first
    with analyst.expect_navigation():
        latest.get_by_role("heading").get_by_role("link").click()
    shoot(analyst, "legacy-alert")
    analyst.goto(legacy + "/reports/sensitive-groups?period=90")
    shoot(analyst, "legacy-report")
    take_narrow_and_dark(browser, defender, legacy)
    staged_rollout(admin, defender)
    admin.goto(defender + "/reports/identities")
    shoot(admin, "defender-report-management")
    admin.goto(defender + "/alerts")
    with admin.expect_navigation():
        admin.locator('main a[href^="/alerts/"]').first.click()
    shoot(admin, "defender-alert")


def take_narrow_and_dark(browser, defender: str, legacy: str) -> None:
    """A phone's width, with the rail collapsed and opened, and both portals in dark mode."""
    phone = browser.new_context(viewport=PHONE).new_page()
    sign_in(phone, defender, ADMIN, PASSWORD)
    shoot(phone, "defender-home-narrow")
    phone.get_by_role("button", name="Navigation").click()
    expect(phone.get_by_role("button", name="Navigation")).to_have_attribute(
        "aria-expanded", "true"
    )
    shoot(phone, "defender-navigation-narrow")

    dark = browser.new_context(viewport=VIEWPORT, color_scheme="dark").new_page()
    sign_in(dark, defender, ADMIN, PASSWORD, path="/signin?next=/preferences2/portal_redirection")
    expect(dark.get_by_role("switch", name="Automatic redirection")).to_be_checked()
    shoot(dark, "portal-redirection-dark")

    # Fabrikam has not switched: its admin still browses the legacy portal.
    dark_phone = browser.new_context(viewport=PHONE, color_scheme="dark").new_page()
    sign_in(dark_phone, legacy, FABRIKAM_ADMIN, PASSWORD, path="/signin?next=/timeline")
    shoot(dark_phone, "legacy-timeline-narrow-dark")


def staged_rollout(admin, defender: str) -> None:
    """A pilot group of one, and the preview asked about an account outside it."""
    rollout = admin.get_by_role("region", name="Staged rollout")
    rollout.get_by_role("radio", name="Pilot group").check()
    rollout.get_by_label("Pilot accounts").fill(ANALYST)
    rollout.get_by_role("button", name="Save scope").click()
    expect(rollout).to_contain_text(re.compile("routes the pilot group only", re.I))
    admin.goto(defender + "/preferences2/portal_redirection?preview=operator@contoso.example")
    expect(admin.get_by_role("region", name="Rollout", exact=True)).to_contain_text(
        "would be routed"
    )
    admin.wait_for_load_state("networkidle")
    path = OUT / "portal-redirection-staged-rollout.png"
    admin.locator("#redirection-details").screenshot(path=path)
    print(f"  {path.relative_to(ROOT)}")


def busiest(browser, env: dict[str, str], defender: str) -> None:
    """The Portal redirection page of a tenant that has used it a while, on a phone in dark
    mode: a long history, a pilot group and a schedule (tests/busiest_demo.py)."""
    manage(
        env,
        "shell",
        "-c",
        f"from tests.busiest_demo import make_busiest; make_busiest({PASSWORD!r})",
    )
    phone = browser.new_context(viewport=TALL_PHONE, color_scheme="dark").new_page()
    sign_in(phone, defender, ADMIN, PASSWORD, path="/signin?next=/preferences2/portal_redirection")
    expect(phone.get_by_text(re.compile(r"^Turns Off at")).first).to_be_visible()
    shoot(phone, "portal-redirection-busy-narrow-dark")


def endpoint(browser, defender: str, security_center: str) -> None:
    """Endpoint's switch turned On from its own page, and a Security Center session opened
    before it: kept, with the banner saying where its next sign-in goes."""
    analyst = browser.new_context(viewport=VIEWPORT).new_page()
    sign_in(analyst, security_center, ANALYST, PASSWORD, path="/signin?next=/alerts")

    admin = browser.new_context(viewport=VIEWPORT).new_page()
    path = "/preferences2/portal_redirection?workload=endpoint"
    sign_in(admin, defender, ADMIN, PASSWORD, path=f"/signin?next={quote(path)}")
    switch = admin.get_by_role("switch", name="Automatic redirection")
    expect(switch).not_to_be_checked()
    switch.click()
    admin.get_by_role("dialog").get_by_role("button", name="Enable").click()
    expect(switch).to_be_checked()
    expect(admin.get_by_role("region", name="Last change")).to_contain_text("Turned On")
    shoot(admin, "endpoint-portal-redirection-on")

    analyst.reload()
    expect(
        analyst.get_by_role("complementary", name="Microsoft 365 Defender portal")
    ).to_contain_text("now uses the Microsoft 365 Defender portal")
    shoot(analyst, "security-center-alerts-banner")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server() as env, sync_playwright() as playwright:
        defender, legacy = env["DEFENDER_PORTAL_URL"], env["LEGACY_PORTAL_URL"]
        browser = playwright.chromium.launch(
            executable_path=chromium(), args=[*CHROMIUM_ARGS, "--hide-scrollbars"]
        )
        try:
            print(f"Saving screenshots under {OUT.relative_to(ROOT)}/:")
            take_all(browser, defender, legacy)
            busiest(browser, env, defender)
            endpoint(browser, defender, env["ENDPOINT_PORTAL_URL"])
        finally:
            browser.close()


if __name__ == "__main__":
    main()
