"""Keyset conditions: the rows before a cursor in a descending order.

`RowsBefore(("created_at", "id"), (moment, pk))` is the SQL row comparison
`(created_at, id) < (moment, pk)`, which PostgreSQL answers as one range of
an index on those columns. The equivalent OR form (`created_at < moment OR
(created_at = moment AND id < pk)`) filters row by row instead; it is kept
only for databases without row values in Django's sense (SQLite).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import BooleanField, Expression, F, Value


class RowsBefore(Expression):
    """True for rows whose `fields` come before `values`, compared in order."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, fields: Sequence[str], values: Sequence[Any]) -> None:
        if not fields or len(fields) != len(values):
            raise ValueError("RowsBefore needs as many values as fields.")
        super().__init__()
        self.columns: list[Any] = [F(name) for name in fields]
        self.values: list[Any] = [Value(value) for value in values]

    def get_source_expressions(self) -> list[Any]:
        return [*self.columns, *self.values]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        half = len(exprs) // 2
        self.columns, self.values = list(exprs[:half]), list(exprs[half:])

    def as_sql(self, compiler, connection):
        columns = [compiler.compile(column) for column in self.columns]
        values = [compiler.compile(value) for value in self.values]
        if connection.features.supports_tuple_lookups:
            sql = "({}) < ({})".format(
                ", ".join(sql for sql, _params in columns),
                ", ".join(sql for sql, _params in values),
            )
            params = [p for _sql, ps in columns + values for p in ps]
            return sql, params
        return self._or_form(columns, values)

    @staticmethod
    def _or_form(columns, values):
        # (a, b, c) < (x, y, z)  ==  a < x OR (a = x AND (b, c) < (y, z))
        (col, col_params), (val, val_params) = columns[-1], values[-1]
        sql, params = f"{col} < {val}", [*col_params, *val_params]
        for (col, col_params), (val, val_params) in zip(
            reversed(columns[:-1]), reversed(values[:-1]), strict=True
        ):
            sql = f"({col} < {val} OR ({col} = {val} AND {sql}))"
            params = [
                *col_params,
                *val_params,
                *col_params,
                *val_params,
                *params,
            ]
        return sql, params
