"""What every source implements. The planner never sees a source: only its ``SourceInfo``."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from federation.errors import ConfigurationError
from planner.catalog import SourceInfo
from planner.logical import Plan, Schema

if TYPE_CHECKING:
    from federation.writes.store import StoreWriter


@dataclass(frozen=True)
class CompiledFragment:
    """A fragment in the source's native language, its bound values and declared output."""

    source: str
    kind: str
    native: str
    params: tuple[object, ...]
    schema: Schema
    estimated_rows: int | None = None  # the source's guess, to pick a reader (None: unknown)


class Source(ABC):
    """An attached store: introspects its catalog, compiles fragments, returns Arrow."""

    kind: str = "source"
    # True when ``execute_batches`` returns a reader that any thread may drain while the
    # query runs (the executor then streams it into DuckDB instead of materialising it)
    streams: bool = False

    @abstractmethod
    def open(self, name: str) -> None:
        """Open under the attach name; raise ``SourceUnavailableError`` when it cannot."""

    @abstractmethod
    def info(self) -> SourceInfo:
        """The catalog as the planner sees it (refreshed when the schema changed)."""

    def info_at(self, version: Hashable) -> SourceInfo:
        """The catalog, knowing that ``version()`` just returned ``version`` (a source whose
        catalog reads cost more than its version check answers from memory while the
        version stays)."""
        return self.info()

    @abstractmethod
    def compile(self, fragment: Plan, params: Mapping[str, object]) -> CompiledFragment:
        """Native text with every value bound."""

    @abstractmethod
    def execute(self, compiled: CompiledFragment) -> pa.Table:
        """Run a compiled fragment; columns named by the fragment's keys, typed as declared."""

    def execute_batches(self, compiled: CompiledFragment) -> pa.RecordBatchReader:
        """The result as batches; sources that can stream override this."""
        return self.execute(compiled).to_reader()

    @abstractmethod
    def version(self) -> Hashable:
        """Token that changes whenever the data or schema changes (for the result cache)."""

    def writer(self) -> StoreWriter:
        """This source's write path (``federation.writes``), one per source."""
        raise ConfigurationError(f"source {getattr(self, 'name', '')!r} cannot be written")

    @abstractmethod
    def close(self) -> None:
        """Release connections."""


def empty_table(schema: Schema) -> pa.Table:
    return pa.table({c.key: pa.array([], type=c.type) for c in schema})


# schema tuple's id -> (that tuple, its Arrow schema): plans are cached, so the same tuple comes
# back on every run of a query, and building an Arrow schema is three calls into Arrow per
# query. Keyed by identity (a ``ColumnRef`` compares without its type, so equal tuples may
# differ in types); the tuple is held, so its id cannot be reused while it is here.
_ARROW_SCHEMAS: dict[int, tuple[Schema, pa.Schema]] = {}
_MAX_ARROW_SCHEMAS = 4096


def arrow_schema(schema: Schema) -> pa.Schema:
    found = _ARROW_SCHEMAS.get(id(schema))
    if found is not None and found[0] is schema:
        return found[1]
    built = pa.schema([pa.field(c.key, c.type) for c in schema])
    if type(schema) is tuple:  # immutable: the Arrow form stays right
        if len(_ARROW_SCHEMAS) >= _MAX_ARROW_SCHEMAS:
            _ARROW_SCHEMAS.clear()
        _ARROW_SCHEMAS[id(schema)] = (schema, built)
    return built
