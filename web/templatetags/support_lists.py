"""The support console's list rows: Django's admin markup, with less work for each row.

Django's admin looks each cell's field up again on every row, rebuilds a choice field's
labels, formats a date through three layers and reverses and rewrites the row's change link:
a hundred rows cost it 15-20 ms. Here each column's way of being drawn is worked out once
per list, from the same rules, and each row only fills in its values. Lists Django draws
differently (editable, in a popup, keyed by another field) are left to Django.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _boolean_icon,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
    result_list,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import display_for_field, lookup_field
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.template import Library
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from web.admin_lists import PLACEHOLDER_ID, display_for_value
from web.templating import local_date, page_timezone

register = Library()

# Fields whose value Django draws as its text (or the empty mark): no formatting, no link.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.GenericIPAddressField,
    models.UUIDField,
)


def quick_result_list(cl) -> dict:
    """Django's ``result_list`` context, its rows drawn by ``quick_rows``."""
    if cl.formset or cl.is_popup or cl.to_field:
        return result_list(cl)
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(
            1 for header in headers if header["sortable"] and header["sorted"]
        ),
        "results": list(quick_rows(cl)),
    }


@register.tag(name="quick_result_list")
def quick_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=quick_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )


def quick_rows(cl):
    columns = list(_columns(cl))
    for row in cl.result_list:
        yield ResultList(None, [column(row) for column in columns])


def _columns(cl):
    """One function per column drawing that column's cell of a row, as Django's
    ``items_for_result`` would."""
    model_admin = cl.model_admin
    empty = model_admin.get_empty_value_display()
    zone = page_timezone()
    first = True
    for index, name in enumerate(cl.list_display):
        linked = _link_in_col(first, name, cl)
        tag = "th" if linked and first else "td"
        if linked:
            first = False
        draw = _field_drawing(cl.lookup_opts, name, empty, zone, linked)
        if draw is None:
            draw = _other_drawing(cl.lookup_opts, model_admin, name, empty, linked)
        yield _cell(cl, index, name, tag, linked, draw)


def _link_in_col(is_first: bool, name, cl) -> bool:
    if cl.list_display_links is None:
        return False
    if is_first and not cl.list_display_links:
        return True
    return name in cl.list_display_links


def _cell(cl, index: int, name, tag: str, linked: bool, draw: Callable) -> Callable:
    field_class = f"field-{_coerce_field_name(name, index)}"
    link = _change_link(cl) if linked else None
    return lambda row: _tag_cell(tag, field_class, draw(row), link, row)


def _tag_cell(tag: str, field_class: str, drawn: tuple, link, row) -> str:
    shown, action_checkbox, nowrap = drawn
    classes = "action-checkbox" if action_checkbox else field_class
    if nowrap:
        classes += " nowrap"
    if link is not None:
        url = link(row)
        if url is not None:
            shown = format_html('<a href="{}"{}>{}</a>', url, "", shown)
    return mark_safe(f'<{tag} class="{classes}">{conditional_escape(shown)}</{tag}>')  # noqa: S308


