"""How a request's account is read: Django's ModelBackend, with the account's home tenant."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Every signed-in page names the account's tenant: read both in one query."""

    def get_user(self, user_id):
        accounts = get_user_model()._default_manager.select_related("tenant")
        try:
            user = accounts.get(pk=user_id)  # as ModelBackend reads it, no ordering to add
        except accounts.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
