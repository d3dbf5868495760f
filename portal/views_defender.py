"""Defender portal pages."""

from __future__ import annotations

from django.shortcuts import render

from portal.models import Alert, Incident


def home(request):
    tenant = request.user.tenant
    return render(
        request,
        "defender/home.html",
        {
            "open_alerts": Alert.objects.for_tenant(tenant).exclude(status="resolved").count(),
            "open_incidents": Incident.objects.for_tenant(tenant)
            .exclude(status="resolved")
            .count(),
        },
    )
