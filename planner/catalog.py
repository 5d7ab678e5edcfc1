"""What the planner knows of the attached sources: their tables, columns and capabilities."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import pyarrow as pa

from planner.capabilities import Capabilities


@dataclass(frozen=True)
class VectorColumn:
    """A fixed-size vector column and the metric its source measures distance with."""

    name: str
    dimension: int
    metric: str  # l2 (squared Euclidean, as LanceDB reports it), cosine, dot
    # an ANN index covers the column: NEAREST … APPROXIMATE may use it (planner.vector_routes)
    indexed: bool = False


@dataclass(frozen=True)
class TableSchema:
    """A table, a graph node table (``kind="node"``) or a relationship table (``kind="rel"``,
    with ``endpoints``: the (from label, to label) pairs it connects)."""

    name: str
    columns: tuple[tuple[str, pa.DataType], ...]
    row_count: int | None = field(default=None, compare=False)
    kind: str = "table"
    endpoints: tuple[tuple[str, str], ...] = ()
    vectors: tuple[VectorColumn, ...] = ()
    # columns that hold no duplicate (a primary key or unique index of one column): an
    # equality on one selects at most one row
    unique: tuple[str, ...] = field(default=(), compare=False)
    # columns that lead an index (a lookup by them seeks instead of scanning)
    indexed: tuple[str, ...] = field(default=(), compare=False)
    # distinct values per column where the source knows them cheaply (a key column: as many
    # as rows); a column not named here has no estimate
    distinct: Mapping[str, int] = field(default_factory=dict, compare=False)

    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def distinct_values(self, column: str) -> int | None:
        """Distinct values of ``column``: the source's estimate, else as many as rows for a
        unique column, else None (unknown)."""
        known = self.distinct.get(column)
        if known is None and column in self.unique:
            return self.row_count
        return known


@dataclass(frozen=True)
class SourceInfo:
    """One attached source as the planner sees it: a name, a kind, capabilities and tables.

    >>> def one(t): return SourceInfo("s", "sqlite", Capabilities(), {"t": TableSchema("t", t)})
    >>> one((("x", pa.int64()),)).fingerprint == one((("x", pa.string()),)).fingerprint
    False
    >>> one((("x", pa.int64()),)).fingerprint == one((("x", pa.int64()),)).fingerprint
    True
    """

    name: str
    kind: str
    capabilities: Capabilities
    tables: Mapping[str, TableSchema]

    @cached_property
    def fingerprint(self) -> bytes:
        """A digest of everything a plan depends on: two catalogs with equal fingerprints plan
        every query alike. Computed once per catalog object (sources build a new one only when
        their schema changed), so a plan-cache lookup compares 16 bytes, never object ids."""
        text = repr((self.name, self.kind, self.capabilities, sorted(
            (name, t.name, t.kind, t.columns, t.endpoints, t.vectors)
            for name, t in self.tables.items())))
        return hashlib.blake2b(text.encode(), digest_size=16).digest()


Catalog = Mapping[str, SourceInfo]
