"""Sign-in URLs, mounted by both portals."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("signin", views.SignInView.as_view(), name="signin"),
    path("signout", views.SignOutView.as_view(), name="signout"),
]
