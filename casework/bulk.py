"""Inserting many rows at once through the driver's own executemany.

The ORM and Core spend most of a large import converting each value through each column's
type. Here the conversion is decided once per column and applied in a tight loop, giving the
same stored values as SQLAlchemy would (checked by tests that read the rows back through the
models), at a fraction of the cost. Used by imports only; everything else uses the ORM.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from itertools import repeat
from typing import Any, NamedTuple

import sqlalchemy as sa

from casework.db import UTCDateTime


@lru_cache(maxsize=65536)
def _sqlite_moment(value: datetime | None):
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _date(value: date | None):
    return None if value is None else value.isoformat()


def _json(value):
    if value is None:
        return None
    return json.dumps(value) if value else ("[]" if isinstance(value, list) else "{}")


def _converter(column: sa.Column, dialect: str) -> Callable | None:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return (
            _sqlite_moment
            if dialect == "sqlite"
            else (lambda v: None if v is None else v.astimezone(UTC))
        )
    if isinstance(kind, sa.JSON):
        return _json
    if isinstance(kind, sa.Date) and dialect == "sqlite":
        return _date
    # Booleans need nothing: sqlite3 stores Python's True and False as 1 and 0 itself.
    return None


class Same(NamedTuple):
    """A value every inserted row shares (a batch's received time, a new row's status)."""

    value: Any


def bulk_insert(session, table: sa.Table, columns: dict[str, list | Same]) -> None:
    """Insert rows into ``table`` in this transaction, given column by column.

    ``columns`` maps a column name to its values, one per row, or to ``Same(value)`` for a
    value every row shares; columns not named get their database default. Working by column
    lets each column's conversion run as one tight loop and the rows be assembled by ``zip``.
    """
    lengths = {len(values) for values in columns.values() if not isinstance(values, Same)}
    if len(lengths) != 1:
        raise ValueError(f"columns for {table.name} differ in length: {sorted(lengths)}")
    count = lengths.pop()
    if not count:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    names = [c.name for c in table.columns if c.name in columns]
    if len(names) != len(columns):
        raise ValueError(f"{table.name} has no column(s) {sorted(set(columns) - set(names))}")
    prepared = []
    for name in names:
        convert = _converter(table.c[name], dialect)
        values = columns[name]
        if isinstance(values, Same):
            prepared.append(repeat(convert(values.value) if convert else values.value, count))
        else:
            prepared.append([convert(v) for v in values] if convert else values)
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join([marker] * len(names))})"
    )
    connection.exec_driver_sql(statement, list(zip(*prepared, strict=True)))


def bulk_update(session, table: sa.Table, rows: list[dict], *, key: str = "id") -> None:
    """Update many rows of ``table`` by ``key`` through the driver's executemany; each dict
    in ``rows`` names the same columns. Values are converted as :func:`bulk_insert` does."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    names = [name for name in rows[0] if name != key]
    converters = [_converter(table.c[name], dialect) for name in [*names, key]]
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"UPDATE {table.name} SET {', '.join(f'{n} = {marker}' for n in names)} "
        f"WHERE {key} = {marker}"
    )
    params = [
        tuple(
            convert(value) if convert else value
            for convert, value in zip(converters, [*(row[n] for n in names), row[key]], strict=True)
        )
        for row in rows
    ]
    connection.exec_driver_sql(statement, params)
