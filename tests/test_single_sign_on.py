"""Single sign-on through the directory, tried as an attacker would: no hop signs a victim in."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlsplit

import pytest
from django.test import Client

from accounts.models import SignInSession
from tests.conftest import (
    DEFENDER_HOST,
    IDENTITY_HOST,
    LEGACY_HOST,
    answer_sign_in_step,
    directory_of,
    hidden_next,
    same_browser,
    sign_in,
)
from tests.factories import PASSWORD, AlertFactory

pytestmark = pytest.mark.django_db


def browser() -> dict[str, Client]:
    """One browser: a client per host, sharing nothing but what a browser shares (nothing)."""
    legacy, defender = Client(HTTP_HOST=LEGACY_HOST), Client(HTTP_HOST=DEFENDER_HOST)
    same_browser(legacy, defender)
    return {LEGACY_HOST: legacy, DEFENDER_HOST: defender, IDENTITY_HOST: directory_of(legacy)}


def walk(clients: dict[str, Client], host: str, path: str, password_for=None) -> list[str]:
    """Follow a journey as a browser would; returns every absolute URL it was sent to."""
    hops = []
    for _ in range(16):
        url = f"http://{host}{path}"
        hops.append(url)
        response = clients[host].get(path)
        if response.status_code == HTTPStatus.OK and host == IDENTITY_HOST and password_for:
            response = (
                answer_sign_in_step(
                    clients[host],
                    urlsplit(url).path,
                    hidden_next(response),
                    password_for.email,
                    PASSWORD,
                )
                or response
            )
        if response.status_code != HTTPStatus.FOUND:
            return hops
        location = urlsplit(response["Location"])
        host = location.hostname or host
        path = location.path + (f"?{location.query}" if location.query else "")
    raise AssertionError(f"too many redirects: {hops}")


def signed_in_as(client: Client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def routed_alert(contoso, contoso_admin, switch, clock):
    alert = AlertFactory(tenant=contoso, title="Suspected DCSync attack")
    switch(contoso, True, contoso_admin)
    clock.advance(1)
    return alert


def test_a_routed_sign_in_lands_on_the_defender_page_without_a_second_password(
    routed_alert, contoso_analyst
):
    clients = browser()
    hops = walk(clients, LEGACY_HOST, f"/securityAlert/{routed_alert.pk}", contoso_analyst)
    assert hops[-1] == f"http://{DEFENDER_HOST}/alerts/{routed_alert.pk}"
    # One sign-in: its three steps (Email, Password, Stay signed in?) once each.
    steps = [hop for hop in hops if hop.startswith(f"http://{IDENTITY_HOST}/signin")]
    assert [urlsplit(hop).path for hop in steps] == ["/signin", "/signin/password", "/signin/stay"]
    assert signed_in_as(clients[DEFENDER_HOST]) == str(contoso_analyst.pk)


def test_no_url_of_an_attackers_routed_sign_in_signs_a_victim_in_as_the_attacker(
    routed_alert, contoso_analyst, fabrikam_admin
):
    attacker = browser()
    hops = walk(attacker, LEGACY_HOST, f"/securityAlert/{routed_alert.pk}", contoso_analyst)
    assert len(hops) >= 6, hops  # legacy, sign-in, directory, form, callback, Defender…

    for hop in hops:
        victim = browser()
        sign_in(victim[DEFENDER_HOST], fabrikam_admin)
        url = urlsplit(hop)
        path = url.path + (f"?{url.query}" if url.query else "")
        walk(victim, url.hostname, path)  # no password: the victim types nothing
        assert signed_in_as(victim[DEFENDER_HOST]) == str(fabrikam_admin.pk), hop
        assert victim[DEFENDER_HOST].get("/").status_code == HTTPStatus.OK, hop


def test_after_a_password_change_a_legacy_session_from_before_reaches_no_defender_session(
    routed_alert, contoso_analyst
):
    clients = browser()
    walk(clients, LEGACY_HOST, "/timeline", contoso_analyst)
    assert signed_in_as(clients[LEGACY_HOST]) == str(contoso_analyst.pk)
    clients[DEFENDER_HOST].logout()  # only the legacy and directory sessions remain

    contoso_analyst.set_password("a-new-password-2")
    contoso_analyst.save()

    hops = walk(clients, LEGACY_HOST, f"/securityAlert/{routed_alert.pk}")
    assert hops[-1].startswith(f"http://{IDENTITY_HOST}/signin"), hops
    assert not signed_in_as(clients[DEFENDER_HOST])
    assert not SignInSession.objects.active().filter(user=contoso_analyst).exists()


def test_support_ending_a_session_ends_the_directory_session_too(contoso_analyst):
    clients = browser()
    walk(clients, LEGACY_HOST, "/timeline", contoso_analyst)
    row = SignInSession.objects.get(portal="legacy")
    contoso_analyst.end_all_sessions(SignInSession.EndReason.ENDED_BY_SUPPORT)
    row.refresh_from_db()
    assert row.end_reason == SignInSession.EndReason.ENDED_BY_SUPPORT
    hops = walk(clients, LEGACY_HOST, "/timeline")
    assert hops[-1].startswith(f"http://{IDENTITY_HOST}/signin"), hops
