"""Equivalent physical plans of one query: what the router chooses among (DESIGN §5.3).

Three independent choices multiply (capped at ``MAX_CANDIDATES``, past which only a candidate
bringing a route feature no other has is added):

- **where joins run**: with ``join_pushdown`` the tables of one SQLite source join inside it;
  without, DuckDB joins them (SQLite's nested loops lose badly on large or OR-shaped joins);
- **which copy a fragment reads**: ``leaf_variants`` gives equivalent leaves of a fragment
  (a mirror's copy on another store, an exact search instead of an ANN index);
- **which keys are passed**: none, each exact pass of ``planner.semijoin`` alone, or every
  compatible pass together. A pass is decided again at run time from the real key count.

Each candidate carries a stable ``name`` (what EXPLAIN shows and ``route=`` forces) and its
route ``features`` (what a forced policy keeps). Every candidate returns the same rows: a
rule or variant that could change them is not an alternative — with one exception the query
asks for: under ``NEAREST … APPROXIMATE`` the ANN index and the exact search are both valid
answers, and they may differ in the rows an index misses (EXPLAIN says which ran).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import product

from planner.cardinality import estimate
from planner.catalog import Catalog
from planner.fragments import CutPlan, Fragment, KeyPass, cut
from planner.logical import FragmentInput, GraphMatch, Plan, Scan, SourceLeaf, components
from planner.optimizer import Rule, optimize
from planner.rules.join_pushdown import join_pushdown
from planner.semijoin import candidate_passes, compatible
from planner.shared_reads import same_keyed
from planner.subquery_plans import map_subplans
from planner.variants import LeafVariant

MAX_CANDIDATES = 16
MAX_LEAF_COMBINATIONS = 8  # beyond this, one fragment's variant at a time
LeafVariants = Callable[[SourceLeaf], tuple[LeafVariant, ...]]


@dataclass(frozen=True)
class Candidate:
    name: str
    features: frozenset[str]
    cut: CutPlan

    @property
    def sources(self) -> frozenset[str]:
        return frozenset(f.source for f in self.cut.fragments)


def no_variants(leaf: SourceLeaf) -> tuple[LeafVariant, ...]:
    return ()


def alternatives(bound: Plan, catalog: Catalog, rules: Sequence[Rule],
                 leaf_variants: LeafVariants = no_variants, key_passing: bool = True,
                 max_keys: int | None = None) -> tuple[Candidate, ...]:
    """The candidates for the bound plan ``bound``; the first is the plan as every rule and
    no variant makes it (the route of a query that has no choice).

    >>> import pyarrow as pa
    >>> from planner.capabilities import Capabilities
    >>> from planner.catalog import SourceInfo, TableSchema
    >>> from planner.logical import Output, TableAccess
    >>> from planner.expressions import ColumnRef
    >>> info = SourceInfo("s", "sqlite", Capabilities(),
    ...                   {"t": TableSchema("t", (("a", pa.int64()),), row_count=10)})
    >>> a = ColumnRef("t", "a", pa.int64())
    >>> plan = Output(Scan("s", (TableAccess("t", "t"),), (a,)), (a,), ("a",))
    >>> [c.name for c in alternatives(plan, {"s": info}, ())]
    ['as planned']
    """
    found: dict[str, Candidate] = {}
    for join_name, join_features, plan in _join_routes(bound, catalog, rules):
        for leaf_name, leaf_features, leaf_cut in _leaf_routes(cut(plan), leaf_variants):
            for key_name, key_features, passes in _key_routes(leaf_cut, catalog, key_passing,
                                                              max_keys):
                name = "; ".join(p for p in (join_name, leaf_name, key_name) if p) \
                    or "as planned"
                features = join_features | leaf_features | key_features
                seen = frozenset().union(*(c.features for c in found.values()))
                # past the cap, only a candidate with a feature no other has (a forced
                # policy must still find its route)
                if len(found) < MAX_CANDIDATES or not features <= seen:
                    found.setdefault(name, Candidate(name, features,
                                                     replace(leaf_cut, passes=passes)))
    return tuple(found.values())


def _join_routes(bound: Plan, catalog: Catalog, rules: Sequence[Rule]
                 ) -> list[tuple[str, frozenset[str], Plan]]:
    pushed = optimize(bound, catalog, rules)
    joined = _joined(pushed)
    if join_pushdown not in rules:
        return [("", frozenset(), pushed)]
    if not joined:
        # the rule keeps joins over large tables out of a source (``join_rows``); as an
        # alternative they may still go there, and the cost model decides
        uncapped = {name: replace(info, capabilities=replace(info.capabilities, join_rows=None))
                    for name, info in catalog.items()}
        inside = optimize(bound, uncapped, rules)
        joined = _joined(inside)
        if not joined:
            return [("", frozenset(), pushed)]
        return [(f"joins in {', '.join(joined)}", frozenset({"join:source"}), inside),
                ("joins in DuckDB", frozenset({"join:duckdb"}), pushed)]
    apart = optimize(bound, catalog, tuple(r for r in rules if r is not join_pushdown))
    return [(f"joins in {', '.join(joined)}", frozenset({"join:source"}), pushed),
            ("joins in DuckDB", frozenset({"join:duckdb"}), apart)]


def _joined(plan: Plan) -> list[str]:
    """The sources of the joins a plan runs inside a source: several tables in one Scan, or
    a graph pattern of parts no relationship connects (the user's own such MATCH too: its
    "joins in DuckDB" twin is then the same plan)."""
    return sorted({leaf.source for leaf in _leaves(plan)
                   if (isinstance(leaf, Scan) and len(leaf.tables) > 1)
                   or (isinstance(leaf, GraphMatch) and components(leaf) > 1)})


def _leaves(plan: Plan) -> Iterator[Plan]:
    if isinstance(plan, Scan | GraphMatch):
        yield plan
    for child in plan.children:
        yield from _leaves(child)


def _leaf_routes(base: CutPlan, leaf_variants: LeafVariants
                 ) -> list[tuple[str, frozenset[str], CutPlan]]:
    options = [leaf_variants(f.plan) for f in base.fragments]
    varied = [i for i, o in enumerate(options) if len(o) > 1]
    if not varied:
        return [("", frozenset(), base)]
    total = 1
    for i in varied:
        total *= len(options[i])
    if total <= MAX_LEAF_COMBINATIONS:
        picks = list(product(*(range(len(options[i])) for i in varied)))
    else:  # the originals, then each fragment's variants one at a time
        picks = [tuple(0 for _ in varied)]
        picks += [tuple(n if j == pos else 0 for j in range(len(varied)))
                  for pos, i in enumerate(varied) for n in range(1, len(options[i]))]
    routes = []
    for pick in picks:
        chosen = {i: options[i][n] for i, n in zip(varied, pick, strict=True)}
        name = "; ".join(f"#{i} {v.name}" for i, v in chosen.items())
        features = frozenset().union(*(v.features for v in chosen.values()))
        routes.append((name, features, _with_leaves(base, chosen)))
    return routes


def _with_leaves(base: CutPlan, chosen: dict[int, LeafVariant]) -> CutPlan:
    fragments = tuple(Fragment(f.index, chosen[f.index].leaf.source, chosen[f.index].leaf)
                      if f.index in chosen else f for f in base.fragments)
    sources = {f.index: f.source for f in fragments}

    def relabel(node: Plan) -> Plan:
        if isinstance(node, FragmentInput):
            return replace(node, source=sources[node.index])
        node = node.replace_children(tuple(relabel(c) for c in node.children))
        return map_subplans(node, relabel)

    return replace(base, stage=relabel(base.stage), fragments=fragments)


def _key_routes(base: CutPlan, catalog: Catalog, key_passing: bool, max_keys: int | None
                ) -> list[tuple[str, frozenset[str], tuple[KeyPass, ...]]]:
    leaves = {f.index: f.plan for f in base.fragments}
    passes = tuple(p for p in (candidate_passes(base, catalog, max_keys) if key_passing else ())
                   if not _uphill(p, leaves, catalog))
    if not passes:
        return [("", frozenset(), ())]
    routes: list[tuple[str, frozenset[str], tuple[KeyPass, ...]]] = [
        ("no key passing", frozenset({"keys:none"}), ())]
    together = compatible(sorted(passes, key=lambda p: estimate(leaves[p.sender], catalog)
                                 or 0))
    routes += [(_keys_name((p,)), frozenset({"keys:pass"}), (p,)) for p in passes
               if not _splits_a_read(p, together, base.fragments)]
    if len(together) > 1:
        routes.append((_keys_name(together), frozenset({"keys:pass"}), together))
    return routes


def _uphill(kp: KeyPass, leaves: Mapping[int, Plan], catalog: Catalog) -> bool:
    """Whether the catalog expects ``kp``'s receiver to return fewer rows than its sender:
    the keys could at most save a read smaller than the one the receiver then waits for
    (TPC-H Q11's Kuzu join of 800 000 partsupp rows sending its nation keys to the 25-row
    nation table: explored at 4.5x the best route)."""
    sent, received = estimate(leaves[kp.sender], catalog), estimate(leaves[kp.receiver], catalog)
    return sent is not None and received is not None and received < sent


def _splits_a_read(kp: KeyPass, together: tuple[KeyPass, ...],
                   fragments: tuple[Fragment, ...]) -> bool:
    """Whether ``kp`` alone would key one of two equal reads that, passed the same keys
    together, are one keyed read (``planner.shared_reads``): the other is then read whole
    besides, more than either the keyed read or the shared plain one costs (TPC-H Q2 passes
    its part keys into partsupp in the outer query and in the subquery: keying one of them
    was tried by the router's exploration at 1.2x the plain read and 1.8x both keyed)."""
    if kp not in together:
        return False
    by_index = {f.index: f for f in fragments}
    return any(other != kp and same_keyed((by_index[kp.receiver], kp),
                                          (by_index[other.receiver], other), by_index)
               for other in together)


def _keys_name(passes: tuple[KeyPass, ...]) -> str:
    return "keys " + ", ".join(f"#{p.sender}→#{p.receiver}" for p in passes)
