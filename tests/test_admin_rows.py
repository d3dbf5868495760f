"""The support console's row checkboxes are Django's own markup, for every list with actions."""

from __future__ import annotations

import pytest
from django.contrib import admin

from accounts.models import SignInSession
from tests.factories import SignInSessionFactory, TenantFactory

pytestmark = pytest.mark.django_db

WITH_QUICK_ROWS = [
    model_admin
    for model_admin in admin.site._registry.values()
    if "QuickRows" in {cls.__name__ for cls in type(model_admin).__mro__}
]


def test_every_list_of_ours_draws_its_checkboxes_directly():
    ours = {type(a).__module__.split(".")[0] for a in WITH_QUICK_ROWS}
    assert {"accounts", "settings_ui", "portal"} <= ours


@pytest.mark.parametrize("model_admin", WITH_QUICK_ROWS, ids=lambda a: type(a).__name__)
def test_the_checkbox_is_djangos_own_markup(model_admin):
    row = TenantFactory(name='Contoso "<script>&</script>"')  # any row: its text and its key
    djangos = admin.ModelAdmin.action_checkbox(model_admin, row)
    assert model_admin.action_checkbox(row) == djangos
    assert "<script>" not in model_admin.action_checkbox(row)


def test_a_sign_in_row_checkbox_names_the_row():
    row = SignInSessionFactory()
    model_admin = admin.site._registry[SignInSession]
    html = model_admin.action_checkbox(row)
    assert f'value="{row.pk}"' in html
    assert 'name="_selected_action"' in html
