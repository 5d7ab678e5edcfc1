"""Rewrite rules, one per module, each a function named after its module, run in this order to
a fixpoint by ``planner.optimizer``."""

from planner.rules.aggregate_pushdown import aggregate_pushdown
from planner.rules.constant_folding import constant_folding
from planner.rules.join_pushdown import join_pushdown
from planner.rules.limit_pushdown import limit_pushdown
from planner.rules.or_factoring import or_factoring
from planner.rules.predicate_pushdown import predicate_pushdown
from planner.rules.projection_pushdown import projection_pushdown
from planner.rules.scalar_pushdown import scalar_pushdown
from planner.rules.setop_pushdown import setop_pushdown
from planner.rules.topn_pushdown import topn_pushdown
from planner.rules.window_pushdown import window_pushdown

RULES = (constant_folding, or_factoring, predicate_pushdown, setop_pushdown, window_pushdown,
         join_pushdown, projection_pushdown, limit_pushdown, topn_pushdown, aggregate_pushdown,
         scalar_pushdown)

__all__ = ["RULES", "aggregate_pushdown", "constant_folding", "join_pushdown", "limit_pushdown",
           "or_factoring", "predicate_pushdown", "projection_pushdown",
           "scalar_pushdown", "setop_pushdown",
           "topn_pushdown", "window_pushdown"]
