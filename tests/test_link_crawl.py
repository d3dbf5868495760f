"""No dead ends: every link of the three portals, followed as each demo account, opens.

The crawl starts on each portal's home page, signed in, and follows the links pages show
(within each portal, across them too), as a person clicking around would. Links of one kind
(one URL pattern: an alert, an identity, a filtered list) are alike but for an id, so a few of
each kind are opened and their own links followed. The only refusal allowed is the one a
tenantless support account meets on the portals' own pages, which link nowhere else.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html import unescape
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.demo import ACCOUNTS, seed_demo
from accounts.models import User
from accounts.roles import roles_in, views_settings
from tests.conftest import DEFENDER_HOST, ENDPOINT_HOST, LEGACY_HOST, sign_in
from web.hosts import DEFENDER, ENDPOINT, LEGACY, URLCONFS, site_url

pytestmark = pytest.mark.django_db

PASSWORD = "crawl-demo-password"
HOSTS = {DEFENDER: DEFENDER_HOST, LEGACY: LEGACY_HOST, ENDPOINT: ENDPOINT_HOST}
PAGES_OPENED_PER_KIND = 3
LINKS_CHECKED_PER_KIND = 5
LINK = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')
# Left to the support console's own tests; the crawl checks only that its door opens.
NOT_FOLLOWED_INTO = ("/admin/", "/static/")


@pytest.fixture
def demo_accounts(db) -> dict[str, User]:
    seed_demo(PASSWORD)
    return {user.email: user for user in User.objects.all()}


def portal_of(url: str) -> tuple[str, str] | None:
    """(portal, path with query) for a link into any portal; None for anything else."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        origins = {portal: site_url(portal) for portal in HOSTS}
        portal = next((p for p, o in origins.items() if url.startswith(o + "/")), None)
        if portal is None:
            return None
        url = url[len(origins[portal]) :]
        parts = urlsplit(url)
    else:
        portal = None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return (portal, path) if path.startswith("/") else None


def kind_of(portal: str, path: str) -> str:
    try:
        return f"{portal}:{resolve(urlsplit(path).path, URLCONFS[portal]).url_name}"
    except Resolver404:
        return f"{portal}:{path}"


def crawl(user: User) -> tuple[dict[tuple[str, str], int], Counter]:
    """Every link reached from every home page: (portal, path) → status of its answer."""
    clients = {portal: Client(HTTP_HOST=host) for portal, host in HOSTS.items()}
    for client in clients.values():
        sign_in(client, user, PASSWORD)
    answers: dict[tuple[str, str], int] = {}
    opened: Counter = Counter()
    checked: Counter = Counter()
    queue = deque((portal, "/") for portal in clients)
    while queue:
        portal, path = queue.popleft()
        kind = kind_of(portal, path)
        if (portal, path) in answers or checked[kind] >= LINKS_CHECKED_PER_KIND:
            continue
        checked[kind] += 1
        response = clients[portal].get(path)
        answers[portal, path] = response.status_code
        if response.status_code in (HTTPStatus.FOUND, HTTPStatus.SEE_OTHER):
            target = portal_of(response["Location"])
            if target:
                queue.append((target[0] or portal, target[1]))
            continue
        if path.startswith(NOT_FOLLOWED_INTO) or opened[kind] >= PAGES_OPENED_PER_KIND:
            continue
        opened[kind] += 1
        for href in LINK.findall(response.content.decode()):
            target = portal_of(unescape(href))
            if target:
                queue.append((target[0] or portal, target[1]))
    return answers, opened


@pytest.mark.parametrize("email", [account.email for account in ACCOUNTS])
def test_every_link_opens_for_every_demo_account(demo_accounts, email):
    user = demo_accounts[email]
    answers, opened = crawl(user)
    refused = {
        f"{portal} {path}": status
        for (portal, path), status in answers.items()
        if status >= HTTPStatus.BAD_REQUEST
    }
    if user.tenant_id is None:
        # Support staff have no security data: each portal's home says so (a deliberate 403)
        # and offers only the support console, which opens.
        assert refused == {f"{DEFENDER} /": 403, f"{LEGACY} /": 403, f"{ENDPOINT} /": 403}
        assert answers[DEFENDER, "/admin/"] == HTTPStatus.OK
        return
    assert refused == {}
    # The crawl really went round every portal: every kind of page was reached.
    for kind in (
        "defender:alert",
        "defender:identity",
        "defender:machine",
        "legacy:alert",
        "endpoint:alert",
        "endpoint:machine",
        "endpoint:incidents",
    ):
        assert opened[kind] >= 1, f"the crawl never reached a {kind} page"
    assert opened["defender:health"] >= 1 and opened["legacy:configuration"] >= 1
    settings_pages = {(DEFENDER, "/settings"), (DEFENDER, "/settings/identities")}
    if views_settings(roles_in(user, user.tenant_id)):
        assert all(answers[page] == HTTPStatus.OK for page in settings_pages)
        assert answers[DEFENDER, "/preferences2/portal_redirection"] == HTTPStatus.OK
    else:  # never offered: no link, in the rail, the header or a breadcrumb, leads there
        assert not settings_pages & set(answers)
    # "Give feedback" never leads from the feedback page to itself, nor nests its origin.
    assert not [path for _, path in answers if re.search(r"from=(/|%2F)feedback", path)]
