"""Plan nodes of window functions and DISTINCT ON (i10-b), evaluated in the DuckDB stage.

``Window`` computes its functions over its input and adds one column per function; it sits
after GROUP BY / HAVING and before the select list, as in SQL. ``DistinctOn`` keeps the first
row of each group of equal ``keys`` in ``order``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from planner.errors import PlanError
from planner.expressions import BExpr, ColumnRef, columns_of
from planner.functions import is_aggregate
from planner.logical import Plan, Schema, SortKey

BOUND_KINDS = ("unbounded_preceding", "preceding", "current_row", "following",
               "unbounded_following")
RANKING = frozenset({"row_number", "rank", "dense_rank", "percent_rank", "cume_dist"})
VALUE_FUNCTIONS = frozenset({"ntile", "lag", "lead", "first_value", "last_value", "nth_value"})
# the functions DuckDB lets skip NULLs (``lag(x IGNORE NULLS)``)
NULL_TREATING = frozenset({"lag", "lead", "first_value", "last_value", "nth_value"})
EXCLUSIONS = ("current row", "group", "ties", "no others")
AGGREGATES = frozenset({"count", "sum", "avg", "min", "max"})
WINDOW_FUNCTIONS = RANKING | VALUE_FUNCTIONS | AGGREGATES


@dataclass(frozen=True)
class FrameBound:
    kind: str
    offset: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in BOUND_KINDS:
            raise PlanError(f"unknown window frame bound {self.kind!r}")
        if (self.offset is not None) != (self.kind in ("preceding", "following")):
            raise PlanError("only n PRECEDING / n FOLLOWING frame bounds carry an offset")
        if self.offset is not None and not 0 <= self.offset < 2**63:
            raise PlanError("a window frame offset must be a non-negative integer")

    def sql(self) -> str:
        if self.offset is not None:
            return f"{int(self.offset)} {self.kind.upper()}"
        return self.kind.replace("_", " ").upper()


@dataclass(frozen=True)
class Frame:
    units: str  # rows, range, groups
    start: FrameBound
    end: FrameBound
    exclude: str | None = None  # one of EXCLUSIONS

    def __post_init__(self) -> None:
        if self.units not in ("rows", "range", "groups"):
            raise PlanError(f"unknown window frame unit {self.units!r}")
        if self.exclude is not None and self.exclude not in EXCLUSIONS:
            raise PlanError(f"unknown window frame exclusion {self.exclude!r}")
        if BOUND_KINDS.index(self.start.kind) > BOUND_KINDS.index(self.end.kind):
            raise PlanError("a window frame cannot end before it starts")

    def sql(self) -> str:
        text = f"{self.units.upper()} BETWEEN {self.start.sql()} AND {self.end.sql()}"
        return text if self.exclude is None else f"{text} EXCLUDE {self.exclude.upper()}"


@dataclass(frozen=True)
class WindowFunc:
    """``name(args) OVER (PARTITION BY partition ORDER BY order frame)``."""

    name: str
    args: tuple[BExpr, ...]
    partition: tuple[BExpr, ...]
    order: tuple[SortKey, ...]
    frame: Frame | None
    type: pa.DataType
    ignore_nulls: bool = False

    def __post_init__(self) -> None:
        if self.name not in WINDOW_FUNCTIONS and not is_aggregate(self.name):
            raise PlanError(f"unknown window function {self.name!r}")
        if self.ignore_nulls and self.name not in NULL_TREATING:
            raise PlanError(f"{self.name}() cannot ignore NULLs")

    def exprs(self) -> tuple[BExpr, ...]:
        return self.args + self.partition + tuple(k.expr for k in self.order)

    def __str__(self) -> str:
        parts = []
        if self.partition:
            parts.append("PARTITION BY " + ", ".join(str(p) for p in self.partition))
        if self.order:
            parts.append("ORDER BY " + ", ".join(_key_text(k) for k in self.order))
        if self.frame is not None:
            parts.append(self.frame.sql())
        args = ", ".join(str(a) for a in self.args) or ("*" if self.name == "count" else "")
        nulls = " IGNORE NULLS" if self.ignore_nulls else ""
        return f"{self.name}({args}{nulls}) OVER ({' '.join(parts)})"


def _key_text(key: SortKey) -> str:
    nulls = "" if key.nulls_first is None else (
        " NULLS FIRST" if key.nulls_first else " NULLS LAST")
    return f"{key.expr}{' DESC' if key.descending else ''}{nulls}"


@dataclass(frozen=True)
class Window(Plan):
    child: Plan
    items: tuple[tuple[ColumnRef, WindowFunc], ...]

    def __post_init__(self) -> None:
        for out, func in self.items:
            missing = set().union(*(columns_of(e) for e in func.exprs())) - self.child.keys
            if missing:
                raise PlanError(f"Window reads {sorted(missing)} not produced by its input")
            if out.key in self.child.keys:
                raise PlanError("Window output reuses an input column key")

    @property
    def schema(self) -> Schema:
        return self.child.schema + tuple(c for c, _ in self.items)

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child,)

    def _rebuild(self, children: tuple[Plan, ...]) -> Plan:
        return Window(children[0], self.items)

    def child_requirements(self, wanted: set[str]) -> tuple[set[str], ...]:
        """Input columns needed to produce ``wanted`` (projection pushdown)."""
        needed = {k for k in wanted if k in self.child.keys}
        for _, func in self.items:
            needed |= set().union(*(columns_of(e) for e in func.exprs()))
        return (needed,)

    def explain_line(self) -> str:
        return "Window " + ", ".join(f"{c.key}={f}" for c, f in self.items)


@dataclass(frozen=True)
class DistinctOn(Plan):
    """The first row (in ``order``) of each group of rows with equal ``keys``."""

    child: Plan
    keys_: tuple[BExpr, ...]
    order: tuple[SortKey, ...] = ()

    def __post_init__(self) -> None:
        read = set().union(*(columns_of(e) for e in self.exprs()))
        if not self.keys_ or read - self.child.keys:
            raise PlanError("DISTINCT ON reads columns its input does not produce")

    def exprs(self) -> tuple[BExpr, ...]:
        return self.keys_ + tuple(k.expr for k in self.order)

    @property
    def schema(self) -> Schema:
        return self.child.schema

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child,)

    def _rebuild(self, children: tuple[Plan, ...]) -> Plan:
        return DistinctOn(children[0], self.keys_, self.order)

    def child_requirements(self, wanted: set[str]) -> tuple[set[str], ...]:
        return (wanted | set().union(*(columns_of(e) for e in self.exprs())),)

    def explain_line(self) -> str:
        return "DistinctOn " + ", ".join(str(k) for k in self.keys_)
