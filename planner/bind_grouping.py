"""GROUP BY: the aggregates of one SELECT, and expressions rewritten over the Aggregate's
output (a column outside GROUP BY and outside an aggregate is refused, as in SQL)."""

from __future__ import annotations

from planner.errors import BindError
from planner.expressions import AggCall, BExpr, ColumnRef, has_aggregate, transform
from planner.logical import Aggregate, Plan


class Grouping:
    """Collects the aggregates of one SELECT and rewrites expressions over its output."""

    def __init__(self, rel: str, groups: list[BExpr], window_rel: str = "") -> None:
        if any(has_aggregate(g) for g in groups):
            raise BindError("aggregates are not allowed in GROUP BY")
        self.rel = rel
        self.window_rel = window_rel  # i10-b: window outputs are computed after grouping
        self.groups = tuple((ColumnRef(rel, f"g{i}", g.type), g) for i, g in enumerate(groups))
        self.by_expr = {g: c for c, g in self.groups}
        self.calls: dict[AggCall, ColumnRef] = {}

    def rewrite(self, expr: BExpr, clause: str) -> BExpr:
        def swap(e: BExpr) -> BExpr | None:
            if isinstance(e, AggCall):
                if e not in self.calls:
                    self.calls[e] = ColumnRef(self.rel, f"a{len(self.calls)}", e.type)
                return self.calls[e]
            if e in self.by_expr:
                return self.by_expr[e]
            if isinstance(e, ColumnRef) and e.rel == self.window_rel:
                return e
            if isinstance(e, ColumnRef) and e.rel != self.rel:
                raise BindError(f"column {e.name!r} in {clause} must appear in GROUP BY "
                                "or be used in an aggregate function")
            return None

        return transform(expr, swap)

    def aggregate(self, child: Plan) -> Aggregate:
        return Aggregate(child, self.groups, tuple((c, a) for a, c in self.calls.items()))
