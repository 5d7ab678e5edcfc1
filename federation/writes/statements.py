"""``eng.execute``: INSERT … VALUES, INSERT … SELECT, UPDATE and DELETE on any source.

The rows a statement writes are computed by the read engine, so every expression and
predicate has exactly the semantics of a query (DuckDB's): an INSERT's query runs as it
stands; UPDATE and DELETE read the affected rows' keys (and the new values) with
``SELECT <keys>, <SET expressions> FROM source.table WHERE <predicate>`` and the store then
writes by key, with every value bound. Statements run inside the thread's transaction, or
in one of their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pyarrow as pa

from federation.params import check_params
from federation.writes.rows import KEY, conform
from federation.writes.store import fql_name
from grammar import ast
from grammar import write_ast as w
from grammar.statements import parse_statement
from planner.errors import BindError, did_you_mean

if TYPE_CHECKING:
    from federation.writes.api import Writes
    from federation.writes.store import StoreWriter


def run_statement(eng: Writes, text: str, params: Mapping[str, object] | None) -> int:
    if not isinstance(text, str):
        raise BindError("a statement is a string of FQL")
    statement = parse_statement(text)
    values = check_params(params)
    writer, table = eng._target(str(statement.target))
    with eng._joined() as txn:  # its reads see no cache: the keys are read afresh
        if isinstance(statement, w.Insert):
            rows = _insert_rows(eng, statement, writer, table, values)
            ops = writer.insert_ops(table, rows) if rows.num_rows else []
            return txn.write(writer, ops, text) if ops else 0
        found = eng.query(_key_query(statement, writer, table), values).arrow()  # type: ignore[attr-defined]
        if found.num_rows == 0:
            return 0
        keys = writer.keys(table)
        if isinstance(statement, w.Delete):
            txn.write(writer, writer.delete_ops(table, keys, _renamed(found, keys)), text)
            return found.num_rows
        assigned = tuple(c for c, _ in statement.assignments)
        rows = _updated_rows(found, writer, table, keys, assigned, str(statement.target))
        txn.write(writer, writer.update_ops(table, keys, rows, assigned), text)
        return found.num_rows


def _insert_rows(eng: Writes, statement: w.Insert, writer: StoreWriter, table: str,
                 values: dict[str, object]) -> pa.Table:
    columns = writer.columns(table)
    names = statement.columns or tuple(columns)
    target = str(statement.target)
    if statement.query:
        result = eng.query(statement.query, values).arrow()  # type: ignore[attr-defined]
        if result.num_columns != len(names):
            raise BindError(f"INSERT INTO {target}: the query returns {result.num_columns} "
                            f"columns for {len(names)} target columns")
        return conform(result.rename_columns(list(names)), target, columns)
    for row in statement.rows:
        if len(row) != len(names):
            raise BindError(f"INSERT INTO {target}: a VALUES row has {len(row)} values for "
                            f"{len(names)} columns", line=row[0].line, column=row[0].column)
    data = {n: pa.array([_value(r[i], values) for r in statement.rows])
            for i, n in enumerate(names)}
    return conform(pa.table(data), target, columns)


def _value(item: ast.Literal | ast.Param, values: dict[str, object]) -> object:
    if isinstance(item, ast.Literal):
        return item.value
    if item.name not in values:
        raise BindError(f"parameter ${item.name} has no value", line=item.line,
                        column=item.column)
    return values[item.name]


def _key_query(statement: w.Update | w.Delete, writer: StoreWriter, table: str) -> str:
    """The rows a statement changes: their keys, the SET values and (for stores that
    rewrite whole rows) every other column; names are the catalog's, quoted."""
    columns = writer.columns(table)
    target = str(statement.target)
    items = [f"{fql_name(k)} AS {fql_name(k)}" for k in writer.keys(table)]
    if isinstance(statement, w.Update):
        for column, expr in statement.assignments:
            if column not in columns:
                raise BindError(f"UPDATE {target}: no column {column!r}; "
                                + did_you_mean(column, columns))
            items.append(f"({expr}) AS {fql_name('__set_' + column)}")
        if getattr(writer, "whole_rows", False):
            items += [f"{fql_name(c)} AS {fql_name('__old_' + c)}" for c in columns]
    where = f" WHERE {statement.where}" if statement.where else ""
    source = writer.relation(statement.target.source, table)
    return f"SELECT {', '.join(items)} FROM {source}{where}"


def _renamed(found: pa.Table, keys: tuple[str, ...]) -> pa.Table:
    return found.select(list(keys))


def _updated_rows(found: pa.Table, writer: StoreWriter, table: str, keys: tuple[str, ...],
                  assigned: tuple[str, ...], target: str) -> pa.Table:
    columns = writer.columns(table)
    data: dict[str, pa.ChunkedArray] = {KEY + k: found.column(k) for k in keys}
    if getattr(writer, "whole_rows", False):
        data |= {c: found.column("__old_" + c) for c in columns}
    new = conform(pa.table({c: found.column("__set_" + c) for c in assigned}), target, columns)
    data |= {c: new.column(c) for c in assigned}
    return pa.table(data)
