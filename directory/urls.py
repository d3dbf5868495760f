"""The directory's sign-in page (the `accounts` names the provider's login redirect uses)."""

from django.urls import path

from directory import views

app_name = "accounts"

urlpatterns = [
    path("signin", views.SignInView.as_view(), name="signin"),
]
