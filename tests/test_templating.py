"""The pages' template language: dates, links and escaping read as they did in Django's."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime

import pytest
from django.template import engines
from django.template.defaultfilters import date as django_date
from django.test import RequestFactory
from django.utils import timezone

from web.hosts import site_path
from web.templating import audit_text

FORMATS = ["c", "M j", "H:i", "DATE_FORMAT", "DATETIME_FORMAT", "N j, Y", r"\a\t H:i", "D d M Y"]
MOMENTS = [
    datetime(2026, 3, 7, 9, 5, 30, 123, tzinfo=UTC),
    datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2025, 1, 1, 0, 0),  # naive: shown as it is
]


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


@pytest.mark.parametrize("format_name", FORMATS)
@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_every_date_reads_as_djangos_date_filter_wrote_it(format_name, moment):
    expected = django_date(timezone.template_localtime(moment), format_name)
    assert render("{{ moment|date(format) }}", moment=moment, format=format_name) == expected


def test_a_day_without_a_time_and_no_date_at_all():
    assert render('{{ day|date("DATE_FORMAT") }}', day=date(2026, 2, 3)) == "Feb 3, 2026"
    assert render('{{ nothing|date("DATE_FORMAT") }}', nothing=None) == ""
    assert render('{{ missing|date("DATE_FORMAT") }}') == ""


def test_dates_follow_the_current_time_zone_on_a_page(rf: RequestFactory):
    moment = datetime(2026, 3, 7, 23, 30, tzinfo=UTC)
    page = engines["jinja2"].from_string('{{ moment|date("DATETIME_FORMAT") }}')
    with timezone.override(zoneinfo.ZoneInfo("Europe/Paris")):
        assert page.render({"moment": moment}, request=rf.get("/")) == "Mar 8, 2026 00:30 CET"
    assert page.render({"moment": moment}, request=rf.get("/")) == "Mar 7, 2026 23:30 UTC"


def test_values_are_escaped_and_a_missing_one_shows_nothing():
    assert render("{{ name }}", name='<b>"Joni"</b>') == "&lt;b&gt;&#34;Joni&#34;&lt;/b&gt;"
    assert render("[{{ account.tenant.name }}]") == "[]"


def test_links_are_those_of_the_site_answering(settings):
    settings.ROOT_URLCONF = "config.urls_legacy"
    assert render("{{ url('legacy:health') }}") == "/health" == site_path("legacy:health")
    settings.ROOT_URLCONF = "config.urls_defender"
    assert render("{{ url('defender:health') }}") == "/settings/identities/health"
    assert render("{{ url('defender:alert', 7) }}") == "/alerts/7"


def test_static_files_follow_the_static_settings(settings):
    assert render("{{ static('css/common.css') }}") == "/static/css/common.css"
    settings.STATIC_URL = "/assets/"
    assert render("{{ static('css/common.css') }}") == "/assets/css/common.css"


def test_a_time_is_one_element_in_one_format_naming_utc():
    moment = datetime(2026, 12, 7, 0, 40, 12, 345678, tzinfo=UTC)
    assert render("{{ moment(at) }}", at=moment) == (
        '<time datetime="2026-12-07T00:40:12Z" title="Dec 7, 2026 00:40 UTC" '
        'data-local="datetime">Dec 7, 2026 00:40 UTC</time>'
    )
    assert render('{{ moment(at, "date") }}', at=moment) == (
        '<time datetime="2026-12-07T00:40:12Z" title="Dec 7, 2026 00:40 UTC" '
        'data-local="date">Dec 7, 2026</time>'
    )
    assert render('{{ moment(at, "day-hour", "timeline-time") }}', at=moment) == (
        '<time class="timeline-time" datetime="2026-12-07T00:40:12Z" '
        'title="Dec 7, 2026 00:40 UTC" data-local="day-hour">'
        '<span class="day">Dec 7</span> <span class="hour">00:40 UTC</span></time>'
    )
    assert render("{{ moment(nothing) }}", nothing=None) == ""


def test_the_machine_readable_time_is_in_utc_whatever_zone_the_value_carries():
    paris = datetime(2026, 3, 8, 0, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    assert 'datetime="2026-03-07T23:30:00Z"' in render("{{ moment(at) }}", at=paris)


def test_times_the_audit_wrote_in_words_are_drawn_as_every_other_time():
    summary = "Schedule: none → On at 2026-12-08 03:04:20 UTC, Off at 2026-12-07 01:58:20 UTC"
    html = render("{{ text|with_moments }}", text=summary)
    assert html.startswith("Schedule: none → On at <time ")
    assert '<time datetime="2026-12-08T03:04:20Z" title="Dec 8, 2026 03:04 UTC"' in html
    assert '<time datetime="2026-12-07T01:58:20Z" title="Dec 7, 2026 01:58 UTC"' in html
    assert "2026-12-08 03:04:20" not in html
    assert render("{{ text|with_moments }}", text="<b>none</b>") == "&lt;b&gt;none&lt;/b&gt;"
    assert audit_text(summary) == (
        "Schedule: none → On at Dec 8, 2026 03:04 UTC, Off at Dec 7, 2026 01:58 UTC"
    )


def test_an_email_wraps_at_its_own_joints_and_nothing_else_is_trusted():
    html = render("{{ text|breakable }}", text="by first.last@contoso.example <b>")
    assert html == "by first<wbr>.last@<wbr>contoso<wbr>.example &lt;b&gt;"
    hostile = render("{{ text|breakable }}", text='x"<script>@a.b')
    assert "<script>" not in hostile
