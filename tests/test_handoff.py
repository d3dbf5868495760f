"""Single sign-on hand-off: a routed legacy session lands on the Defender page signed in."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts import handoff
from accounts.models import DirectoryRole, HandoffRedemption, SignInSession
from settings_ui.services import set_portal_redirection
from tests.conftest import DEFENDER_HOST, sign_in
from tests.factories import AlertFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def mint(user, target="/alerts", tenant_id=None) -> str:
    return token_of(
        handoff.handoff_url(
            account_id=user.pk, tenant_id=tenant_id or user.tenant_id, target=target
        )
    )


def redeem(client: Client, token: str):
    return client.get("/signin/handoff", {"token": token})


@pytest.fixture
def routed(contoso, contoso_admin):
    set_portal_redirection(contoso, True, actor=contoso_admin, source="web")
    return contoso


def follow_across_hosts(client_by_host: dict[str, Client], host: str, path: str, limit=8):
    """Follow redirects as a browser would, switching cookie jars when the host changes."""
    hops = []
    for _ in range(limit):
        response = client_by_host[host].get(path)
        hops.append((host, path, response.status_code))
        if response.status_code != HTTPStatus.FOUND:
            return response, hops
        location = urlsplit(response["Location"])
        host = location.hostname or host
        path = location.path + (f"?{location.query}" if location.query else "")
    raise AssertionError(f"too many redirects: {hops}")


def test_legacy_deep_link_lands_on_the_defender_page_signed_in(
    routed, contoso_analyst, legacy_client, defender_client
):
    alert = AlertFactory(tenant=routed)
    sign_in(legacy_client, contoso_analyst)
    clients = {"portal.atp.localhost": legacy_client, DEFENDER_HOST: defender_client}
    response, hops = follow_across_hosts(
        clients, "portal.atp.localhost", f"/securityAlert/{alert.pk}"
    )
    assert response.status_code == HTTPStatus.OK
    assert hops[-1][:2] == (DEFENDER_HOST, f"/alerts/{alert.pk}")
    assert [host for host, _, _ in hops] == [
        "portal.atp.localhost",
        DEFENDER_HOST,
        DEFENDER_HOST,
    ], "legacy → hand-off → target, without a second sign-in"
    row = SignInSession.objects.get(portal="defender")
    assert (row.user, row.method) == (contoso_analyst, SignInSession.Method.HANDOFF)
    assert row.session_key == defender_client.cookies["sessionid"].value


def test_handoff_response_keeps_the_token_private(contoso_analyst, defender_client):
    response = redeem(defender_client, mint(contoso_analyst, "/alerts?status=new"))
    assert response.url == "/alerts?status=new"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_a_token_works_once(contoso_analyst):
    token = mint(contoso_analyst)
    assert redeem(Client(HTTP_HOST=DEFENDER_HOST), token).url == "/alerts"
    second = Client(HTTP_HOST=DEFENDER_HOST)
    response = redeem(second, token)
    assert response.url == "/signin?next=%2Falerts"
    assert "already used" in str(next(iter(second.get(response.url).context["messages"])))
    assert second.get("/").status_code == HTTPStatus.FOUND, "not signed in"


def test_a_tampered_token_signs_nobody_in(contoso_analyst, contoso, defender_client):
    other = UserFactory(tenant=contoso, roles=[DirectoryRole.GLOBAL_ADMINISTRATOR])
    token = mint(contoso_analyst)
    payload, _, signature = token.rpartition(":")
    forged = signing.dumps(
        {"a": other.pk, "t": contoso.pk, "p": "/alerts", "n": "x"}, salt="another-salt"
    )
    for bad in (f"{payload}:{signature[:-2]}xx", forged, "", "garbage"):
        response = redeem(defender_client, bad)
        assert response.status_code == HTTPStatus.FOUND
        assert response.url.startswith("/signin?next=")
    assert not SignInSession.objects.exists()
    assert "_auth_user_id" not in defender_client.session


def test_an_expired_token_is_refused(contoso_analyst, defender_client, monkeypatch, settings):
    settings.HANDOFF_TOKEN_SECONDS = 60
    token = mint(contoso_analyst, "/alerts/7")
    later = timezone.now() + timedelta(seconds=61)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
    response = redeem(defender_client, token)
    assert response.url == "/signin?next=%2Falerts%2F7"
    assert not SignInSession.objects.exists()


def test_a_token_is_bound_to_its_tenant(contoso_analyst, defender_client):
    fabrikam = TenantFactory(domain="fabrikam.example")
    response = redeem(defender_client, mint(contoso_analyst, tenant_id=fabrikam.pk))
    assert response.url.startswith("/signin?next=")
    assert not SignInSession.objects.exists()


def test_a_user_who_left_the_tenant_or_was_disabled_is_refused(contoso_analyst, defender_client):
    token = mint(contoso_analyst)
    contoso_analyst.is_active = False
    contoso_analyst.save()
    assert redeem(defender_client, token).url.startswith("/signin?next=")
    assert "_auth_user_id" not in defender_client.session


def test_the_target_comes_from_the_token_never_the_query(contoso_analyst, defender_client):
    response = defender_client.get(
        "/signin/handoff",
        {"token": mint(contoso_analyst, "/alerts"), "next": "https://evil.example/"},
    )
    assert response.url == "/alerts"


def test_a_token_aiming_off_site_is_refused(contoso_analyst, defender_client):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = redeem(defender_client, mint(contoso_analyst, target))
        assert response.url == "/signin?next=%2F"
    assert not SignInSession.objects.exists()


def test_an_existing_defender_session_of_the_same_user_is_kept(contoso_analyst, defender_client):
    sign_in(defender_client, contoso_analyst)
    key = defender_client.cookies["sessionid"].value
    response = redeem(defender_client, mint(contoso_analyst, "/incidents"))
    assert response.url == "/incidents"
    assert defender_client.cookies["sessionid"].value == key
    assert SignInSession.objects.filter(portal="defender").count() == 1


def test_a_defender_session_of_another_user_is_replaced(contoso_analyst, contoso_admin):
    client = Client(HTTP_HOST=DEFENDER_HOST)
    sign_in(client, contoso_admin)
    old_key = client.cookies["sessionid"].value
    response = redeem(client, mint(contoso_analyst))
    assert response.url == "/alerts"
    assert client.cookies["sessionid"].value != old_key
    assert int(client.session["_auth_user_id"]) == contoso_analyst.pk
    old = SignInSession.objects.get(session_key=old_key)
    assert old.end_reason == SignInSession.EndReason.REPLACED


def test_tokens_never_reach_the_logs(routed, contoso_analyst, legacy_client, caplog):
    sign_in(legacy_client, contoso_analyst)
    with caplog.at_level("DEBUG"):
        location = legacy_client.get("/timeline")["Location"]
        Client(HTTP_HOST=DEFENDER_HOST).get(urlsplit(location).path, {"token": token_of(location)})
        Client(HTTP_HOST=DEFENDER_HOST).get("/signin/handoff", {"token": token_of(location)})
    token = token_of(location)
    assert token not in caplog.text
    assert "handoff_refused" in caplog.text


def test_old_sessions_are_still_not_routed(routed, contoso_analyst, legacy_client, monkeypatch):
    sign_in(legacy_client, contoso_analyst)
    session = legacy_client.session
    session["signed_in_at"] -= 3600
    session.save()
    assert legacy_client.get("/timeline").status_code == HTTPStatus.OK


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_token_redeemed_from_many_threads_signs_in_once(contoso_analyst):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent redemption relies on its row locking")
    token = mint(contoso_analyst)
    barrier = threading.Barrier(8)
    outcomes = []

    def attempt():
        try:
            barrier.wait()
            outcomes.append(redeem(Client(HTTP_HOST=DEFENDER_HOST), token).url)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes).count("/alerts") == 1
    assert len(outcomes) == 8
    assert HandoffRedemption.objects.count() == 1
    assert SignInSession.objects.filter(method="handoff").count() == 1


def test_log_lines_are_redacted_of_tokens_before_they_are_written(settings):
    """A server's request line (runserver, a 4xx warning) carries the query string."""
    import logging

    from config.logging import RedactSecrets

    handler = logging.getLogger().handlers[0]
    assert any(isinstance(f, RedactSecrets) for f in handler.filters), "wired to the console"
    record = logging.LogRecord(
        "django.server",
        logging.WARNING,
        __file__,
        1,
        '"%s" %s',
        ("GET /signin/handoff?token=abc.def:ghi&x=1 HTTP/1.1", 405),
        None,
    )
    assert RedactSecrets().filter(record)
    assert record.getMessage() == '"GET /signin/handoff?token=[redacted]&x=1 HTTP/1.1" 405'


def test_gunicorn_access_log_leaves_query_strings_out():
    from config import gunicorn

    assert "%(U)s" in gunicorn.access_log_format
    assert "%(r)s" not in gunicorn.access_log_format
    assert "%(q)s" not in gunicorn.access_log_format


def test_expire_sessions_forgets_spent_tokens_only_once_they_are_too_old_to_replay(
    contoso_analyst, settings
):
    from django.core.management import call_command

    settings.HANDOFF_TOKEN_SECONDS = 60
    old = HandoffRedemption.objects.create(
        nonce="old", user=contoso_analyst, redeemed_at=timezone.now() - timedelta(minutes=5)
    )
    fresh = HandoffRedemption.objects.create(nonce="fresh", user=contoso_analyst)
    call_command("expire_sessions", stdout=io.StringIO())
    remaining = set(HandoffRedemption.objects.values_list("pk", flat=True))
    assert remaining == {fresh.pk}
    assert old.pk not in remaining
