"""The work a source leaf (``Scan``, ``GraphMatch``) runs beyond filters and a projection: a
pushed GROUP BY, and the check that a pushed order or aggregate reads only the leaf's own
tables. The pushdown rules build it and the sources' writers read it; the plan nodes only
carry it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from planner.errors import PlanError
from planner.expressions import AggCall, BExpr, ColumnRef, columns_of

if TYPE_CHECKING:  # the leaves that run this work are defined in planner.logical
    from planner.logical import Schema, SortKey


@dataclass(frozen=True)
class PushedAggregate:
    """A GROUP BY a source runs itself: its output columns are the groups, then the
    aggregates, typed exactly as the ``Aggregate`` it replaced declared them."""

    groups: tuple[tuple[ColumnRef, BExpr], ...]
    aggregates: tuple[tuple[ColumnRef, AggCall], ...]

    @property
    def schema(self) -> Schema:
        return tuple(c for c, _ in self.groups) + tuple(c for c, _ in self.aggregates)


def check_leaf_extras(source: str, order: tuple[SortKey, ...],
                      aggregate: PushedAggregate | None, columns: Schema,
                      rels: frozenset[str] | set[str]) -> None:
    """A pushed order reads the leaf's own tables; a pushed aggregate outputs ``columns``."""
    read = [k.expr for k in order]
    if aggregate is not None:
        if aggregate.schema != columns:
            raise PlanError(f"aggregate pushed into {source} does not output the leaf's columns")
        read += [e for _, e in aggregate.groups] + [a for _, a in aggregate.aggregates]
    if any(k.split(".", 1)[0] not in rels for e in read for k in columns_of(e)):
        raise PlanError(f"work pushed into {source} reads a column of a table it does not read")
