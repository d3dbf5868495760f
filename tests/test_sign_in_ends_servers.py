"""When a sign-in ends, against production servers: gunicorn with two workers on PostgreSQL and
Redis, reached over real HTTP by browsers that keep their own cookies.

Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): the embedded default has its own tests in
test_sign_in_ends.py, through Django's test client.
"""

from __future__ import annotations

import time
from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.live_deployment import (
    DEFENDER_HOST,
    LEGACY_HOST,
    Browser,
    Deployment,
    replay,
)
from tests.redis_link import RedisLink

OPERATOR = "operator@contoso.example"
# Longer than the cache layer's wait before it tries Redis again (REDIS_CIRCUIT_SECONDS, 10 s by
# default): the replays go on while each worker finds Redis back.
REPLAY_SECONDS = 12
REPLAYS = 300


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    database = settings.DATABASES["default"]
    if "postgresql" not in database["ENGINE"]:
        pytest.skip("DATABASE_URL is not PostgreSQL: the production servers need it")
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the production servers need Redis")
    live = Deployment(database, tmp_path_factory.mktemp("servers"))
    live.create()
    try:
        yield live
    finally:
        live.drop()


@pytest.fixture
def servers(deployment):
    """gunicorn (2 workers) on the deployment, with REDIS_URL, stopped after the test."""

    def start(redis_url: str = settings.REDIS_URL) -> Deployment:
        deployment.serve(REDIS_URL=redis_url)
        return deployment

    yield start
    deployment.stop()


def signed_in(live: Deployment, *hosts: str) -> Browser:
    browser = Browser(live)
    first, *others = hosts
    landed(browser.sign_in(first, OPERATOR), first)
    for host in others:  # single sign-on: no password
        landed(browser.sign_in(host), host)
    for host in hosts:
        assert browser.get(live.url(host) + page(host)).status == HTTPStatus.OK
    return browser


def landed(answers, host: str) -> None:
    last = answers[-1]
    assert (urlsplit(last.url).hostname, last.status) == (host, HTTPStatus.OK), answers


def page(host: str) -> str:
    return "/timeline" if host == LEGACY_HOST else "/alerts"


def errors(answers) -> list[tuple[str, int]]:
    return [(urlsplit(a.url).path, a.status) for a in answers if a.status >= 400]


def test_two_browsers_sign_out_one_after_the_other(servers):
    live = servers()
    first = signed_in(live, DEFENDER_HOST)
    second = signed_in(live, DEFENDER_HOST, LEGACY_HOST)

    assert not errors(first.sign_out(DEFENDER_HOST))
    # The second browser is still signed in everywhere.
    for host in (DEFENDER_HOST, LEGACY_HOST):
        assert second.get(live.url(host) + page(host)).status == HTTPStatus.OK

    answers = second.sign_out(DEFENDER_HOST)
    assert not errors(answers), f"the sign-out stopped on an error: {errors(answers)}"
    legacy = second.get(live.url(LEGACY_HOST) + "/timeline")
    assert legacy.status == HTTPStatus.FOUND
    assert urlsplit(legacy.location).path == "/signin"
    assert second.asks_for_password(DEFENDER_HOST), "signed in again without a password"


def test_a_sign_out_during_a_redis_partition_stays_ended_when_redis_returns(servers):
    redis = urlsplit(settings.REDIS_URL)
    database = int(redis.path.strip("/") or 0)
    with RedisLink(upstream=(redis.hostname, redis.port or 6379)) as link:
        live = servers(link.url(database))
        browser = signed_in(live, LEGACY_HOST, DEFENDER_HOST)
        cookies = {host: browser.session_cookie(host) for host in (LEGACY_HOST, DEFENDER_HOST)}
        for _ in range(20):  # both workers have read these sessions, through Redis
            for host, key in cookies.items():
                assert replay(live, host, page(host), key) == HTTPStatus.OK

        link.cut = True
        signing_out = browser.request("POST", live.url(LEGACY_HOST) + "/signout")
        assert signing_out.status == HTTPStatus.FOUND
        link.heal()

        answers = {host: {HTTPStatus.OK: 0, HTTPStatus.FOUND: 0} for host in cookies}
        started = time.monotonic()
        for n in range(REPLAYS):
            host = (LEGACY_HOST, DEFENDER_HOST)[n % 2]
            status = replay(live, host, page(host), cookies[host])
            answers[host][status] = answers[host].get(status, 0) + 1
            time.sleep(max(0.0, started + REPLAY_SECONDS * (n + 1) / REPLAYS - time.monotonic()))
        print(f"replays of the old cookies after the partition healed: {answers}")
        for host in cookies:
            assert answers[host] == {HTTPStatus.OK: 0, HTTPStatus.FOUND: REPLAYS // 2}, answers
