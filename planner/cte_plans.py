"""Plan nodes of WITH: the statement's common table expressions, each computed once.

``With`` stands at the root of a statement that declares CTEs (the binder hoists every CTE
there, wherever it was declared, under a plan-wide unique name); each reference is a
``CteScan`` leaf with columns of its own. The CTE's plan is a child of ``With``, so rules
optimize it and the plan cutter makes its source leaves fragments once, however often it
is referenced; the DuckDB stage materialises it once.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.errors import PlanError
from planner.logical import Output, Plan, Schema


@dataclass(frozen=True)
class CteScan(Plan):
    """One reference to CTE ``name``: its columns ``cte_columns`` renamed to ``columns``."""

    name: str
    columns: Schema
    cte_columns: Schema

    def __post_init__(self) -> None:
        if len(self.columns) != len(self.cte_columns):
            raise PlanError(f"a reference to {self.name} renames {len(self.cte_columns)} "
                            f"columns to {len(self.columns)}")

    @property
    def schema(self) -> Schema:
        return self.columns


@dataclass(frozen=True)
class With(Plan):
    """``child`` (the statement) with the CTEs it references: ``(name, plan)`` pairs, each
    plan an ``Output`` naming its columns by their keys; a CTE reads only earlier ones, and
    a recursive one (named in ``recursive``: ``anchor UNION [ALL] step``, an ``Output`` over a
    ``SetOp``) also itself, in its step."""

    child: Plan
    ctes: tuple[tuple[str, Output], ...]
    recursive: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if len({name for name, _ in self.ctes}) != len(self.ctes):
            raise PlanError("two CTEs of one statement share a name")
        if self.recursive - {name for name, _ in self.ctes}:
            raise PlanError("a recursive CTE is not among the statement's CTEs")

    @property
    def schema(self) -> Schema:
        return self.child.schema

    @property
    def children(self) -> tuple[Plan, ...]:
        return (self.child, *(plan for _, plan in self.ctes))

    def _rebuild(self, children: tuple[Plan, ...]) -> Plan:
        ctes = []
        for (name, _), plan in zip(self.ctes, children[1:], strict=True):
            if not isinstance(plan, Output):
                raise PlanError("a CTE's plan must stay an Output")
            ctes.append((name, plan))
        return With(children[0], tuple(ctes), self.recursive)
