"""Equivalent ways to compute one fragment: what alternatives are made of.

A ``LeafVariant`` is one source leaf that returns the same rows as another (as a multiset, in
the same columns and Arrow types), possibly on another source — a mirror's copy, an exact
search instead of an index. Its ``features`` are what route policies select on (the vocabulary
is ``FEATURES``).
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.logical import SourceLeaf

FEATURES = frozenset({
    "join:source", "join:duckdb",  # a join of one source's tables inside it, or in DuckDB
    "keys:pass", "keys:none",  # semi-join key passing between fragments
    "read:primary", "read:mirror",  # a mirrored relation read from its primary or its copy
    "vector:index", "vector:exact",  # APPROXIMATE search through an ANN index, or exact
})


@dataclass(frozen=True)
class LeafVariant:
    name: str
    features: frozenset[str]
    leaf: SourceLeaf

    def __post_init__(self) -> None:
        unknown = self.features - FEATURES
        if unknown:
            raise ValueError(f"unknown route features {sorted(unknown)}")
