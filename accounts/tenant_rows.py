"""Reading an account's home tenant with one fixed statement instead of a query built each time.

Every signed-in page names the account's tenant (the header, what Settings may show), so
every page read the tenant's row. Building that query through the ORM costs several times
what the database takes to answer it. The statement never changes: it is written once,
from the model's own names, and what it returns goes through the fields' own converters.
"""

from __future__ import annotations

from functools import cache

from django.db import connections, router
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor

from web.db_values import converted


@cache
def _statement(model, alias: str) -> str:
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    # Every name comes from the model and is quoted by the backend; the id is a parameter.
    return f"SELECT {columns} FROM {table} WHERE {key} = %s"  # noqa: S608


def read_row(model, pk, alias: str):
    """The ``model`` instance with primary key ``pk``, as the ORM would load it, or None."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_statement(model, alias), [pk])
        found = cursor.fetchone()
    if found is None:
        return None
    fields = model._meta.concrete_fields
    table = model._meta.db_table
    values = [
        converted(value, field.get_col(table), connection)
        for field, value in zip(fields, found, strict=True)
    ]
    return model.from_db(alias, [field.attname for field in fields], values)


class FixedStatementDescriptor(ForwardManyToOneDescriptor):
    """``account.tenant``, read by ``read_row``; anything else (a missing row) as Django does."""

    def get_object(self, instance):
        model = self.field.remote_field.model
        alias = router.db_for_read(model, instance=instance)
        found = read_row(model, getattr(instance, self.field.attname), alias)
        return found if found is not None else super().get_object(instance)
