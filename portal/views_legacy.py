"""Legacy portal pages."""

from __future__ import annotations

from django.shortcuts import render

from portal.models import Alert


def timeline(request):
    alerts = Alert.objects.for_tenant(request.user.tenant).select_related("identity", "device")
    return render(request, "legacy/timeline.html", {"alerts": alerts[:50]})
