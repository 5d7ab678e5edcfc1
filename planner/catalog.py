"""What the planner knows of the attached sources: their tables, columns and capabilities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from planner.capabilities import Capabilities


@dataclass(frozen=True)
class VectorColumn:
    """A fixed-size vector column and the metric its source measures distance with."""

    name: str
    dimension: int
    metric: str  # l2 (squared Euclidean, as LanceDB reports it), cosine, dot


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

    def column_names(self) -> list[str]:
        return [name for name, _ in self.columns]


@dataclass(frozen=True)
class SourceInfo:
    """One attached source as the planner sees it: a name, a kind, capabilities and tables."""

    name: str
    kind: str
    capabilities: Capabilities
    tables: Mapping[str, TableSchema]


Catalog = Mapping[str, SourceInfo]
