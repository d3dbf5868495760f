"""Sign-in URLs, mounted by both portals: each is a relying party of the directory."""

from django.urls import path

from accounts import portal_sign_in

app_name = "accounts"

urlpatterns = [
    path("signin", portal_sign_in.sign_in, name="signin"),
    path("signin/callback", portal_sign_in.sign_in_callback, name="callback"),
    path("signout", portal_sign_in.sign_out, name="signout"),
    path("signout/frontchannel", portal_sign_in.front_channel_sign_out, name="frontchannel"),
]
