"""Receivers of the portals' data: a SIEM integration removed takes its application (and its
tokens) with it."""

from __future__ import annotations

from django.db.models.signals import post_delete
from django.dispatch import receiver
from oauth2_provider.models import get_application_model

from portal.models import SiemIntegration


@receiver(post_delete, sender=SiemIntegration, dispatch_uid="portal.revoke_siem_application")
def revoke_siem_application(sender, instance: SiemIntegration, **kwargs) -> None:
    # The application exists for this integration only; its tokens go with it.
    get_application_model().objects.filter(pk=instance.application_id).delete()
