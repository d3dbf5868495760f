"""No dead ends in the support console: every link its pages draw to a list opens.

A list refuses every lookup its own filters do not offer (`web/admin_lookups.py`), so a link
to a list written anywhere else, such as a tenant's "all changes", must use one of those.
The crawl opens the console's index, every list and a few rows of each, as Support and as a
superuser, on the demo data in a busy state, and opens every link they draw to a list.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html import unescape
from http import HTTPStatus
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.demo import seed_demo
from accounts.models import Portal, Tenant, User
from settings_ui.models import ChangeSource, Feedback, RedirectionChange
from settings_ui.services import set_portal_redirection
from tests.conftest import DEFENDER_HOST, LEGACY_HOST, sign_in
from tests.factories import UserFactory
from web.hosts import DEFENDER, URLCONFS

pytestmark = pytest.mark.django_db

PASSWORD = "console-demo-password"
CONSOLE = "/admin/"
PAGES_OPENED_PER_KIND = 2
LINK = re.compile(r'<a\b[^>]*\bhref="([^"]*)"')


@pytest.fixture
def busy_console(db):
    """The demo tenants with a history of changes, feedback, sign-ins and a sign-in pause."""
    seed_demo(PASSWORD)
    contoso = Tenant.objects.get(domain="contoso.example")
    admin = User.objects.get(email="admin@contoso.example")
    for enabled in (True, False, True):
        set_portal_redirection(contoso, enabled, actor=admin, source=ChangeSource.CLI)
    Feedback.objects.create(
        tenant=contoso,
        user=admin,
        portal=Portal.LEGACY,
        category=Feedback.Category.REDIRECTION,
        message="Where did the timeline go?",
    )
    sign_in(Client(HTTP_HOST=LEGACY_HOST), admin, PASSWORD)
    AccessAttempt.objects.create(
        username="analyst@contoso.example", ip_address="10.0.0.9", failures_since_start=2
    )
    return contoso


def url_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path, URLCONFS[DEFENDER]).url_name
    except Resolver404:
        return None


def is_list(path: str) -> bool:
    return (url_name(path) or "").endswith("_changelist")


def links(page_path: str, response) -> list[str]:
    """The console links on a page, as paths with their query, relative ones resolved."""
    found = []
    for href in LINK.findall(response.content.decode()):
        parts = urlsplit(urljoin(page_path, unescape(href)))
        if not parts.netloc and parts.path.startswith(CONSOLE):
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def crawl(client: Client) -> dict[str, int]:
    """Every link to a list drawn on the console's pages → the status of its answer.

    Pages of one kind (a row, its history, a tenant's rollout) differ only by their row, so
    a few of each are opened. Lists reached through a filter are checked, not opened: their
    links are the same filters again.
    """
    answers: dict[str, int] = {}
    opened_per_kind: Counter = Counter()
    to_open = deque([CONSOLE])
    opened = set()
    while to_open:
        path = to_open.popleft()
        if path in opened:
            continue
        opened.add(path)
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK, path
        for link in links(path, response):
            if is_list(link):
                if link not in answers:
                    answers[link] = client.get(link).status_code
                if "?" not in link:
                    to_open.append(link)
            elif (kind := url_name(link)) and opened_per_kind[kind] < PAGES_OPENED_PER_KIND:
                opened_per_kind[kind] += 1
                to_open.append(link)
    return answers


@pytest.mark.parametrize("who", ["support@defender.example", "superuser"])
def test_every_link_the_console_draws_to_a_list_opens(busy_console, who):
    client = Client(HTTP_HOST=DEFENDER_HOST)
    if who == "superuser":
        sign_in(client, UserFactory(tenant=None, is_staff=True, is_superuser=True))
    else:
        sign_in(client, User.objects.get(email=who), PASSWORD)

    answers = crawl(client)

    assert {link: status for link, status in answers.items() if status != HTTPStatus.OK} == {}
    # The crawl reached the lists, their filters, and the tenant page's "all changes".
    assert len(answers) > 20, answers
    changes = [
        link for link in answers if url_name(link) == "settings_ui_redirectionchange_changelist"
    ]
    assert any(
        parse_qs(urlsplit(link).query)
        == {"tenant": ["contoso.example"], "workload__exact": ["identity"]}
        for link in changes
    ), changes


def test_a_tenants_all_changes_lists_that_tenants_changes_only(busy_console):
    fabrikam_admin = User.objects.get(email="admin@fabrikam.example")
    set_portal_redirection(
        fabrikam_admin.tenant, True, actor=fabrikam_admin, source=ChangeSource.CLI
    )
    client = Client(HTTP_HOST=DEFENDER_HOST)
    sign_in(client, User.objects.get(email="support@defender.example"), PASSWORD)
    page = client.get(f"{CONSOLE}accounts/tenant/{busy_console.pk}/change/")
    (all_changes,) = {
        link
        for link in links(page.wsgi_request.path, page)
        if "redirectionchange" in link and "workload__exact=identity" in link
    }
    listed = client.get(all_changes)
    assert listed.status_code == HTTPStatus.OK
    shown = listed.context["cl"].result_list
    assert {row.tenant_id for row in shown} == {busy_console.pk}
    assert len(shown) == RedirectionChange.objects.filter(tenant=busy_console).count() == 3
