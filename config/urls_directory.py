"""URLs of the directory (IDENTITY_URL): its sign-in page and the OpenID Connect provider."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from web import favicon, views
from web.errors import handler400, handler403, handler404, handler500  # noqa: F401 (read by Django)


class DirectoryHome(RedirectView):
    """The directory has no pages of its own to browse: its home is the Defender portal."""

    def get_redirect_url(self, *args, **kwargs) -> str:
        return settings.DEFENDER_PORTAL_URL + "/"


urlpatterns = [
    path("", login_not_required(DirectoryHome.as_view()), name="home"),
    path("", include("directory.urls")),
    path("", include("directory.urls_provider")),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", favicon.favicon, name="favicon"),
]