def _change_link(cl) -> Callable:
    """The row's change link with the list's filters kept, as Django writes it."""
    try:
        template = add_preserved_filters(
            {"preserved_filters": cl.preserved_filters, "opts": cl.opts},
            cl.url_for_result(_Placeholder(cl.pk_attname)),
        )
    except NoReverseMatch:
        return lambda row: None
    quick = PLACEHOLDER_ID in template

    def link(row) -> str | None:
        if not quick:
            try:
                url = cl.url_for_result(row)
            except NoReverseMatch:
                return None
            return add_preserved_filters(
                {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url
            )
        pk = getattr(row, cl.pk_attname)
        if not isinstance(pk, int):
            return add_preserved_filters(
                {"preserved_filters": cl.preserved_filters, "opts": cl.opts},
                cl.url_for_result(row),
            )
        return template.replace(PLACEHOLDER_ID, str(pk), 1)

    return link


class _Placeholder:
    def __init__(self, pk_attname: str):
        setattr(self, pk_attname, int(PLACEHOLDER_ID))


def _field_drawing(opts, name, empty, zone, linked: bool) -> Callable | None:
    """How a model field's cell is drawn, or None when the column is not a plain field."""
    if not isinstance(name, str):
        return None
    try:
        field = opts.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.is_relation and (
        (field.many_to_one and not field.related_model)
        or field.one_to_many
        or (not field.many_to_many and getattr(field, "attname", None) == name)
    ):
        return None  # Django reads these through lookup_field: leave them to it
    if field.auto_created or field.many_to_many:
        return None
    nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
    attname = field.attname

    if isinstance(field.remote_field, models.ManyToOneRel):
        related = field.name

        def draw(row):
            value = getattr(row, related)
            return (empty if value is None else value), False, nowrap

        return draw
    if getattr(field, "flatchoices", None):
        try:
            labels = dict(field.flatchoices)
        except TypeError:
            return None

        def draw(row):
            value = _blank(getattr(row, attname))
            try:
                return labels.get(value, empty), False, nowrap
            except TypeError:
                return display_for_field(value, field, empty, avoid_link=linked), False, nowrap

        return draw
    if isinstance(field, models.BooleanField):
        icons = {value: _boolean_icon(value) for value in (True, False, None)}

        def draw(row):
            value = getattr(row, attname)
            return icons[value] if value in icons else _boolean_icon(value), False, nowrap

        return draw
    if isinstance(field, models.DateTimeField):
        empty_values = field.empty_values

        def draw(row):
            value = getattr(row, attname)
            if value in empty_values:
                return empty, False, nowrap
            return local_date(value, "DATETIME_FORMAT", zone), False, nowrap

        return draw
    if isinstance(field, _PLAIN_FIELDS) and not isinstance(field, models.URLField):
        empty_values = field.empty_values

        def draw(row):
            value = _blank(getattr(row, attname))
            return (empty if value in empty_values else str(value)), False, nowrap

        return draw

    def draw(row):
        value = _blank(getattr(row, attname))
        return display_for_field(value, field, empty, avoid_link=linked), False, nowrap

    return draw


def _other_drawing(opts, model_admin, name, empty, linked: bool) -> Callable:
    """A cell that is not a plain model field: a method of the ModelAdmin (called directly,
    as Django's lookup would find it), or else Django's own lookup, for every row."""
    method = None
    if callable(name):
        method = name
    elif (
        isinstance(name, str)
        and name != "__str__"
        and not _is_field(opts, name)
        and hasattr(model_admin, name)
    ):
        method = getattr(model_admin, name)
    if method is not None:
        empty_here = getattr(method, "empty_value_display", empty)
        boolean = getattr(method, "boolean", False)
        checkbox = name == "action_checkbox"

        def draw(row):
            try:
                value = _blank(method(row))
            except ObjectDoesNotExist:
                return empty, False, False
            nowrap = isinstance(value, (datetime.date, datetime.time))
            return display_for_value(value, empty_here, boolean), checkbox, nowrap

        return draw

    def draw(row):
        try:
            field, attr, value = lookup_field(name, row, model_admin)
        except ObjectDoesNotExist:
            return empty, False, False
        empty_here = getattr(attr, "empty_value_display", empty)
        value = _blank(value)
        if field is None or field.auto_created:
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            shown = display_for_value(value, empty_here, boolean)
            nowrap = isinstance(value, (datetime.date, datetime.time))
            return shown, False, nowrap
        nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
        if isinstance(field.remote_field, models.ManyToOneRel):
            value = getattr(row, field.name)
            return (empty_here if value is None else value), False, nowrap
        return display_for_field(value, field, empty_here, avoid_link=linked), False, nowrap

    return draw


def _is_field(opts, name: str) -> bool:
    try:
        opts.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _blank(value):
    return "" if isinstance(value, str) and value.strip() == "" else value
