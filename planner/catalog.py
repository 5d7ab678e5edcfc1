"""What the planner knows of the attached sources: their tables, columns and capabilities."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from planner.capabilities import Capabilities


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: tuple[tuple[str, pa.DataType], ...]
    row_count: int | None = field(default=None, compare=False)

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
