"""The pages' template language: Jinja2, with Django's helpers (static, url, csrf_input, date).

The support console keeps Django's templates, which come with the admin. Every page of the
portals and the directory is a Jinja2 template under ``templates/``: compiled to Python once, a
page of alert cards renders in a fraction of the time Django's template language takes to
interpret it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from datetime import date as calendar_date
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
from django.utils.timezone import get_current_timezone, get_default_timezone
from django.utils.translation import gettext, ngettext
from jinja2 import ChainableUndefined, Environment, pass_context
from markupsafe import Markup, escape

from web.hosts import site_path

# The page's time zone, looked up once per page rather than once per date shown (a few µs
# each); None when dates are shown as stored (USE_TZ off).
PAGE_TIMEZONE = "_page_timezone"

# The letters of Django's date formats that the pages use, each one quick step; a format with
# any other letter goes through Django's own formatter, so every format means what it does in
# Django's ``date`` filter.
_MONTHS = {number: str(name).title() for number, name in MONTHS_3.items()}


def _zone_name(moment: calendar_date) -> str:
    """Django's "T": the zone's name at that moment (a naive time is in the default zone)."""
    if not isinstance(moment, datetime):
        return ""
    zone = moment.tzinfo if moment.utcoffset() is not None else get_default_timezone()
    return str(zone.tzname(moment))


_LETTERS = {
    "c": lambda moment: moment.isoformat(),
    "T": _zone_name,
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


# How a <time> is drawn, by its style: the format of its words, and the style's name for
# static/js/local-time.js, which rewrites those words into the reader's own time zone.
MOMENT_STYLES = {"datetime": "DATETIME_FORMAT", "date": "DATE_FORMAT"}


def iso_utc(value: datetime) -> str:
    """The instant in UTC, to the second, as a <time> element's machine-readable value."""
    if value.utcoffset() is None:
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def moment_html(value, style: str = "datetime", zone=None, css_class: str = "") -> Markup:
    """A time as every page writes it: one <time> whose words are the one server-side format
    (in the page's zone, UTC, naming it) and whose title keeps those words once a script has
    rewritten the text into the reader's zone. ``style`` "day-hour" splits day and hour.
    Empty for no time."""
    if not isinstance(value, calendar_date):
        return Markup("")
    if not isinstance(value, datetime):  # a day, in no zone: nothing to rewrite
        return Markup('<time datetime="{}">{}</time>').format(
            value.isoformat(), local_date(value, "DATE_FORMAT", zone)
        )
    title = escape(local_date(value, "DATETIME_FORMAT", zone))
    if style == "day-hour":
        day = escape(local_date(value, "M j", zone))
        hour = escape(local_date(value, "H:i T", zone))
        text = f'<span class="day">{day}</span> <span class="hour">{hour}</span>'
    else:
        text = escape(local_date(value, MOMENT_STYLES[style], zone))
    css = f' class="{escape(css_class)}"' if css_class else ""
    # Each value is escaped above, once, and the element written in one step: a list of
    # alerts draws one per card, and Markup.format took half of that time.
    return Markup(  # noqa: S704 (every value in it is escaped)
        f'<time{css} datetime="{iso_utc(value)}" title="{title}" '
        f'data-local="{escape(style)}">{text}</time>'
    )


@pass_context
def moment(context, value, style: str = "datetime", css_class: str = "") -> Markup:
    """``{{ moment(alert.detected_at) }}``: see moment_html."""
    zone = context.get(PAGE_TIMEZONE, False)
    return moment_html(value, style, page_timezone() if zone is False else zone, css_class)


# A time as the redirection audit writes it in words (settings_ui.services.schedule_text).
AUDIT_TIME = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC")


def audit_text_pieces(text: str):
    """``text`` in pieces: plain strings, and the aware datetimes the audit wrote in it."""
    position = 0
    for found in AUDIT_TIME.finditer(text):
        yield text[position : found.start()]
        yield datetime.fromisoformat(found.group(1)).replace(tzinfo=UTC)
        position = found.end()
    yield text[position:]


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def breakable(text) -> Markup:
    """``text`` escaped, each email in it given a line-break opportunity after its @ and
    before each dot: a long address wraps at its own joints, never mid-name nor off a phone's
    screen. Hyphens are such opportunities already."""
    text = str(text)
    pieces, position = [], 0
    for found in EMAIL.finditer(text):
        pieces.append(escape(text[position : found.start()]))
        email = escape(found.group(0))
        pieces.append(email.replace("@", Markup("@<wbr>")).replace(".", Markup("<wbr>.")))
        position = found.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def audit_text(text: str) -> str:
    """Audit text with each time in it written in the one format, as the console shows it."""
    zone = page_timezone()
    return "".join(
        local_date(piece, "DATETIME_FORMAT", zone) if isinstance(piece, datetime) else piece
        for piece in audit_text_pieces(str(text))
    )


@pass_context
def with_moments(context, text) -> Markup:
    """Audit text with each time in it drawn as every other time on the page is (and its
    emails breakable)."""
    zone = context.get(PAGE_TIMEZONE, False)
    zone = page_timezone() if zone is False else zone
    return Markup("").join(
        moment_html(piece, "datetime", zone) if isinstance(piece, datetime) else breakable(piece)
        for piece in audit_text_pieces(str(text))
    )


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
    env.globals.update(static=static, url=url, moment=moment)
    env.filters.update(
        date=date, pluralize=pluralize, utc=utc, with_moments=with_moments, breakable=breakable
    )
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
