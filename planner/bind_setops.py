"""Binding of set operations, VALUES and SELECT without FROM (i10-b).

``a UNION b`` binds each branch on its own (each is a whole query with its own scope), checks
that they give as many columns as each other and types that combine, and names the result's
columns after the first branch, as DuckDB does. The ORDER BY and LIMIT written after the last
branch apply to the whole result and may name its columns or their positions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa

from grammar import ast, ast_relations
from planner.bind_context import BindContext, Bound, BoundRelation
from planner.bind_derived import output_names
from planner.bind_scope import RelBinding, Scope
from planner.errors import BindError
from planner.expressions import ColumnRef, Const, columns_of
from planner.logical import Limit, Plan, Sort, SortKey
from planner.set_ops import SetOp, Values
from planner.types import duckdb_name, family

if TYPE_CHECKING:
    from planner.binder import Binder

VALUES_ALIAS = "valueslist"  # DuckDB's name for the relation of a bare VALUES


def bind_set_operation(binder: Binder, q: ast.SetOperation, outer: Scope | None) -> Bound:
    """``outer``: the scope around the set operation when it is a subquery (each branch may
    read its columns)."""
    left, right = binder.bind_query(q.left, outer), binder.bind_query(q.right, outer)
    what = q.op.upper() + (" ALL" if q.all else "")
    if len(left.columns) != len(right.columns):
        raise BindError(f"the branches of {what} give {len(left.columns)} and "
                        f"{len(right.columns)} columns; each branch must give as many",
                        line=q.line, column=q.column)
    rel = binder.unique_rel("_set")
    names = output_names(left.names)
    outs = tuple(ColumnRef(rel, name, combined_type(a.type, b.type, i, what, q))
                 for i, (name, a, b) in enumerate(zip(names, left.columns, right.columns,
                                                      strict=True)))
    plan: Plan = SetOp(q.op, q.all, left.plan, right.plan, left.columns, right.columns, outs)
    keys = _order_keys(binder, q, outs)
    if keys:
        plan = Sort(plan, keys)
    if q.limit is not None or q.offset is not None:
        plan = Limit(plan, binder.count(q.limit), binder.count(q.offset) or 0)
    return Bound(plan, outs, left.names)


def combined_type(a: pa.DataType, b: pa.DataType, index: int, what: str,
                  node: ast.Node) -> pa.DataType:
    """The type of a result column from its two branch types (DuckDB decides the exact width;
    a NULL column takes the other's type). Text never mixes silently with another family."""
    fa, fb = family(a), family(b)
    if fa == "null" or a == b:
        return b if fa == "null" else a
    if fb == "null":
        return a
    if fa == fb == "int":
        return pa.int64()
    if fa in ("int", "decimal") and fb in ("int", "decimal"):
        scale = max(t.scale if pa.types.is_decimal(t) else 0 for t in (a, b))
        return pa.decimal128(38, scale)
    if {fa, fb} <= {"int", "decimal", "float"}:
        return pa.float64()
    if fa == fb:
        return a
    if {fa, fb} == {"date", "timestamp"}:
        return pa.timestamp("us")
    raise BindError(f"column {index + 1} of {what} is {duckdb_name(a)} in one branch and "
                    f"{duckdb_name(b)} in the other; CAST one of them", line=node.line,
                    column=node.column)


def _order_keys(binder: Binder, q: ast.SetOperation, outs: tuple[ColumnRef, ...]
                ) -> tuple[SortKey, ...]:
    """ORDER BY of the whole result: output names, positions, or expressions of them."""
    scope = Scope([RelBinding.of("", outs)])
    keys = []
    for item in q.order_by:
        expr = item.expr
        if isinstance(expr, ast.Literal) and isinstance(expr.value, int) \
                and not isinstance(expr.value, bool):
            if not 1 <= expr.value <= len(outs):
                raise BindError(f"ORDER BY position {expr.value} is not in the select list",
                                line=expr.line, column=expr.column)
            keys.append(SortKey(outs[expr.value - 1], item.descending, item.nulls_first))
            continue
        if isinstance(expr, ast.Column) and expr.rel is not None:
            raise BindError(f"ORDER BY after {q.op.upper()} takes the result's column names "
                            f"or positions, not {expr.rel}.{expr.name}", line=expr.line,
                            column=expr.column)
        bound = binder.exprs.bind(expr, scope)
        keys.append(SortKey(bound, item.descending, item.nulls_first))
    return tuple(keys)


def bind_no_from(binder: Binder) -> tuple[Plan, list[RelBinding]]:
    """SELECT without FROM reads one row of no visible columns."""
    one = ColumnRef(binder.unique_rel("_dual"), "_one", pa.int64())
    return Values((one,), ((Const(1, pa.int64()),),)), []


def bind_values(binder: BindContext, ref: ast_relations.ValuesRef, _outer: Scope | None
                ) -> BoundRelation:
    """``VALUES (…), (…)``: columns ``col0, col1, …`` typed from every row's values."""
    rows = tuple(tuple(binder.exprs.bind(e, Scope([])) for e in row) for row in ref.rows)
    for row, written in zip(rows, ref.rows, strict=True):
        for value, node in zip(row, written, strict=True):
            if columns_of(value):
                raise BindError("VALUES holds values, not columns", line=node.line,
                                column=node.column)
    rel = binder.unique_rel(VALUES_ALIAS)
    types = []
    for i in range(len(rows[0])):
        typ: pa.DataType = pa.null()
        for row in rows:
            typ = combined_type(typ, row[i].type, i, "VALUES", ref)
        types.append(typ)
    columns = tuple(ColumnRef(rel, f"col{i}", t) for i, t in enumerate(types))
    return Values(columns, rows), [RelBinding.of(VALUES_ALIAS, columns)]
