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
        assert page.render({"moment": moment}, request=rf.get("/")) == "Mar 8, 2026 00:30"
    assert page.render({"moment": moment}, request=rf.get("/")) == "Mar 7, 2026 23:30"


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
