"""The portals signed in through an external directory: a second instance of this project.

The issuer runs as a real server on its own port, database and signing key, with the demo
tenants and accounts. The portals under test know none of them: they trust the issuer by
OIDC_ISSUER, fetch its discovery document, keys and tokens over HTTP, and create the tenant
and its accounts from the ID token's `tid`, `email` and `wids`.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from jwcrypto import jwk

from accounts.models import DirectoryRole, RoleAssignment, Tenant, User
from tests.conftest import DEFENDER_HOST, ENDPOINT_HOST, LEGACY_HOST
from tests.factories import AlertFactory
from tests.manage_process import ROOT, free_port, manage_env, run_manage
from tests.test_portal_redirection_page import PAGE, stored_state

pytestmark = pytest.mark.django_db

CLIENT_ID = "external-portals"
CLIENT_SECRET = "external-portals-secret"
ISSUER_PASSWORD = "issuer-demo-password"
ADMIN = "admin@contoso.example"
ANALYST = "analyst@contoso.example"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def issuer(tmp_path_factory) -> Iterator[str]:
    """A second instance of the project serving the directory on 127.0.0.1, seeded."""
    from django.conf import settings

    port = free_port()
    home = tmp_path_factory.mktemp("issuer")
    url = f"http://127.0.0.1:{port}"
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"sqlite:///{home / 'issuer.sqlite3'}",
        "REDIS_URL": "",
        "IDENTITY_URL": url,
        # Its own client for the portals under test: their callbacks are its redirect URIs.
        "DEFENDER_PORTAL_URL": settings.DEFENDER_PORTAL_URL,
        "LEGACY_PORTAL_URL": settings.LEGACY_PORTAL_URL,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "DEMO_PASSWORD": ISSUER_PASSWORD,
        # A key of its own: the portals can check its tokens only with the keys it publishes.
        "OIDC_RSA_PRIVATE_KEY": jwk.JWK.generate(kty="RSA", size=2048)
        .export_to_pem(private_key=True, password=None)
        .decode(),
    }
    for command in (("migrate", "--no-input"), ("seed_demo",)):
        done = run_manage(*command, **env)
        assert done.returncode == 0, done.stderr
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=manage_env(**env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"{url}/.well-known/openid-configuration", server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _wait_for(url: str, server: subprocess.Popen) -> None:
    for _ in range(150):
        assert server.poll() is None, "the issuer's server stopped"
        try:
            if requests.get(url, timeout=2).status_code == HTTPStatus.OK:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError("the issuer's server did not answer")


@pytest.fixture(autouse=True)
def _trust_the_issuer(issuer, settings):
    settings.OIDC_ISSUER = issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET


class Browser:
    """One person's browser: a test client per portal, and real HTTP to the issuer."""

    def __init__(self, issuer: str):
        self.issuer = urlsplit(issuer).netloc
        self.directory = requests.Session()
        self.portals = {LEGACY_HOST: Client(HTTP_HOST=LEGACY_HOST)}
        self.portals[DEFENDER_HOST] = Client(HTTP_HOST=DEFENDER_HOST)
        self.portals[ENDPOINT_HOST] = Client(HTTP_HOST=ENDPOINT_HOST)
        self.password_pages = 0

    def visit(self, host: str, path: str, email: str = "", method: str = "get") -> tuple:
        """Follow a journey as a browser would; returns the last host and its answer.

        Fills the issuer's sign-in form for ``email`` if the issuer asks for a password.
        """
        response = getattr(self.portals[host], method)(path)
        for _ in range(20):
            location = self._location(response)
            if location is None:
                return host, response
            target = urlsplit(location)
            host = target.hostname if target.netloc != self.issuer else self.issuer
            host = host or self._host_of(response)
            if host == self.issuer:
                response = self._issuer_answer(location, email)
            else:
                path = target.path + (f"?{target.query}" if target.query else "")
                response = self.portals[host].get(path)
        raise AssertionError("the journey went round in circles")

    @staticmethod
    def _location(response) -> str | None:
        status = getattr(response, "status_code", None)
        if status != HTTPStatus.FOUND:
            return None
        return response.headers["Location"]

    def _host_of(self, response) -> str:
        if isinstance(response, requests.Response):
            return self.issuer
        return response.wsgi_request.get_host()

    def _issuer_answer(self, url: str, email: str) -> requests.Response:
        if url.startswith("/"):
            url = f"http://{self.issuer}{url}"
        response = self.directory.get(url, allow_redirects=False, timeout=10)
        step = urlsplit(url).path
        answers = {
            "/signin": {"username": email},
            "/signin/password": {"password": ISSUER_PASSWORD},
            "/signin/stay": {"stay": "no"},
        }
        if response.status_code == HTTPStatus.OK and step in answers:
            if step == "/signin":
                self.password_pages += 1  # a sign-in asked for: its first step
            if not email:
                return response
            response = self.directory.post(
                f"http://{self.issuer}{step}",
                {
                    **answers[step],
                    "next": parse_qs(urlsplit(url).query).get("next", [""])[0],
                    "csrfmiddlewaretoken": CSRF_FIELD.search(response.text).group(1),
                },
                headers={"Referer": url},
                allow_redirects=False,
                timeout=10,
            )
        return response

    def signed_in(self, host: str) -> str | None:
        return self.portals[host].session.get("_auth_user_id")


