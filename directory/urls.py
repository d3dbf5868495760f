"""The directory's sign-in pages (the `accounts` names the provider's login redirect uses)."""

from django.urls import path

from directory import views

app_name = "accounts"

urlpatterns = [
    path("signin", views.EmailStepView.as_view(), name="signin"),
    path("signin/password", views.PasswordStepView.as_view(), name="signin-password"),
    path("signin/stay", views.StaySignedInView.as_view(), name="stay-signed-in"),
    path("signedout", views.signed_out, name="signed-out"),
]
