"""A fragment's result as a stream of Arrow batches that DuckDB pulls while the stage runs.

Materialising every leg before the stage holds each whole in memory at once; a source whose
reader can be drained from any thread (``Source.streams``) hands DuckDB a
``RecordBatchReader`` instead. Each batch is checked against the declared schema, and rows
and the time spent inside the source's reader are counted for the executed plan. An error
raised by the source while DuckDB pulls is kept, so the caller re-raises it as it was rather
than as DuckDB's wrapper of it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pyarrow as pa

from federation import cancel
from federation.errors import FederationError, SourceError
from federation.sources.base import CompiledFragment, arrow_schema


class FragmentStream:
    """One fragment's batches, typed as declared, timed and counted as they are read."""

    def __init__(self, source_reader: pa.RecordBatchReader, compiled: CompiledFragment) -> None:
        self._source = source_reader
        self._compiled = compiled
        self.schema = arrow_schema(compiled.schema)
        self.rows = 0
        self.seconds = 0.0
        self.error: FederationError | None = None
        # DuckDB pulls batches on its own threads: the query's token is taken here, and
        # checked before each batch, so a cancelled query stops reading its sources
        self._token = cancel.current()

    def reader(self) -> pa.RecordBatchReader:
        return pa.RecordBatchReader.from_batches(self.schema, self._batches())

    def _batches(self) -> Iterator[pa.RecordBatch]:
        while True:
            start = time.perf_counter()
            try:
                if self._token is not None:
                    self._token.check()
                batch = self._source.read_next_batch()
            except StopIteration:
                return
            except FederationError as err:
                self.error = err
                raise
            except Exception as err:  # a driver's own error type, reported with its source
                self.error = SourceError(str(err), source=self._compiled.source,
                                         fragment=self._compiled.native)
                raise self.error from err
            finally:
                self.seconds += time.perf_counter() - start
            yield self._typed(batch)

    def _typed(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        if batch.schema != self.schema:
            try:
                batch = batch.cast(self.schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
                self.error = SourceError(f"returned {batch.schema} instead of {self.schema}",
                                         source=self._compiled.source,
                                         fragment=self._compiled.native)
                raise self.error from err
        self.rows += batch.num_rows
        return batch
