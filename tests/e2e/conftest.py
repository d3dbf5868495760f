"""Browser fixtures: one Chromium per session, a live server answering every site, demo data."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from tests.e2e import browser as browser_module
from tests.e2e.browser import CHROMIUM_ARGS, find_chromium

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
DEFENDER_HOST = "security.localhost"
LEGACY_HOST = "portal.atp.localhost"
ENDPOINT_HOST = "securitycenter.localhost"
IDENTITY_HOST = "login.localhost"
DEMO_PASSWORD = "e2e-demo-password"
TIMEOUT_MS = 5_000


def _unavailable(reason: str):
    # CI sets E2E_REQUIRED=1: there a missing browser is a failure, never a quiet skip.
    if os.environ.get("E2E_REQUIRED") == "1":
        pytest.fail(f"E2E_REQUIRED=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def orm_beside_playwright() -> Iterator[None]:
    """Let the test thread use the ORM while the sync Playwright API is running.

    That API keeps an asyncio event loop running in this thread, so Django takes every ORM call
    for one made from async code (SynchronousOnlyOperation) although each is a plain blocking
    call. Lifted only while the browser is open, so the rest of the suite keeps Django's guard.
    """
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


# Package scope: one Chromium for every browser test, closed (with its event loop) before the
# rest of the suite runs.
@pytest.fixture(scope="package")
def browser() -> Iterator:
    chromium = find_chromium()
    if chromium is None:
        where = os.environ.get("E2E_CHROMIUM") or "/usr/bin/chromium or chromium on PATH"
        _unavailable(f"no Chromium found ({where}); install the chromium package to run e2e")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable(
            "the playwright package is not installed (pip install -r requirements-dev.txt)"
        )
    with orm_beside_playwright(), sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass(frozen=True)
class Portals:
    defender: str
    legacy: str
    directory: str = ""
    endpoint: str = ""


@pytest.fixture
def portals(live_server, settings) -> Portals:
    """The four sites on the live server's port, so absolute redirects land on it."""
    port = live_server.thread.port
    defender = f"http://{DEFENDER_HOST}:{port}"
    legacy = f"http://{LEGACY_HOST}:{port}"
    endpoint = f"http://{ENDPOINT_HOST}:{port}"
    directory = f"http://{IDENTITY_HOST}:{port}"
    settings.DEFENDER_PORTAL_URL = defender
    settings.LEGACY_PORTAL_URL = legacy
    settings.ENDPOINT_PORTAL_URL = endpoint
    settings.IDENTITY_URL = directory
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "OIDC_ISS_ENDPOINT": directory}
    settings.CSRF_TRUSTED_ORIGINS = [defender, legacy, endpoint, directory]
    settings.ALLOWED_HOSTS = [DEFENDER_HOST, LEGACY_HOST, ENDPOINT_HOST, IDENTITY_HOST, "localhost"]
    return Portals(defender=defender, legacy=legacy, directory=directory, endpoint=endpoint)


@pytest.fixture
def demo(portals, transactional_db) -> dict:
    """The demo tenants, accounts and security data, exactly as `seed_demo` makes them."""
    from accounts.demo import seed_demo
    from accounts.models import Tenant, User

    seed_demo(DEMO_PASSWORD)
    return {
        "contoso": Tenant.objects.get(domain="contoso.example"),
        "fabrikam": Tenant.objects.get(domain="fabrikam.example"),
        **{user.email: user for user in User.objects.all()},
    }


@pytest.fixture
def busiest(demo):
    """The demo data in its busiest state (history, a schedule, a pilot group, feedback): what
    the width and contrast tests look at, since a fresh tenant hides what a real one shows."""
    from tests.busiest_demo import make_busiest

    return make_busiest(DEMO_PASSWORD)


@pytest.fixture
def new_context(browser) -> Iterator[Callable]:
    """Open a fresh browser context (its own cookies: one person at one browser)."""
    opened = []

    def open_context(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


def sign_in(page, origin: str, email: str, password: str = DEMO_PASSWORD, path: str = "/signin"):
    """Sign in to a portal with the demo data's password unless told otherwise."""
    browser_module.sign_in(page, origin, email, password, path)


def complete_sign_in(page, email: str, password: str = DEMO_PASSWORD):
    """Sign in on the sign-in page the browser is already on (after a redirect to it)."""
    browser_module.complete_sign_in(page, email, password)


def assert_signed_in_without_asking(page, origin: str, display_name: str):
    """A routed account arrives on ``origin`` signed in through the directory, no second form."""
    from playwright.sync_api import expect

    page.wait_for_load_state()
    assert "/signin" not in page.url, f"asked to sign in again: {page.url}"
    # The header names the account (its menu repeats the name, folded away).
    expect(page.get_by_role("banner").get_by_text(display_name, exact=True).first).to_be_visible()


SERIOUS_IMPACTS = frozenset({"serious", "critical"})


def serious_violations(page) -> str:
    """Run axe-core on the page as it stands; every serious or critical finding, one per line."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in SERIOUS_IMPACTS]
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {', '.join(node['target'])}: {node['html'][:200]}" for node in v["nodes"])
        for v in serious
    )


def assert_no_serious_violations(page, what: str) -> None:
    report = serious_violations(page)
    assert not report, f"{what} ({page.url}) has serious accessibility violations:\n{report}"


MAX_TABS = 60
IS_FOCUSED = "element => element === document.activeElement"
# A focus ring a sighted keyboard user can see: an outline, or a box-shadow standing in for one.
FOCUS_INDICATOR = """element => {
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return element.matches(":focus-visible") && (outline || style.boxShadow !== "none");
}"""


def tab_until_focused(page, target) -> int:
    """Press Tab until ``target`` has the focus, as a keyboard user would; the presses it took."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        if target.evaluate(IS_FOCUSED):
            return presses
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {target}")


SUPPORT = "support@defender.example"


def sign_in_to_support_console(page, portals: Portals, email: str = SUPPORT) -> None:
    """Sign in to the Django admin on the Defender host with its own login form."""
    page.goto(portals.defender + "/admin/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def support_sees_feedback(new_context, portals: Portals, message: str, author: str) -> None:
    """Support signs in to the console in a browser of its own and finds the message."""
    from playwright.sync_api import expect

    page = new_context().new_page()
    sign_in_to_support_console(page, portals)
    page.get_by_role("link", name="Feedback", exact=True).click()
    row = page.get_by_role("row").filter(has_text=message)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(author)
