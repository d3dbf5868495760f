"""The "Give feedback" form, one view for both portals, and its thank-you page."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.views import local_redirect_target
from settings_ui.models import Feedback

FROM_PARAMETER = "from"
FROM_PATH_MAX_LENGTH = Feedback._meta.get_field("from_path").max_length


def feedback_url(from_path: str) -> str:
    """The feedback form of the portal serving this request, told which page it came from."""
    return f"{reverse('feedback:form')}?{urlencode({FROM_PARAMETER: from_path})}"


def safe_from_path(value: str | None) -> str:
    """``value`` if it is a path on this site, else "": it is stored and echoed as a link."""
    if not value or len(value) > FROM_PATH_MAX_LENGTH:
        return ""
    return local_redirect_target(value) or ""


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


def _thanks_url(from_path: str) -> str:
    url = reverse("feedback:thanks")
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
        {"form": form, "from_path": from_path, "title": _("Give feedback")},
    )


@require_http_methods(["GET"])
def thanks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "settings_ui/feedback_thanks.html",
        {
            "from_path": safe_from_path(request.GET.get(FROM_PARAMETER)),
            "title": _("Thank you for your feedback"),
        },
    )
