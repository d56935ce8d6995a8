"""Small vectorised helpers over Arrow tables for the gold builders (group, join, fill, windows)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

MONEY_OUT = pa.decimal128(18, 2)


def empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


def aggregate(table: pa.Table, keys: Sequence[str], specs: dict[str, tuple[str, str]]) -> pa.Table:
    """``specs``: output name → (input column, Arrow hash aggregate: sum, mean, min, max, count,
    count_distinct, count_all). Returns keys + outputs."""
    requests: list[tuple[Any, ...]] = []
    names: list[str] = []
    for column, function in specs.values():
        if function == "count_all":
            requests.append(([], "count_all"))
            names.append("count_all")
        else:
            requests.append((column, function))
            names.append(f"{column}_{function}")
    grouped = table.group_by(list(keys), use_threads=True).aggregate(requests)
    arrays = {key: grouped.column(key) for key in keys}
    for name, output in zip(names, specs, strict=True):
        arrays[output] = grouped.column(name)
    return pa.table(arrays)


def left_join(left: pa.Table, right: pa.Table, keys: Sequence[str]) -> pa.Table:
    if right.num_rows == 0:
        extra = [field for field in right.schema if field.name not in keys]
        for field in extra:
            left = left.append_column(field, pa.nulls(left.num_rows, field.type))
        return left
    return left.join(right, keys=list(keys), join_type="left outer", use_threads=True)


def fill_zero(table: pa.Table, columns: Sequence[str]) -> pa.Table:
    for name in columns:
        index = table.schema.get_field_index(name)
        column = table.column(name)
        table = table.set_column(index, name, pc.fill_null(column, pa.scalar(0, column.type)))
    return table


def cast(table: pa.Table, name: str, arrow_type: pa.DataType) -> pa.Table:
    index = table.schema.get_field_index(name)
    return table.set_column(index, name, pc.cast(table.column(name), arrow_type))


def ratio(numerator: pa.ChunkedArray, denominator: pa.ChunkedArray, digits: int = 4) -> pa.Array:
    """numerator / denominator as float, null where the denominator is 0 or null."""
    num = pc.cast(numerator, pa.float64())
    den = pc.cast(denominator, pa.float64())
    safe = pc.if_else(pc.equal(den, 0.0), pa.scalar(None, pa.float64()), den)
    return pc.round(pc.divide(num, safe), digits)


def day_start(day: date) -> datetime:
    from datetime import UTC

    return datetime.combine(day, time.min, tzinfo=UTC)


def day_end(day: date) -> datetime:
    return day_start(day + timedelta(days=1))


def filter_between(table: pa.Table, column: str, start: datetime, end: datetime) -> pa.Table:
    """Rows with ``start <= column < end``."""
    values = table.column(column)
    mask = pc.and_(
        pc.greater_equal(values, pa.scalar(start, values.type)), pc.less(values, pa.scalar(end, values.type))
    )
    return table.filter(mask)


def concat(tables: list[pa.Table]) -> pa.Table:
    tables = [table for table in tables if table is not None]
    return pa.concat_tables(tables, promote_options="permissive") if tables else pa.table({})
