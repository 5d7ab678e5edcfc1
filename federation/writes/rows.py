"""Rows to write: any accepted input as one Arrow table, checked and cast against the target's
schema before anything is written (an unknown column or a value that does not fit its
column's type is refused whole)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from planner.errors import BindError, did_you_mean

ENDPOINTS = ("_from", "_to")  # rel rows name their endpoints' primary keys so
KEY = "__key_"  # an update's rows: the old key values, under this prefix (keys may be SET)


def to_arrow(rows: Any, columns: Mapping[str, pa.DataType]) -> pa.Table:
    """A pyarrow Table or RecordBatchReader, a pandas or Polars DataFrame, or a list of dicts
    (typed as ``columns``) as one Arrow table (anything with ``__arrow_c_stream__`` too)."""
    if isinstance(rows, pa.Table):
        return rows
    if isinstance(rows, pa.RecordBatchReader):
        return rows.read_all()
    if isinstance(rows, pa.RecordBatch):
        return pa.Table.from_batches([rows])
    if isinstance(rows, list | tuple):
        if not all(isinstance(r, Mapping) for r in rows):
            raise BindError("rows to insert are a list of dicts (column → value)")
        return _from_dicts(list(rows), columns)
    module = type(rows).__module__.split(".")[0]
    if module == "pandas":
        return pa.Table.from_pandas(rows, preserve_index=False)
    if module == "polars":
        return rows.to_arrow()
    if hasattr(rows, "__arrow_c_stream__"):
        return pa.table(rows)
    raise BindError("insert() takes a pyarrow Table or RecordBatchReader, a pandas or Polars "
                    f"DataFrame, or a list of dicts, not {type(rows).__name__}")


def _from_dicts(rows: list[Mapping[str, Any]], columns: Mapping[str, pa.DataType]
                ) -> pa.Table:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    data = {}
    for name in names:
        values = [row.get(name) for row in rows]
        try:  # an unknown column is refused by conform(), by name
            data[name] = pa.array(values, type=columns.get(name))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError) as err:
            raise BindError(f"column {name!r}: a value does not fit the column's type "
                            f"{columns.get(name)}: {err}") from None
    return pa.table(data) if data else pa.table({})


def conform(table: pa.Table, target: str, columns: Mapping[str, pa.DataType]) -> pa.Table:
    """``table`` with each column cast to the target column's type (safe casts only: no
    overflow, no truncation); unknown or repeated columns are refused by name."""
    if len(set(table.column_names)) != len(table.column_names):
        raise BindError(f"insert into {target}: a column is given twice")
    cast = []
    for name in table.column_names:
        wanted = columns.get(name)
        if wanted is None:
            raise BindError(f"insert into {target}: no column {name!r}; "
                            + did_you_mean(name, columns))
        cast.append(cast_column(table.column(name), wanted, f"{target}.{name}"))
    return pa.table(cast, names=table.column_names) if cast else table


def cast_column(values: pa.ChunkedArray | pa.Array, wanted: pa.DataType, where: str
                ) -> pa.ChunkedArray | pa.Array:
    if values.type == wanted:
        return values
    if pa.types.is_fixed_size_list(wanted) and pa.types.is_list(values.type):
        _check_lengths(values, wanted.list_size, where)
    try:
        return values.cast(wanted, safe=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:
        raise BindError(f"{where}: a value of type {values.type} does not fit the column's "
                        f"type {wanted}: {err}") from None


def _check_lengths(values: pa.ChunkedArray | pa.Array, size: int, where: str) -> None:
    import pyarrow.compute as pc

    lengths = pc.list_value_length(values)
    wrong = pc.any(pc.not_equal(lengths, size)).as_py()
    if wrong:
        raise BindError(f"{where}: every vector must have {size} values")