def test_a_sign_in_through_the_external_issuer_creates_the_tenant_and_its_roles(issuer):
    assert not Tenant.objects.exists()
    admin = Browser(issuer)
    host, page = admin.visit(LEGACY_HOST, "/signin", ADMIN)
    assert (host, page.status_code) == (LEGACY_HOST, HTTPStatus.OK)
    assert admin.password_pages == 1

    tenant = Tenant.objects.get(domain="contoso.example")
    account = User.objects.get(email="admin@contoso.example")
    assert admin.signed_in(LEGACY_HOST) == str(account.pk)
    assert (account.tenant, account.has_usable_password()) == (tenant, False)
    assert list(RoleAssignment.objects.filter(user=account).values_list("role", flat=True)) == [
        DirectoryRole.GLOBAL_ADMINISTRATOR
    ]
    # The issuer knows this browser now: the other portal signs it in without a password.
    host, page = admin.visit(DEFENDER_HOST, PAGE, "")
    assert (host, page.status_code) == (DEFENDER_HOST, HTTPStatus.OK)
    assert admin.password_pages == 1
    assert admin.portals[DEFENDER_HOST].post(PAGE, {"enabled": "on"}).status_code == 302
    assert stored_state(tenant) == (True, 1)

    analyst = Browser(issuer)
    analyst.visit(DEFENDER_HOST, "/signin", ANALYST)
    assert analyst.signed_in(DEFENDER_HOST)
    assert User.objects.get(email=ANALYST).tenant == tenant  # the same `tid`, the same tenant
    assert not RoleAssignment.objects.filter(user__email=ANALYST).exists()
    refused = analyst.portals[DEFENDER_HOST].post(PAGE, {"enabled": "off", "feedback": ""})
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert stored_state(tenant) == (True, 1)


@pytest.fixture
def routed_alert(issuer):
    """Contoso, known here from its admin's first sign-in, with the switch turned On."""
    admin = Browser(issuer)
    admin.visit(DEFENDER_HOST, "/signin", ADMIN)
    assert admin.portals[DEFENDER_HOST].post(PAGE, {"enabled": "on"}).status_code == 302
    return AlertFactory(tenant=Tenant.objects.get(domain="contoso.example"), title="DCSync")


def test_a_routed_sign_in_lands_on_the_defender_page_then_signs_out_of_every_portal(
    issuer, routed_alert
):
    analyst = Browser(issuer)
    host, page = analyst.visit(LEGACY_HOST, f"/securityAlert/{routed_alert.pk}", ANALYST)
    assert (host, page.wsgi_request.path, page.status_code) == (
        DEFENDER_HOST,
        f"/alerts/{routed_alert.pk}",
        HTTPStatus.OK,
    )
    assert "DCSync" in page.content.decode()
    assert analyst.password_pages == 1
    account = str(User.objects.get(email=ANALYST).pk)
    assert analyst.signed_in(LEGACY_HOST) == analyst.signed_in(DEFENDER_HOST) == account

    # Signing out of one portal ends the others' sessions and the issuer's: the next sign-in
    # asks for the password again.
    host, page = analyst.visit(DEFENDER_HOST, "/signout", method="post")
    assert analyst.signed_in(DEFENDER_HOST) is None
    assert analyst.signed_in(LEGACY_HOST) is None
    assert (host, page.status_code, analyst.password_pages) == (
        analyst.issuer,
        HTTPStatus.OK,
        2,
    )
    assert ">Email</label>" in page.text, "the sign-in starts again, at its first step"
