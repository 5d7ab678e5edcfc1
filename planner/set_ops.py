"""Plan nodes of set operations and literal rows (i10-b): ``SetOp`` (UNION / INTERSECT /
EXCEPT [ALL] of two inputs, positionally) and ``Values`` (rows written in the query, or the
one empty row a SELECT without FROM reads). Both run in the DuckDB stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.errors import PlanError
from planner.expressions import BExpr, columns_of
from planner.logical import Plan, Schema

SET_OPS = frozenset({"union", "intersect", "except"})


@dataclass(frozen=True)
class SetOp(Plan):
    """``left op [ALL] right``: row ``i`` of the result is built from ``left_columns`` (or
    ``right_columns``) of a branch row, under the new keys ``columns``."""

    op: str
    all: bool
    left: Plan
    right: Plan
    left_columns: Schema
    right_columns: Schema
    columns: Schema

    def __post_init__(self) -> None:
        if self.op not in SET_OPS:
            raise PlanError(f"unknown set operation {self.op!r}")
        if not len(self.columns) == len(self.left_columns) == len(self.right_columns):
            raise PlanError("set operation branches have different numbers of columns")
        for side, cols in ((self.left, self.left_columns), (self.right, self.right_columns)):
            if any(c.key not in side.keys for c in cols):
                raise PlanError("set operation reads a column its branch does not produce")
        if {c.key for c in self.columns} & (self.left.keys | self.right.keys):
            raise PlanError("set operation outputs reuse a branch column key")

    @property
    def schema(self) -> Schema:
        return self.columns

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.left, self.right)

    def _rebuild(self, children: tuple[Plan, ...]) -> Plan:
        return SetOp(self.op, self.all, children[0], children[1], self.left_columns,
                     self.right_columns, self.columns)

    def child_requirements(self, wanted: set[str]) -> tuple[set[str], ...]:
        """Every branch column: each takes part in the comparison of rows (projection
        pushdown)."""
        return {c.key for c in self.left_columns}, {c.key for c in self.right_columns}

    def explain_line(self) -> str:
        return f"SetOp {self.op.upper()}{' ALL' if self.all else ''} -> " \
            + ", ".join(c.key for c in self.columns)


@dataclass(frozen=True)
class Values(Plan):
    """Rows of values (constants and parameters) written in the query."""

    columns: Schema
    rows: tuple[tuple[BExpr, ...], ...]

    def __post_init__(self) -> None:
        if not self.rows or not self.columns:
            raise PlanError("VALUES needs at least one row and one column")
        if any(len(r) != len(self.columns) for r in self.rows):
            raise PlanError("every VALUES row must have one value per column")
        if any(columns_of(e) for r in self.rows for e in r):
            raise PlanError("VALUES rows cannot read columns")

    @property
    def schema(self) -> Schema:
        return self.columns

    def explain_line(self) -> str:
        return f"Values {len(self.rows)} row(s) -> " + ", ".join(c.key for c in self.columns)
