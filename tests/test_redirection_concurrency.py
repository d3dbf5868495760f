"""Many admins flipping the switch at once: the row lock keeps state and audit in step."""

from __future__ import annotations

import itertools
import random
import threading

import pytest
from django.db import connection, connections

from accounts.models import DirectoryRole
from settings_ui.models import ChangeSource, PortalRedirection, RedirectionChange
from settings_ui.services import set_portal_redirection
from tests.factories import TenantFactory, UserFactory

THREADS = 8
FLIPS_PER_THREAD = 12

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL for row locks across connections; set DATABASE_URL=postgres://..."
        )


def test_concurrent_flips_keep_state_and_audit_consistent():
    tenant = TenantFactory(name="Contoso", domain="contoso.example")
    admins = [
        UserFactory(tenant=tenant, roles=[DirectoryRole.GLOBAL_ADMINISTRATOR])
        for _ in range(THREADS)
    ]
    start = threading.Barrier(THREADS)
    real_changes = []
    failures = []
    record = threading.Lock()

    def flip(admin, seed):
        values = random.Random(seed)
        try:
            start.wait()
            for _ in range(FLIPS_PER_THREAD):
                result = set_portal_redirection(
                    tenant, values.choice([True, False]), actor=admin, source=ChangeSource.API
                )
                if result.changed:
                    with record:
                        real_changes.append(result)
        except Exception as error:  # surfaced below: a thread's exception is otherwise lost
            failures.append(error)
        finally:
            connections.close_all()

    # The row does not exist yet: the first flips also race to create it.
    threads = [threading.Thread(target=flip, args=(a, n)) for n, a in enumerate(admins)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    changes = list(RedirectionChange.objects.filter(tenant=tenant).order_by("id"))
    assert len(changes) == len(real_changes) > 0
    assert PortalRedirection.objects.get(tenant=tenant).enabled == changes[-1].new_value
    assert changes[0].old_value is False
    for change in changes:
        assert change.old_value != change.new_value
    for earlier, later in itertools.pairwise(changes):
        assert later.old_value == earlier.new_value
        assert later.changed_at >= earlier.changed_at
    latest_on = [c for c in changes if c.new_value][-1]
    assert PortalRedirection.objects.get(tenant=tenant).enabled_at == latest_on.changed_at
