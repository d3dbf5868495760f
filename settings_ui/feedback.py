"""The "Give feedback" form, one view for both portals, and its thank-you page."""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from settings_ui.models import Feedback
from web.hosts import DEFENDER, site_path
from web.local_paths import local_redirect_target
from web.navigation import rail_item_of

FROM_PARAMETER = "from"
FROM_PATH_MAX_LENGTH = Feedback._meta.get_field("from_path").max_length


def feedback_url(from_path: str) -> str:
    """The feedback form of the portal serving this request, told which page it came from."""
    return f"{site_path('feedback:form')}?{urlencode({FROM_PARAMETER: from_path})}"


def _is_feedback_page(path: str) -> bool:
    return urlsplit(path).path in (site_path("feedback:form"), site_path("feedback:thanks"))


def _offers_feedback(request: HttpRequest) -> bool:
    try:
        return not _is_feedback_page(request.path_info)
    except NoReverseMatch:  # a site without the feedback pages (the local start page)
        return False


def safe_from_path(value: str | None) -> str:
    """``value`` if it is a page of this site to go back to, else "".

    It is stored and echoed as a link. The feedback pages themselves are refused, so that
    going back never lands on the form again and ``from=`` never nests.
    """
    if not value or len(value) > FROM_PATH_MAX_LENGTH:
        return ""
    path = local_redirect_target(value) or ""
    return "" if path and _is_feedback_page(path) else path


def give_feedback_url(request: HttpRequest) -> str | None:
    """The "Give feedback" link for the page being shown; None on the feedback pages."""
    if not _offers_feedback(request):
        return None
    from_path = safe_from_path(request.get_full_path())
    return feedback_url(from_path) if from_path else site_path("feedback:form")


class MessageField(forms.CharField):
    def to_python(self, value):
        # Browsers send a typed line break as CRLF; count it as the one character it was.
        return super().to_python(value).replace("\r\n", "\n")


class FeedbackForm(forms.ModelForm):
    category = forms.ChoiceField(
        label=_("What is your feedback about?"),
        choices=Feedback.Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what your feedback is about.")},
    )
    message = MessageField(
        label=_("Your feedback"),
        max_length=Feedback.MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Up to 2,000 characters. Please leave out passwords and personal data."),
        error_messages={
            "required": _("Write your feedback before sending it."),
            "max_length": _(
                "Keep your feedback to %(limit_value)d characters; it has %(show_value)d."
            ),
        },
    )
    may_contact = forms.BooleanField(
        label=_("You may contact me about this feedback"), required=False
    )

    class Meta:
        model = Feedback
        fields = ("category", "message", "may_contact")

    def __init__(self, *args, **kwargs):
        # Most feedback is about the redirection, which both portals' links invite.
        kwargs.setdefault("initial", {"category": Feedback.Category.REDIRECTION})
        super().__init__(*args, **kwargs)


def _thanks_url(from_path: str) -> str:
    url = site_path("feedback:thanks")
    return f"{url}?{urlencode({FROM_PARAMETER: from_path})}" if from_path else url


@require_http_methods(["GET", "POST"])
def give_feedback(request: HttpRequest) -> HttpResponse:
    """Signed-in accounts of any role, on either portal (the sign-in requirement is global)."""
    source = request.POST if request.method == "POST" else request.GET
    from_path = safe_from_path(source.get(FROM_PARAMETER))
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        feedback = form.save(commit=False)
        feedback.user = request.user
        feedback.tenant_id = request.user.tenant_id
        feedback.portal = request.portal
        feedback.from_path = from_path
        feedback.save()
        return HttpResponseRedirect(_thanks_url(from_path))
    return render(
        request,
        "settings_ui/feedback.html",
        {
            "form": form,
            "from_path": from_path,
            "title": _("Give feedback"),
            **_came_from(request, from_path),
        },
    )


@require_http_methods(["GET"])
def thanks(request: HttpRequest) -> HttpResponse:
    from_path = safe_from_path(request.GET.get(FROM_PARAMETER))
    return render(
        request,
        "settings_ui/feedback_thanks.html",
        {
            "from_path": from_path,
            "title": _("Thank you for your feedback"),
            **_came_from(request, from_path),
        },
    )


def _came_from(request: HttpRequest, from_path: str) -> dict:
    """On the Defender portal: the rail item of the page the form was opened from, current in
    the rail and first in the breadcrumb."""
    if getattr(request, "portal", None) != DEFENDER or not from_path:
        return {}
    item = rail_item_of(from_path)
    return {"nav_section": item.key, "came_from": item} if item else {}
