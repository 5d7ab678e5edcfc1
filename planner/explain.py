"""EXPLAIN text: the DuckDB stage as a tree, then each fragment with what was pushed into it.

The text is stable: no timings unless the plan was analyzed, no addresses, keys in plan order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.cte_plans import CteScan, With
from planner.expressions import BExpr
from planner.logical import (
    Aggregate,
    Distinct,
    Filter,
    FragmentInput,
    GraphMatch,
    Join,
    Limit,
    Output,
    Plan,
    Project,
    Scan,
    Sort,
    VectorSearch,
)
from planner.subquery_plans import node_exprs, subqueries


@dataclass(frozen=True)
class FragmentText:
    """What a source was asked to run: its kind, native text and bound parameters."""

    source: str
    kind: str
    native: str
    params: Sequence[object]
    rows: int | None = None
    seconds: float | None = None
    reused: bool = False  # read from the result cache, not run
    shared_from: int | None = None  # cut from that fragment's read, not run (shared_reads)


def expr_text(e: BExpr) -> str:
    """Compact, stable rendering of a bound expression: its FQL text
    (``planner.expressions.fql_call``), as in error messages."""
    return str(e)


def _line(node: Plan) -> str:
    if isinstance(node, Output):
        return "Output " + ", ".join(f"{n}={c.key}" for n, c in
                                     zip(node.names, node.columns, strict=True))
    if isinstance(node, Project):
        return "Project " + ", ".join(f"{c.key}={expr_text(e)}" for c, e in node.items)
    if isinstance(node, Filter):
        return "Filter " + expr_text(node.predicate)
    if isinstance(node, Join):
        cond = f" ON {expr_text(node.condition)}" if node.condition is not None else ""
        return f"Join {node.kind}{cond}"
    if isinstance(node, Aggregate):
        groups = ", ".join(expr_text(e) for _, e in node.groups)
        aggs = ", ".join(f"{c.key}={a}" for c, a in node.aggregates)
        return f"Aggregate by [{groups}] {aggs}".rstrip()
    if isinstance(node, Sort):
        return "Sort " + ", ".join(expr_text(k.expr) + (" DESC" if k.descending else "")
                                   for k in node.keys_)
    if isinstance(node, Limit):
        return f"Limit {node.limit} offset {node.offset}"
    if isinstance(node, Distinct):
        return "Distinct"
    if isinstance(node, With):  # its children: the statement, then each CTE in this order
        return "With " + ", ".join(name for name, _ in node.ctes)
    if isinstance(node, CteScan):
        return f"CteScan {node.name} -> " + ", ".join(c.key for c in node.columns)
    if isinstance(node, FragmentInput):
        return f"Fragment #{node.index} <- {node.source}: " + ", ".join(c.key for c in node.columns)
    if isinstance(node, Scan):
        tables = f"{node.tables[0].table} AS {node.tables[0].rel}"
        for t in node.tables[1:]:
            on = f" ON {expr_text(t.condition)}" if t.condition is not None else ""
            tables += f" {t.kind.upper()} JOIN {t.table} AS {t.rel}{on}"
        return f"Scan {node.source}: {tables} -> {', '.join(c.key for c in node.columns)}" \
            f"{_pushed(node.filters, node.limit)}{_extras(node)}"
    if isinstance(node, GraphMatch):
        nodes = ", ".join(f"({n.rel}:{n.label or ''})" for n in node.nodes)
        edges = ", ".join(f"{node.nodes[e.src].rel}-[{e.rel}:{e.label or ''}"
                          f"{'' if not e.variable_length else e.hops_text()}]"
                          f"-{node.nodes[e.dst].rel}" for e in node.edges)
        edges += "".join(f" optional({part.text()}"
                         f"{_pushed(part.conditions, None)})" for part in node.optional)
        return f"GraphMatch {node.source}: {nodes} {edges} -> " \
            f"{', '.join(c.key for c in node.columns)}{_pushed(node.filters, node.limit)}" \
            f"{_extras(node)}"
    if isinstance(node, VectorSearch):
        mode = " approximate" if node.approximate else ""
        k = "all" if node.k is None else node.k  # all: ranked in full (planner.prefilters)
        return f"VectorSearch {node.source}: {node.table} AS {node.rel} k={k}{mode} -> " \
            f"{', '.join(c.key for c in node.columns)}{_pushed(node.filters, None)}"
    line = getattr(node, "explain_line", None)  # i10-b: SetOp, Values, Window, DistinctOn
    return line() if line is not None else type(node).__name__


def _pushed(filters: tuple[BExpr, ...], limit: int | None) -> str:
    text = f" filters=[{', '.join(expr_text(f) for f in filters)}]" if filters else ""
    return text + (f" limit={limit}" if limit is not None else "")


def _extras(leaf: Scan | GraphMatch) -> str:
    """The GROUP BY and ORDER BY a source runs (shown after its filters and limit)."""
    text = ""
    if isinstance(leaf, Scan) and leaf.computed:
        text += " computed=[" + ", ".join(f"{c.key}={expr_text(e)}" for c, e in leaf.computed) \
            + "]"
    if leaf.aggregate is not None:
        groups = ", ".join(expr_text(e) for _, e in leaf.aggregate.groups)
        aggs = ", ".join(f"{c.key}={a}" for c, a in leaf.aggregate.aggregates)
        text += f" group_by=[{groups}] aggregates=[{aggs}]"
    if leaf.order:
        text += " order=[" + ", ".join(
            f"{expr_text(k.expr)} {'DESC' if k.descending else 'ASC'} NULLS "
            f"{'FIRST' if k.nulls_first else 'LAST'}" for k in leaf.order) + "]"
    return text


def plan_tree(plan: Plan, indent: int = 0) -> list[str]:
    """One line per node, children indented under their parent."""
    lines = ["  " * indent + _line(plan)]
    for sub in (s for e in node_exprs(plan) for s in subqueries(e)):
        lines.append("  " * (indent + 1) + f"Subquery {sub}")
        lines += plan_tree(sub.plan, indent + 2)
    for child in plan.children:
        lines += plan_tree(child, indent + 1)
    return lines


def _params_text(params: Sequence[object]) -> str:
    """Bound values as a list; long vectors are summarised so the text stays readable."""
    def show(value: object) -> str:
        if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
            return f"${value[0]}={show(value[1])}"  # a named parameter
        if isinstance(value, list | tuple) and len(value) > 8:
            return f"<vector of {len(value)}>"
        return repr(value)

    return "[" + ", ".join(show(p) for p in params) + "]"


def explain_text(stage: Plan, fragments: Mapping[int, FragmentText],
                 stage_sql: str | None = None, analyzed: bool = False) -> str:
    """The whole EXPLAIN: DuckDB stage tree (and its SQL), then every fragment."""
    out = ["== DuckDB stage (what no source could do) ==", *plan_tree(stage)]
    if stage_sql is not None and stage_sql.startswith("Arrow:"):  # see federation.arrow_stage
        out.append(f"-- no DuckDB: {stage_sql}")
    elif stage_sql is not None:
        out += ["-- DuckDB SQL:", stage_sql]
    for index in sorted(fragments):
        frag = fragments[index]
        out.append(f"== Fragment #{index} on {frag.source} ({frag.kind}) ==")
        out.append(frag.native)
        out.append(f"-- params: {_params_text(frag.params)}")
        if frag.shared_from is not None:
            rows = f"-- rows: {frag.rows}  " if analyzed else "-- "
            out.append(f"{rows}shared: cut from the read of fragment #{frag.shared_from}, not run")
        elif frag.reused:
            out.append(f"-- rows: {frag.rows}  reused: read from the result cache, not run")
        elif analyzed and frag.seconds is not None:
            out.append(f"-- rows: {frag.rows}  time: {frag.seconds * 1000:.2f} ms")
    return "\n".join(out)
