"""A user only ever sees their own tenant's security data."""

import pytest

from portal.models import Alert, Device, HealthIssue, Identity, Incident
from tests.factories import (
    AlertFactory,
    HealthIssueFactory,
    IncidentFactory,
)

pytestmark = pytest.mark.django_db


def test_for_tenant_returns_only_that_tenants_rows(contoso, fabrikam):
    for tenant in (contoso, fabrikam):
        AlertFactory.create_batch(3, tenant=tenant)
        HealthIssueFactory(tenant=tenant)
        IncidentFactory(tenant=tenant)
    for model in (Alert, Device, Identity, HealthIssue, Incident):
        rows = model.objects.for_tenant(contoso)
        assert rows.exists()
        assert set(rows.values_list("tenant_id", flat=True)) == {contoso.pk}


def test_no_tenant_sees_nothing(contoso):
    AlertFactory(tenant=contoso)
    assert not Alert.objects.for_tenant(None).exists()
