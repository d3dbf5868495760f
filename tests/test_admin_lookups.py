"""The support console's list pages accept only the lookups their own filters offer."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import User
from settings_ui.support import ensure_support_group
from tests.conftest import DEFENDER_HOST, sign_in
from tests.factories import SignInSessionFactory, UserFactory

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def changelist(model: type[Model]) -> str:
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist",
        urlconf="config.urls_defender",
    )


def forbidden_lookups(model: type[Model]) -> list[str]:
    """A prefix probe on a local field, and one through a relation (to a password if any)."""
    fields = [f for f in model._meta.get_fields() if f.concrete and not f.is_relation]
    lookups = [f"{fields[-1].name}__startswith"]
    relations = [f for f in model._meta.get_fields() if f.is_relation and f.related_model]
    for relation in relations:
        if relation.related_model is User:
            return [*lookups, f"{relation.name}__password__startswith"]
    if relations:
        target = [f for f in relations[0].related_model._meta.concrete_fields][-1]
        lookups.append(f"{relations[0].name}__{target.name}__startswith")
    return lookups


def console_client(user: User) -> Client:
    client = Client(HTTP_HOST=DEFENDER_HOST)
    sign_in(client, user)
    return client


@pytest.fixture
def support(db) -> User:
    account = UserFactory(email="support@defender.example", tenant=None, is_staff=True)
    account.groups.add(ensure_support_group()[0])
    return account


@pytest.fixture
def superuser(db) -> User:
    return UserFactory(email="root@defender.example", tenant=None, is_staff=True, is_superuser=True)


def test_every_model_of_the_console_is_covered():
    labels = {model._meta.label for model, _admin in REGISTERED}
    assert {
        "accounts.SignInSession",
        "accounts.User",
        "auth.Group",
        "directory.SignInPause",
    } <= labels


@pytest.mark.parametrize(
    "model", [model for model, _admin in REGISTERED], ids=lambda m: m._meta.label
)
@pytest.mark.parametrize("who", ["support", "superuser"])
def test_a_lookup_no_filter_offers_is_refused(request, model, who):
    user = request.getfixturevalue(who)
    client = console_client(user)
    # As the console decides it (sign-in pauses follow django-axes' own permissions).
    asking = RequestFactory().get("/admin/")
    asking.user = user
    may_view = admin.site._registry[model].has_view_permission(asking)
    for lookup in forbidden_lookups(model):
        response = client.get(changelist(model), {lookup: "a"})
        expected = HTTPStatus.BAD_REQUEST if may_view else HTTPStatus.FORBIDDEN
        assert response.status_code == expected, (lookup, response.status_code)


def test_the_session_key_oracle_is_closed_for_support(support, superuser):
    # The row keeps a keyed hash of the key, never the key; even the hash is no filter.
    row = SignInSessionFactory(user=superuser, session_ref="k" * 64)
    client = console_client(support)
    url = changelist(type(row))
    for lookup in ("session_ref__startswith", "session_key__startswith"):
        for prefix in ("k", "x"):
            response = client.get(url, {"q": "root", lookup: prefix})
            assert response.status_code == HTTPStatus.BAD_REQUEST
    assert client.get(url, {"user__password__startswith": "pbkdf2"}).status_code == 400


@pytest.mark.parametrize(
    "model_label, query",
    [
        ("accounts.SignInSession", {"portal__exact": "legacy", "active": "yes", "o": "2"}),
        ("accounts.SignInSession", {"tenant": "contoso.example", "q": "analyst", "p": "1"}),
        ("accounts.User", {"role_assignments__role__exact": "global_administrator"}),
        ("accounts.User", {"is_staff__exact": "1", "groups__id__exact": "1"}),
        (
            "settings_ui.RedirectionChange",
            {"tenant": "contoso.example", "changed_at__year": "2025"},
        ),
        (
            "settings_ui.Feedback",
            {"status__exact": "new", "created_at__year": "2025", "tenant": "contoso.example"},
        ),
        (
            "directory.SignInPause",
            {"attempt_time__gte": "2025-01-01 00:00:00+00:00", "q": "10.1.1.1"},
        ),
    ],
)
def test_the_filters_the_pages_offer_still_work(superuser, model_label, query):
    model = next(model for model, _admin in REGISTERED if model._meta.label == model_label)
    response = console_client(superuser).get(changelist(model), query)
    assert response.status_code == HTTPStatus.OK
