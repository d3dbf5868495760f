"""The feedback URLs, mounted by both portals."""

from django.urls import path

from settings_ui import feedback

app_name = "feedback"

urlpatterns = [
    path("feedback", feedback.give_feedback, name="form"),
    path("feedback/thanks", feedback.thanks, name="thanks"),
]
