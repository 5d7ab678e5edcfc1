"""DuckDB text of the stage nodes added in issue 10 by helper B (set operations, VALUES,
window functions, DISTINCT ON), dispatched on the node type; ``StageCompiler`` hands every
node it does not know itself to ``render_node``.

Like every stage node, each renders as one SELECT whose columns are named by their plan-wide
unique keys; values in VALUES rows are bound parameters, never text.
"""

from __future__ import annotations

from functools import singledispatch
from typing import TYPE_CHECKING

from federation.sqlgen import quote
from planner.logical import Plan, SortKey
from planner.set_ops import SetOp, Values
from planner.windows import DistinctOn, Window, WindowFunc

if TYPE_CHECKING:
    from federation.join_stage import StageCompiler

_SET_SQL = {"union": "UNION", "intersect": "INTERSECT", "except": "EXCEPT"}


@singledispatch
def render_node(node: Plan, compiler: StageCompiler) -> str:
    raise TypeError(f"the DuckDB stage cannot run {type(node).__name__}")


def _render(compiler: StageCompiler, node: Plan) -> str:
    return render_node(node, compiler)


@render_node.register(SetOp)
def _set_op(node: SetOp, compiler: StageCompiler) -> str:
    left = ", ".join(f"{quote(b.key)} AS {quote(o.key)}"
                     for b, o in zip(node.left_columns, node.columns, strict=True))
    right = ", ".join(quote(b.key) for b in node.right_columns)
    op = _SET_SQL[node.op] + (" ALL" if node.all else "")
    # each branch is a parenthesised subquery, so the statement holds one operator and
    # needs no precedence of its own
    return (f"SELECT {left} FROM ({compiler.node_sql(node.left)}) AS _l {op} "
            f"SELECT {right} FROM ({compiler.node_sql(node.right)}) AS _r")


@render_node.register(Values)
def _values(node: Values, compiler: StageCompiler) -> str:
    rows = ", ".join("(" + ", ".join(compiler.expr_sql(e) for e in row) + ")"
                     for row in node.rows)
    names = ", ".join(quote(c.key) for c in node.columns)
    return f"SELECT * FROM (VALUES {rows}) AS _v({names})"


@render_node.register(Window)
def _window(node: Window, compiler: StageCompiler) -> str:
    items = ", ".join(f"{_window_func(compiler, f)} AS {quote(c.key)}" for c, f in node.items)
    return f"SELECT *, {items} FROM ({compiler.node_sql(node.child)}) AS _t"


def _window_func(compiler: StageCompiler, func: WindowFunc) -> str:
    args = ", ".join(compiler.expr_sql(a) for a in func.args)
    if func.name == "count" and not func.args:
        args = "*"
    if func.ignore_nulls:
        args += " IGNORE NULLS"
    spec = []
    if func.partition:
        spec.append("PARTITION BY " + ", ".join(compiler.expr_sql(p) for p in func.partition))
    if func.order:
        spec.append("ORDER BY " + ", ".join(_sort_key(compiler, k) for k in func.order))
    if func.frame is not None:
        spec.append(func.frame.sql())
    return f"{func.name}({args}) OVER ({' '.join(spec)})"


def _sort_key(compiler: StageCompiler, key: SortKey) -> str:
    return compiler.writer.sort_key(key.expr, key.descending, key.nulls_first)


@render_node.register(DistinctOn)
def _distinct_on(node: DistinctOn, compiler: StageCompiler) -> str:
    keys = ", ".join(compiler.expr_sql(k) for k in node.keys_)
    sql = f"SELECT DISTINCT ON ({keys}) * FROM ({compiler.node_sql(node.child)}) AS _t"
    if node.order:
        sql += " ORDER BY " + ", ".join(_sort_key(compiler, k) for k in node.order)
    return sql
