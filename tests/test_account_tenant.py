"""An account's home tenant: read as the ORM reads it, named in both portals' header."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Tenant, User
from tests.conftest import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_accounts_tenant_reads_as_the_orm_reads_it(contoso_analyst):
    account = User.objects.get(pk=contoso_analyst.pk)
    with CaptureQueriesContext(connection) as captured:
        tenant = account.tenant
        assert account.tenant is tenant  # kept on the account, as Django keeps it
    assert len(captured) == 1
    expected = Tenant.objects.get(pk=contoso_analyst.tenant_id)
    assert isinstance(tenant, Tenant) and tenant == expected
    for field in Tenant._meta.concrete_fields:
        assert getattr(tenant, field.attname) == getattr(expected, field.attname), field.name
    assert tenant._state.db == expected._state.db and not tenant._state.adding


def test_an_account_without_a_tenant_reads_none_without_a_query(django_assert_num_queries):
    staff = User.objects.get(pk=UserFactory(tenant=None, is_staff=True).pk)
    with django_assert_num_queries(0):
        assert staff.tenant is None


@pytest.mark.parametrize("portal", ["legacy", "defender"])
def test_the_header_names_the_account_and_its_organization(
    portal, legacy_client, defender_client, contoso_analyst
):
    client = legacy_client if portal == "legacy" else defender_client
    sign_in(client, contoso_analyst)
    response = client.get("/timeline" if portal == "legacy" else "/")
    assert response.status_code == HTTPStatus.OK
    assert '<div class="account" title="analyst@contoso.example · Contoso">' in (
        response.content.decode()
    )
