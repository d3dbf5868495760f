"""The pages' template language: Jinja2, with Django's helpers (static, url, csrf_input, date).

The support console keeps Django's templates, which come with the admin. Every page of the
portals and the directory is a Jinja2 template under ``templates/``: compiled to Python once, a
page of alert cards renders in a fraction of the time Django's template language takes to
interpret it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date as calendar_date
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.backends import jinja2 as django_jinja2
from django.template.backends.utils import csrf_input_lazy, csrf_token_lazy
from django.templatetags.static import static
from django.templatetags.tz import utc
from django.urls import reverse
from django.utils import dateformat
from django.utils.dates import MONTHS_3
from django.utils.formats import get_format
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext, ngettext
from jinja2 import ChainableUndefined, Environment, pass_context

from web.hosts import site_path

# The page's time zone, looked up once per page rather than once per date shown (a few µs
# each); None when dates are shown as stored (USE_TZ off).
PAGE_TIMEZONE = "_page_timezone"

# The letters of Django's date formats that the pages use, each one quick step; a format with
# any other letter goes through Django's own formatter, so every format means what it does in
# Django's ``date`` filter.
_MONTHS = {number: str(name).title() for number, name in MONTHS_3.items()}
_LETTERS = {
    "c": lambda moment: moment.isoformat(),
    "M": lambda moment: _MONTHS[moment.month],
    "j": lambda moment: str(moment.day),
    "Y": lambda moment: f"{moment.year:04d}",
    "H": lambda moment: f"{moment.hour:02d}",
    "i": lambda moment: f"{moment.minute:02d}",
}


@lru_cache(maxsize=64)
def _formatter(format_string: str) -> Callable[[calendar_date], str]:
    """One function writing a date in ``format_string``: the letters above, step by step,
    or Django's own formatter for a format with any other letter."""
    steps = []
    for index, piece in enumerate(dateformat.re_formatchars.split(format_string)):
        if index % 2 == 0:
            text = dateformat.re_escaped.sub(r"\1", piece)
            steps.append(lambda moment, text=text: text)
        elif piece in _LETTERS:
            steps.append(_LETTERS[piece])
        else:
            return lambda moment: dateformat.format(moment, format_string)
    return lambda moment: "".join([step(moment) for step in steps])


def page_timezone():
    return get_current_timezone() if settings.USE_TZ else None


def local_date(value: calendar_date, format_name: str, zone) -> str:
    """``value`` as Django's templates show it in ``format_name`` (a format setting's name or
    a format): an aware datetime in time zone ``zone`` (None: as stored)."""
    if (
        zone is not None
        and isinstance(value, datetime)
        and value.utcoffset() is not None
        and getattr(value, "convert_to_local_time", True)
    ):
        value = value.astimezone(zone)
    return _formatter(get_format(format_name) if format_name.isupper() else format_name)(value)


@pass_context
def date(context, value, format_name: str = "DATE_FORMAT") -> str:
    """Django's ``date`` filter: a format setting's name (``DATETIME_FORMAT``) or a format
    (``"M j"``), in the current time zone as Django's templates show it; "" for no date."""
    if not isinstance(value, calendar_date):
        return ""
    zone = context.get(PAGE_TIMEZONE, False)
    return local_date(value, format_name, page_timezone() if zone is False else zone)


def pluralize(count, suffix: str = "s") -> str:
    """Django's ``pluralize``: the suffix unless the count is one."""
    try:
        return "" if int(count) == 1 else suffix
    except (TypeError, ValueError):
        return ""


def url(name: str, *args, **kwargs) -> str:
    """``{% url %}``: the path of a URL name on the site answering this request."""
    if args or kwargs:
        return reverse(name, args=args or None, kwargs=kwargs or None)
    return site_path(name)


def environment(**options) -> Environment:
    # As Django's template language: every value escaped, a file's last line break kept, and
    # a missing value (or an attribute of one) shown as nothing, in debug too.
    for name in ("autoescape", "keep_trailing_newline", "undefined"):
        options.pop(name, None)
    env = Environment(
        autoescape=True,
        keep_trailing_newline=True,
        undefined=ChainableUndefined,
        extensions=[*options.pop("extensions", []), "jinja2.ext.i18n"],
        **options,
    )
    # Strings stay marked for translation ({{ _("…") }}, {% trans %}) through Django's own
    # catalogue, as they were in Django's templates.
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(static=static, url=url)
    env.filters.update(date=date, pluralize=pluralize, utc=utc)
    return env


class Jinja2(django_jinja2.Jinja2):
    """Django's Jinja2 engine, with a view's own context over the context processors' (as in
    Django's templates: an error page's neutral layout is not replaced by the portal's)."""

    # The console's Django templates sit beside the pages under templates/admin/; they are the
    # Django engine's to read, so this one leaves them alone.
    DJANGO_TEMPLATE_FOLDERS = ("admin/",)

    def get_template(self, template_name):
        if template_name.startswith(self.DJANGO_TEMPLATE_FOLDERS):
            raise TemplateDoesNotExist(template_name, backend=self)
        return Template(super().get_template(template_name).template, self)


class Template(django_jinja2.Template):
    def render(self, context=None, request=None) -> str:
        if request is None:
            return super().render(context)
        page = {
            "request": request,
            "csrf_input": csrf_input_lazy(request),
            "csrf_token": csrf_token_lazy(request),
            PAGE_TIMEZONE: page_timezone(),
        }
        for processor in self.backend.template_context_processors:
            page.update(processor(request))
        page.update(context or {})
        return super().render(page)
