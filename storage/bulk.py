"""Many rows of one table written straight through the driver.

A timer pass writes thousands of rows in one transaction, and every update a few; through
SQLAlchemy each value costs a bind-parameter lookup and a type's processing (a datetime's
conversion to text on SQLite), which cost more than the insert itself. Here the column types'
own processors are looked up once per dialect and applied in one loop, with a UTC datetime's
conversion done by :func:`storage.types.stored_datetime`, so the stored values are the ones an
INSERT through SQLAlchemy would have stored. Columns the caller leaves out get their model
default, as SQLAlchemy would fill them in.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from typing import Any, Final

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect

from storage.types import UtcDateTime, stored_datetime

Processor = Callable[[Any], Any]
PAGE: Final = 1000  # rows per multi-row INSERT; 1000 × ≤ 30 columns stays under both caps


class BulkInsert:
    """``BulkInsert(table, ("a", "b")).write(connection, [(1, 2), (3, 4)])``.

    With *returning* (and an *on_conflict_do_nothing* target, optional), rows go as multi-row
    VALUES, :data:`PAGE` at a time, and the returned columns of the rows inserted come back
    (in no particular order); without, as one executemany.
    """

    def __init__(self, table: Table, columns: Sequence[str], *,
                 on_conflict_do_nothing: Sequence[str] = (), returning: Sequence[str] = ()
                 ) -> None:
        self.table = table
        self.columns = tuple(columns)
        self.defaulted = tuple(
            column for column in table.c if column.name not in self.columns
            and column.default is not None)
        for column in self.defaulted:
            if not column.default.is_scalar:  # type: ignore[union-attr]
                raise ValueError(f"{table.name}.{column.name}: its default is computed per "
                                 "row; give the column a value")
        self.conflict = tuple(on_conflict_do_nothing)
        self.returning = tuple(returning)

    def write(self, connection: Connection, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """Insert *rows* (values in the order of ``columns``); the RETURNING rows, if any."""
        if not rows:
            return []
        dialect = connection.dialect
        processors, defaults = self._prepared(dialect)
        # Column by column: each type's processor mapped over its values.
        processed = [list(map(process, values)) for process, values
                     in zip(processors, zip(*rows, strict=True), strict=True)]
        records = [(*row, *defaults) for row in zip(*processed, strict=True)]
        if not self.returning:
            connection.exec_driver_sql(self._statement(dialect.paramstyle, 1), records)
            return []
        returned: list[Any] = []
        for start in range(0, len(records), PAGE):
            page = records[start:start + PAGE]
            returned += connection.exec_driver_sql(self._statement(dialect.paramstyle, len(page)),
                                                   tuple(itertools.chain.from_iterable(page)))
        return returned

    @functools.cache  # noqa: B019 (a handful of statements, built once for the process)
    def _prepared(self, dialect: Dialect) -> tuple[tuple[Processor, ...], tuple[Any, ...]]:
        processors = tuple(self._processor(self.table.c[name], dialect)
                           for name in self.columns)
        defaults = tuple(self._processor(column, dialect)(
            column.default.arg)  # type: ignore[union-attr]
            for column in self.defaulted)
        return processors, defaults

    @staticmethod
    def _processor(column: Any, dialect: Dialect) -> Processor:
        if isinstance(column.type, UtcDateTime):
            return _none_kept(stored_datetime(dialect.name))
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        return process if process is not None else _unchanged

    @functools.cache  # noqa: B019
    def _statement(self, paramstyle: str, rows: int) -> str:
        mark = "?" if paramstyle == "qmark" else "%s"
        names = (*self.columns, *(column.name for column in self.defaulted))
        row = "(" + ", ".join([mark] * len(names)) + ")"
        statement = (f"INSERT INTO {self.table.name} ({', '.join(names)}) "
                     f"VALUES {', '.join([row] * rows)}")
        if self.conflict:
            statement += f" ON CONFLICT ({', '.join(self.conflict)}) DO NOTHING"
        if self.returning:
            statement += f" RETURNING {', '.join(self.returning)}"
        return statement


def _unchanged(value: Any) -> Any:
    return value


def _none_kept(process: Processor) -> Processor:
    def kept(value: Any) -> Any:
        return None if value is None else process(value)
    return kept
