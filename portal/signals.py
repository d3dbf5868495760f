"""Receivers of the portals' data: a new endpoint alert is told to its organization by e-mail;
a SIEM integration removed takes its application (and its tokens) with it."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from oauth2_provider.models import get_application_model

from portal.models import Alert, ServiceSource, SiemIntegration
from portal.notifications import notify_of_alert


@receiver(post_save, sender=Alert, dispatch_uid="portal.notify_new_endpoint_alert")
def notify_new_endpoint_alert(sender, instance: Alert, created: bool, raw: bool, **kwargs) -> None:
    # One alert saved on its own. Bulk loads (seed_demo) send no signal, so the demo data
    # mails nobody; fixtures (raw) neither.
    if created and not raw and instance.service_source == ServiceSource.ENDPOINT:
        # After the commit: a rolled-back alert was never raised, and the message waits for
        # nobody's transaction.
        transaction.on_commit(lambda: notify_of_alert(instance))


@receiver(post_delete, sender=SiemIntegration, dispatch_uid="portal.revoke_siem_application")
def revoke_siem_application(sender, instance: SiemIntegration, **kwargs) -> None:
    # The application exists for this integration only; its tokens go with it.
    get_application_model().objects.filter(pk=instance.application_id).delete()
