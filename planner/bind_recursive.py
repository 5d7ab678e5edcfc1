"""WITH RECURSIVE: a CTE written ``anchor UNION [ALL] step`` whose step reads the CTE itself.

The anchor is bound first; the CTE's columns are typed from it (as DuckDB types them) and are
in scope under the CTE's name while the step is bound, so the step reads the rows of the
previous round through a ``CteScan``. The result is one ``SetOp`` under the CTE's ``Output``,
which the DuckDB stage renders as ``WITH RECURSIVE name AS (anchor UNION [ALL] step)``: the
recursion always runs in DuckDB, over fragments that read the sources once.
"""

from __future__ import annotations

from grammar import ast, ast_relations
from planner.bind_context import BindContext, Bound
from planner.bind_scope import Scope
from planner.bind_setops import combined_type
from planner.errors import BindError
from planner.expressions import ColumnRef
from planner.logical import Output
from planner.set_ops import SetOp


def reads_itself(cte: ast.Cte) -> bool:
    """Whether the query of ``cte`` names ``cte`` (a relation of its own name anywhere)."""
    return _names(cte.query, cte.name.lower())


def _names(node: object, name: str) -> bool:
    if isinstance(node, ast_relations.NamedRef):
        return node.name.lower() == name
    if isinstance(node, tuple):
        return any(_names(n, name) for n in node)
    if isinstance(node, ast.Node):
        return any(_names(getattr(node, f), name) for f in node.__dataclass_fields__)
    return False


def recursive_parts(cte: ast.Cte) -> ast.SetOperation:
    """The ``anchor UNION [ALL] step`` of ``cte``, refusing other shapes by name."""
    q = cte.query
    if not isinstance(q, ast.SetOperation) or q.op != "union":
        raise BindError(f"recursive CTE {cte.name!r} must be written anchor UNION [ALL] step",
                        line=cte.line, column=cte.column)
    if q.order_by or q.limit is not None or q.offset is not None or q.ctes:
        raise BindError(f"recursive CTE {cte.name!r} cannot have ORDER BY, LIMIT or WITH of "
                        "its own", line=q.line, column=q.column)
    if _names(q.left, cte.name.lower()):
        raise BindError(f"the anchor (first branch) of recursive CTE {cte.name!r} cannot "
                        "read the CTE itself", line=q.left.line, column=q.left.column)
    return q


def anchor_columns(ctx: BindContext, anchor: Bound) -> tuple[ColumnRef, ...]:
    """The CTE's output columns: the anchor's types under a relation of their own."""
    rel = ctx.unique_rel("_rec")
    return tuple(ColumnRef(rel, f"c{i}", col.type) for i, col in enumerate(anchor.columns))


def recursive_plan(ctx: BindContext, q: ast.SetOperation, outer: Scope | None,
                   anchor: Bound, outs: tuple[ColumnRef, ...]) -> Output:
    """The step bound (the CTE already in scope) and the CTE's plan."""
    step = ctx.bind_query(q.right, outer)
    what = "the recursive CTE's UNION" + (" ALL" if q.all else "")
    if len(step.columns) != len(outs):
        raise BindError(f"the anchor of a recursive CTE gives {len(outs)} columns and its "
                        f"step {len(step.columns)}; each must give as many", line=q.line,
                        column=q.column)
    for i, (out, col) in enumerate(zip(outs, step.columns, strict=True)):
        combined_type(out.type, col.type, i, what, q)  # refuses types that do not combine
    plan = SetOp("union", q.all, anchor.plan, step.plan, anchor.columns, step.columns, outs)
    return Output(plan, outs, tuple(c.key for c in outs))
