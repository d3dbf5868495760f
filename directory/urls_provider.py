"""The OpenID Connect provider's endpoints, under the names django-oauth-toolkit reverses."""

from django.urls import path
from oauth2_provider import views as oidc

from directory import provider

app_name = "oauth2_provider"

urlpatterns = [
    path("oauth2/authorize", provider.DirectoryAuthorizationView.as_view(), name="authorize"),
    path("oauth2/token", provider.DirectoryTokenView.as_view(), name="token"),
    path("oauth2/logout", provider.DirectoryLogoutView.as_view(), name="rp-initiated-logout"),
    path("oauth2/userinfo", oidc.UserInfoView.as_view(), name="user-info"),
    path(
        ".well-known/openid-configuration",
        provider.DirectoryDiscoveryView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", oidc.JwksInfoView.as_view(), name="jwks-info"),
]
