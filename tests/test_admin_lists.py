"""The support console's lists draw every row exactly as Django's admin would."""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.contrib.auth.models import Group
from django.test import RequestFactory

from accounts.models import DirectoryRole, Portal, SignInSession, Tenant, User
from directory.models import SignInPause
from settings_ui.models import ChangeSource, Feedback, PortalRedirection, RedirectionChange
from tests.conftest import sign_in
from tests.factories import SignInSessionFactory, TenantFactory, UserFactory
from web.templatetags.support_lists import quick_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def console_data(contoso, fabrikam, contoso_admin, settings):
    settings.ROOT_URLCONF = "config.urls_defender"  # the console's links
    support = UserFactory(tenant=None, is_staff=True, is_superuser=True, display_name="")
    quiet = TenantFactory(name="Quiet & <Calm>", domain="quiet.example")
    UserFactory(tenant=quiet, display_name="  ", roles=[DirectoryRole.SECURITY_READER])
    UserFactory(tenant=fabrikam, is_active=False, roles=[DirectoryRole.GLOBAL_ADMINISTRATOR])
    PortalRedirection.objects.create(
        tenant=contoso, enabled=True, enabled_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    )
    for index, user in enumerate([contoso_admin, support, *quiet.users.all()]):
        SignInSessionFactory(
            user=user,
            tenant=user.tenant,
            portal=Portal.LEGACY if index % 2 else Portal.DEFENDER,
            ended_at=datetime(2026, 1, 3, tzinfo=UTC) if index == 2 else None,
        )
    for index in range(3):
        RedirectionChange.objects.create(
            tenant=contoso,
            actor=contoso_admin if index else None,
            source=ChangeSource.WEB,
            old_value=bool(index % 2),
            new_value=not index % 2,
            ip_address="10.0.0.1" if index else None,
        )
    Feedback.objects.create(
        tenant=contoso,
        user=contoso_admin,
        portal=Portal.LEGACY,
        category=Feedback.Category.REDIRECTION,
        message="Where did the timeline go?  " * 5,
    )
    Feedback.objects.create(tenant=None, user=None, portal=Portal.DEFENDER, message="x")
    AccessAttempt.objects.create(
        username="someone@contoso.example",
        ip_address="10.0.0.9",
        user_agent="test",
        failures_since_start=2,
        attempt_time=datetime(2026, 2, 3, 4, 5, tzinfo=UTC),
    )
    return support


LISTS = [Tenant, User, Group, SignInSession, RedirectionChange, Feedback, SignInPause]


@pytest.mark.parametrize("model", LISTS, ids=lambda model: model._meta.model_name)
@pytest.mark.parametrize("query", ["", "o=-2", "o=2.1", "q=example", "tenant=contoso.example"])
def test_every_row_is_drawn_as_djangos_admin_draws_it(console_data, model, query):
    model_admin = admin.site._registry[model]
    parameters = dict(part.split("=") for part in query.split("&") if part)
    if "tenant" in parameters and "tenant" not in model_admin.offered_lookups(None):
        parameters = {}
    request = RequestFactory().get("/admin/", parameters)
    request.user = console_data
    changelist = model_admin.get_changelist_instance(request)
    changelist.formset = None  # as the list page sets it: no list_editable here
    ours = [list(row) for row in quick_rows(changelist)]
    assert ours == [list(row) for row in results(changelist)]
    assert ours or model is Group or query == "q=example"


def test_a_list_page_shows_its_rows_with_links_kept_filters_and_checkboxes(
    console_data, defender_client
):
    sign_in(defender_client, console_data)
    response = defender_client.get("/admin/accounts/tenant/", {"q": "example"})
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    contoso = Tenant.objects.get(domain="contoso.example")
    assert (
        f'<a href="/admin/accounts/tenant/{contoso.pk}/change/?_changelist_filters=q%3Dexample">'
        "Contoso</a>"
    ) in html
    assert (
        f'<input type="checkbox" name="_selected_action" value="{contoso.pk}" '
        'class="action-select" aria-label="Select this object for an action - '
        'Contoso (contoso.example)">'
    ) in html
    assert "Quiet &amp; &lt;Calm&gt;" in html
