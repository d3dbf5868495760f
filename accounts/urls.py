"""Sign-in URLs, mounted by both portals: each is a relying party of the directory."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("signin", views.sign_in, name="signin"),
    path("signin/callback", views.sign_in_callback, name="callback"),
    path("signout", views.sign_out, name="signout"),
    path("signout/frontchannel", views.front_channel_sign_out, name="frontchannel"),
]
