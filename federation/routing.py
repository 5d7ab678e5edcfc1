"""The engine's side of routing: a query's candidate plans prepared once (and cached with
the plan), then, per execution, each predicted from the live statistics and one chosen by the
engine's ``planner.router.Router``; key passes are decided again once the keys are known."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from federation.executor import Prepared, prepare
from federation.key_passing import KeyDecision
from planner.alternatives import Candidate, LeafVariants, alternatives, no_variants
from planner.catalog import Catalog
from planner.cost import PRIORS, StatsView, Step
from planner.fragments import KeyPass
from planner.logical import Plan, SourceLeaf
from planner.mirrors import Mirrors, mirror_variants
from planner.optimizer import Rule
from planner.route_costs import fragment_rows, keyed_rows, predicted
from planner.router import Option, RouteDecision, Router, keys_pay
from planner.semijoin import key_passes
from planner.variants import LeafVariant
from planner.vector_routes import vector_variants

# per row entering the DuckDB stage: what a key pass saves besides the receiver's own read
STAGE_PER_ROW_S = PRIORS["duckdb"].per_1k_in_s / 1000


@dataclass(frozen=True)
class Routes:
    """A query's candidates and their prepared plans, in the same order (the first is the
    plan every rule makes with no variant)."""

    candidates: tuple[Candidate, ...]
    prepared: tuple[Prepared, ...]
    routed_keys: bool  # whether key passes are the router's to decide at run time

    def named(self, name: str) -> Prepared:
        return self.prepared[[c.name for c in self.candidates].index(name)]


def leaf_variants(mirrors: Mirrors, catalog: Catalog) -> LeafVariants:
    """Equivalent leaves of a fragment: its mirrors' copies, and for an APPROXIMATE search
    on an index the exact search too (a leaf has one kind of variant or none)."""
    def variants(leaf: SourceLeaf) -> tuple[LeafVariant, ...]:
        return mirror_variants(leaf, mirrors, catalog) or vector_variants(leaf, catalog)

    return variants


def plan_routes(bound: Plan, catalog: Catalog, rules: Sequence[Rule],
                leaf_variants: LeafVariants = no_variants,
                key_passing_rows: int | str | None = "auto") -> Routes:
    """``key_passing_rows``: "auto" lets the router pass keys; an integer passes the keys the
    catalog heuristic picks for receivers of at least that many rows (0: every exact pass),
    always; None passes none."""
    routed = key_passing_rows == "auto"
    found = alternatives(bound, catalog, rules, leaf_variants, key_passing=routed)
    if isinstance(key_passing_rows, int):
        found = tuple(replace(c, cut=replace(c.cut, passes=key_passes(c.cut, catalog,
                                                                      key_passing_rows)))
                      for c in found)
    return Routes(found, tuple(prepare(c.cut) for c in found), routed)


def choose(routes: Routes, router: Router, view: StatsView, catalog: Catalog, *,
           forced: str | None = None, explore: bool = True,
           unavailable: frozenset[str] = frozenset(), values: Mapping[str, object] | None = None
           ) -> tuple[Prepared, RouteDecision | None]:
    """The prepared plan to run and the decision (None when the query has one route)."""
    if len(routes.candidates) == 1 and forced is None and not unavailable:
        return routes.prepared[0], None
    options = []
    for cand, prep in zip(routes.candidates, routes.prepared, strict=True):
        assert prep.shapes is not None
        # the prepared cut: fragments read once for several inputs count once
        est = predicted(replace(cand, cut=prep.cut), prep.shapes, view, catalog,
                        prep.arrow is not None, values)
        options.append(Option(cand.name, cand.features, cand.sources, est))
    decision = router.choose(options, forced=forced, explore=explore, unavailable=unavailable)
    return routes.named(decision.chosen), decision


def key_decider(routes: Routes, prepared: Prepared, view: StatsView, catalog: Catalog,
                policy: str) -> KeyDecision | None:
    """How the receivers of ``prepared`` decide on the keys they got; None: always pass
    (the heuristic's passes, or a policy that forces keys)."""
    if not routes.routed_keys or not prepared.cut.passes or policy != "auto":
        return None
    shapes = prepared.shapes
    assert shapes is not None
    fragments = {f.index: f for f in prepared.cut.fragments}
    inputs = stage_inputs(prepared)

    def decide(kp: KeyPass, keys: int) -> tuple[bool, str]:
        receiver = fragments[kp.receiver]
        plain_shape = shapes.fragments[kp.receiver].id
        plain_rows = fragment_rows(receiver, plain_shape, view, catalog)
        keyed_shape = shapes.keyed[kp.receiver].id
        rows = keyed_rows(receiver.source, keyed_shape, keys, plain_rows, view)
        return keys_pay(Step(receiver.source, keyed_shape, keys, rows),
                        Step(receiver.source, plain_shape, 0.0, plain_rows), plain_rows, view,
                        STAGE_PER_ROW_S * inputs.get(kp.receiver, 1))

    return decide


def stage_inputs(prepared: Prepared) -> dict[int, int]:
    """How many stage inputs each fragment's read becomes: its own, and one per fragment cut
    from it (``planner.shared_reads``). A receiver's rows enter the stage that many times, so
    the rows its keys save are saved that many times too (TPC-H Q11: the outer query's and
    the HAVING subquery's partsupp legs are one keyed read; counted once, 80 000 rows of
    them looked cheaper to read whole than with the one nation key, before any run)."""
    counts: dict[int, int] = {}
    for share in prepared.cut.shared:
        if not share.runs:
            counts[share.reader] = counts.get(share.reader, 1) + 1
    return counts
