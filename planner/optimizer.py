"""Run the rewrite rules to a fixpoint; no rule may change the plan's output schema."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from planner.catalog import Catalog
from planner.errors import PlanError
from planner.logical import Plan
from planner.rules import RULES
from planner.subquery_plans import map_subplans

Rule = Callable[[Plan, Catalog], Plan]
MAX_PASSES = 32


def optimize(plan: Plan, catalog: Catalog, rules: Sequence[Rule] = RULES) -> Plan:
    """Apply ``rules`` in order, repeatedly, until a whole pass changes nothing (the plans
    of subqueries first, each on its own)."""
    plan = _subplans_optimized(plan, catalog, rules)
    keys = [c.key for c in plan.schema]
    for _ in range(MAX_PASSES):
        before = plan
        for rule in rules:
            plan = rule(plan, catalog)
            if [c.key for c in plan.schema] != keys:
                raise PlanError(f"rule {rule.__name__} changed the output schema")
        if plan is before or plan == before:
            return plan
    raise PlanError(f"rewrite rules did not reach a fixpoint in {MAX_PASSES} passes")


def _subplans_optimized(plan: Plan, catalog: Catalog, rules: Sequence[Rule]) -> Plan:
    plan = plan.replace_children(tuple(_subplans_optimized(c, catalog, rules)
                                       for c in plan.children))
    return map_subplans(plan, lambda sub: optimize(sub, catalog, rules))
