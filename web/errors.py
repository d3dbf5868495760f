"""Error pages in each portal's own look (400, 403, 404, 500, CSRF), telling no detail.

Each site's URLconf names these views as its handler400/403/404/500, and CSRF_FAILURE_VIEW
is `csrf_failure`. The page extends the portal's base template, so it follows the portal's
look; an unknown or service host gets the neutral layout. None of them shows the path, the
exception or the reason Django gives: those go to the log only.
"""

from __future__ import annotations

from http import HTTPStatus

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from web.context_processors import BASE_TEMPLATES

TEMPLATE = "errors/page.html"
JSON = "application/json"
NEUTRAL_BASE = "start/base.html"

PAGES = {
    HTTPStatus.BAD_REQUEST: (
        _("Bad request"),
        _("The portal could not read this request. Check the address, or go back and try again."),
    ),
    HTTPStatus.FORBIDDEN: (
        _("You don't have access to this page"),
        _("Your account can't open this page. If you need it, ask your administrator."),
    ),
    HTTPStatus.NOT_FOUND: (
        _("Page not found"),
        _(
            "This page doesn't exist, or what it showed is no longer there. "
            "Check the address, or start again from the home page."
        ),
    ),
    HTTPStatus.INTERNAL_SERVER_ERROR: (
        _("Something went wrong"),
        _(
            "The portal hit an unexpected problem. Nothing you did caused this. "
            "Try again in a minute."
        ),
    ),
}
CSRF_PAGE = (
    _("This form has expired"),
    _(
        "The page you sent it from was open too long, or your browser blocks cookies for this "
        "site. Reload the page and try again."
    ),
)


def _context(request: HttpRequest, heading, message) -> dict:
    # Explicit, so that an unknown host (no portal chosen) gets the neutral layout.
    base = BASE_TEMPLATES.get(getattr(request, "portal", None), NEUTRAL_BASE)
    return {"base_template": base, "error_heading": heading, "error_message": message}


def error_page(request: HttpRequest, status: HTTPStatus) -> HttpResponse:
    heading, message = PAGES[status]
    return render(request, TEMPLATE, _context(request, heading, message), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, HTTPStatus.BAD_REQUEST)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, HTTPStatus.FORBIDDEN)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, HTTPStatus.NOT_FOUND)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: a context processor could fail again the way the view just did.
    heading, message = PAGES[HTTPStatus.INTERNAL_SERVER_ERROR]
    page = render_to_string(TEMPLATE, _context(request, heading, message))
    return HttpResponse(page, status=HTTPStatus.INTERNAL_SERVER_ERROR)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    heading, message = CSRF_PAGE
    if request.get_preferred_type(["text/html", JSON]) == JSON:
        # A page's own script posting a form: it says the page expired and offers a reload,
        # rather than showing this refusal as an unexplained 403.
        return JsonResponse(
            {"error": f"{heading}. {message}", "expired": True}, status=HTTPStatus.FORBIDDEN
        )
    return render(
        request, TEMPLATE, _context(request, heading, message), status=HTTPStatus.FORBIDDEN
    )


class MissingObjectPageMiddleware:
    """A view's Http404 (a deep link to an alert that is not there) gets the portal's 404 page.

    Django answers it through handler404 only outside debug; in debug it shows its own page,
    which lists every URL pattern. Rendering it here keeps the page the same in both modes.
    A path no pattern matches is not a view's: in debug it still gets Django's page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None


# The names Django looks up in each site's root URLconf; every URLconf imports these four.
handler400 = bad_request
handler403 = permission_denied
handler404 = page_not_found
handler500 = server_error
