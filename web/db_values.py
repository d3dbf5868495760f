"""A value read by a fixed statement, converted as the ORM converts what it reads itself."""

from __future__ import annotations


def converters(expression, connection) -> list:
    """The functions the ORM passes a column's database value through, in its order."""
    return [
        *connection.ops.get_db_converters(expression),
        *expression.get_db_converters(connection),
    ]


def converted(value, expression, connection):
    for convert in converters(expression, connection):
        value = convert(value, expression, connection)
    return value
