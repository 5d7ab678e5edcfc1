"""Cut an optimized plan into per-source fragments and the DuckDB stage that finishes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from planner.expressions import ColumnRef
from planner.logical import FragmentInput, GraphMatch, Plan, Scan, SourceLeaf, VectorSearch
from planner.subquery_plans import map_subplans

if TYPE_CHECKING:
    from planner.shared_reads import SharedRead


@dataclass(frozen=True)
class Fragment:
    """One source's share of the query; ``index`` names its input in the DuckDB stage."""

    index: int
    source: str
    plan: SourceLeaf


@dataclass(frozen=True)
class KeyPass:
    """Keys of ``sender``'s column ``sender_key`` filter ``receiver``'s ``receiver_key``
    (see ``planner.semijoin``); skipped when the sender returns more than ``max_keys``."""

    sender: int
    sender_key: ColumnRef
    receiver: int
    receiver_key: ColumnRef
    max_keys: int
    chunk: int | None = None  # keys per read of the receiver (None: all in one read)

    def describe(self) -> str:
        return (f"keys of fragment #{self.sender} ({self.sender_key.key}) filter fragment "
                f"#{self.receiver} ({self.receiver_key.key}) when at most {self.max_keys}")


@dataclass(frozen=True)
class CutPlan:
    stage: Plan  # what DuckDB runs, reading FragmentInput nodes
    fragments: tuple[Fragment, ...]
    passes: tuple[KeyPass, ...] = ()  # receivers run after their senders, with their keys
    shared: tuple[SharedRead, ...] = ()  # fragments read once for several inputs (shared_reads)


def cut(plan: Plan) -> CutPlan:
    """Replace every source leaf by a FragmentInput, numbered left to right (the leaves of
    subqueries too: their results are inputs of the same DuckDB stage).

    >>> # Output(Project(Scan(crm.agents)))  →  stage Output(Project(FragmentInput #0))
    """
    fragments: list[Fragment] = []

    def visit(node: Plan) -> Plan:
        if isinstance(node, Scan | GraphMatch | VectorSearch):
            fragment = Fragment(len(fragments), node.source, node)
            fragments.append(fragment)
            return FragmentInput(fragment.index, node.source, node.columns)
        node = node.replace_children(tuple(visit(c) for c in node.children))
        return map_subplans(node, visit)

    stage = visit(plan)
    return CutPlan(stage, tuple(fragments))
