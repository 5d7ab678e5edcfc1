"""Recorded execution statistics: per source and fragment shape, latency against rows.

Every query records, for each fragment, its source, its shape (``planner.shape``: the plan
without values), the keys passed into it, the rows it returned and its latency, and the same
for the stage that finishes it (under ``planner.cost.STAGE``, or ``ARROW_STAGE`` when no DuckDB
was needed; rows in = the rows of its inputs). Each (source, shape) keeps a robust summary that
decays (``federation.stats_summary``), so a changed workload is followed. At most
``max_shapes`` shapes are kept (the least recently seen is dropped first). The planner reads
them through a ``planner.cost.StatsView`` (``Stats.view``), with the catalog's row counts.

Recording is cheap on the query's thread: a sample is appended to a queue; queued samples are
folded into the summaries in batches (when ``FOLD_AT`` are waiting, or before anything reads
them). With a workspace the summaries are loaded from ``<workspace>/stats.sqlite`` at
``connect(path)`` and written there by a background thread every ``FLUSH_S`` seconds when
something changed, and once more at ``close()``; ``connect()`` keeps them in memory only.

A workspace also keeps each source's calibrated prior (``federation.calibration``), by source
name, kind and location, written when measured and loaded at ``connect(path)``; the prior in
use for a name is the one of the source attached under it (``use_prior``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from federation.sources.base import CompiledFragment
from federation.stats_store import CalibrationKey, Store
from federation.stats_summary import Summary, stats_table
from planner.catalog import SourceInfo
from planner.cost import ARROW_STAGE, STAGE, Prior, ShapeStats, StatsSnapshot
from planner.shape import PlanShapes, Shape
from planner.signature import Near, Signature, signature

FOLD_AT = 64  # samples queued before the recording thread folds them
FLUSH_S = 2.0  # a workspace's statistics are written at most this often
MAX_SHAPES = 4096
FILE_NAME = "stats.sqlite"
_log = logging.getLogger("federation.stats")

# source, kind, shape, rows in, rows out, seconds[, signature of the values it read[, cold]]
Sample = tuple[str, str, Shape, int, int, float] | \
    tuple[str, str, Shape, int, int, float, Signature | None] | \
    tuple[str, str, Shape, int, int, float, Signature | None, bool]


def samples(shapes: PlanShapes, runs: Iterable[FragmentRunLike], stage_seconds: float,
            result_rows: int, arrow: bool, values: Mapping[str, object] | None = None
            ) -> list[Sample]:
    """One query's samples: every fragment's (with the signature of the values it read),
    and the stage's (rows in: its inputs')."""
    out: list[Sample] = []
    rows_in = 0
    for run in runs:
        if run.reused or run.shared_from is not None:  # from the cache or a shared read
            rows_in += run.rows
            continue
        shape = (shapes.keyed.get(run.index) if run.keyed else None) \
            or shapes.fragments[run.index]
        sig = signature(shape.params, values) if values and shape.params else Signature()
        out.append((run.compiled.source, run.compiled.kind, shape, run.keys_in, run.rows,
                    run.seconds, sig))
        rows_in += run.rows
    stage, kind = (ARROW_STAGE, "arrow") if arrow else (STAGE, "duckdb")
    out.append((stage, kind, shapes.stage, rows_in, result_rows, stage_seconds))
    return out


class FragmentRunLike(Protocol):
    """What ``samples`` reads of a ``federation.executor.FragmentRun``."""

    @property
    def index(self) -> int: ...
    @property
    def compiled(self) -> CompiledFragment: ...
    @property
    def rows(self) -> int: ...
    @property
    def seconds(self) -> float: ...
    @property
    def reused(self) -> bool: ...
    @property
    def shared_from(self) -> int | None: ...
    @property
    def keys_in(self) -> int: ...
    @property
    def keyed(self) -> bool: ...


class Stats:
    """Thread-safe, bounded statistics of one engine; see the module docstring."""

    def __init__(self, workspace: Path | None = None, max_shapes: int = MAX_SHAPES) -> None:
        self.max_shapes = max_shapes
        self._queue: deque[Sample] = deque()
        self._lock = threading.Lock()
        self._summaries: OrderedDict[tuple[str, str], Summary] = OrderedDict()
        self._dirty: set[tuple[str, str]] = set()
        self._seq = 0  # counts executions folded: the order shapes were last used in
        self._store: Store | None = None
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        self._priors: dict[str, Prior] = {}  # calibrated priors in use, by source name
        self._calibrations: dict[CalibrationKey, tuple[int, Prior]] = {}  # (method, prior)
        if workspace is not None:
            self._store = Store(workspace / FILE_NAME)
            for summary in self._store.load(max_shapes):
                self._summaries[(summary.source, summary.shape.id)] = summary
                self._seq = max(self._seq, summary.seq)
            self._calibrations = self._store.load_calibrations()

    # ---- recording (the query's thread)
    def record(self, samples: Iterable[Sample], cold: bool = False) -> None:
        """Queue one query's samples; fold them when enough are waiting. A ``cold`` query's
        (the first on a source: connections, drivers) count as executions, not latencies."""
        if cold:
            samples = ((*s[:6], s[6] if len(s) > 6 else None, True) for s in samples)
        self._queue.extend(samples)
        if len(self._queue) >= FOLD_AT:
            self.fold()
        if self._store is not None and self._flusher is None:
            self._start_flusher()

    def fold(self) -> None:
        """Fold the queued samples into the summaries."""
        now = time.time()
        with self._lock:
            queue, summaries = self._queue, self._summaries
            while queue:
                source, kind, shape, rows_in, rows_out, seconds, *extra = queue.popleft()
                key = (source, shape.id)
                summary = summaries.get(key)
                if summary is None:
                    summary = summaries[key] = Summary(source, kind, shape)
                    while len(summaries) > self.max_shapes:
                        old, _ = summaries.popitem(last=False)
                        self._dirty.discard(old)
                else:
                    summaries.move_to_end(key)
                sig = extra[0] if extra and isinstance(extra[0], Signature) else None
                cold = len(extra) > 1 and extra[1] is True
                summary.add(rows_in, rows_out, seconds, now, sig, cold)
                self._seq += 1
                summary.seq = self._seq
                self._dirty.add(key)

    # ---- reading
    def lookup(self, source: str, shape: str) -> ShapeStats | None:
        """One shape's frozen summaries (None when never recorded)."""
        if self._queue:
            self.fold()
        with self._lock:
            summary = self._summaries.get((source, shape))
            # a shape seen only cold (a source's first query) predicts from its prior
            return summary.frozen() if summary is not None and summary.warm else None

    def near(self, source: str, shape: str, sig: Signature) -> Near | None:
        """What the shape's executions nearest ``sig`` in their values returned and took."""
        if self._queue:
            self.fold()
        with self._lock:
            summary = self._summaries.get((source, shape))
            return summary.near(sig) if summary is not None else None

    def view(self, catalog: Mapping[str, SourceInfo] | None = None) -> LiveView:
        """What the planner reads while planning one query: lookups cost O(1) whatever the
        number of shapes, and see what other queries record meanwhile."""
        return LiveView(self, catalog or {})

    def snapshot(self, catalog: Mapping[str, SourceInfo] | None = None) -> StatsSnapshot:
        """Everything, frozen (O(shapes): for reports and tests, not per query)."""
        self.fold()
        with self._lock:
            # the frozen form is refreshed every few executions: the count is exact here
            shapes = {key: replace(s.frozen(), executions=s.executions)
                      for key, s in self._summaries.items()}
            priors = dict(self._priors)
        catalog = catalog or {}
        kinds = {name: info.kind for name, info in catalog.items()}
        rows = {(name, table): schema.row_count for name, info in catalog.items()
                for table, schema in info.tables.items()}
        distincts = {(name, table, column): n for name, info in catalog.items()
                     for table, schema in info.tables.items()
                     for column in {*schema.distinct, *schema.unique}
                     if (n := schema.distinct_values(column)) is not None}
        return StatsSnapshot(shapes, kinds, rows, distincts, priors)

    def table(self) -> pa.Table:
        """One row per (source, shape), most recently seen last (``eng.stats()``)."""
        snapshot = self.snapshot()
        shapes = sorted(snapshot.shapes.values(), key=lambda s: (s.last_seen, s.source, s.shape))
        return stats_table(shapes, snapshot.priors)

    def __len__(self) -> int:
        self.fold()
        return len(self._summaries)

    # ---- calibrated priors (federation.calibration)
    @property
    def persistent(self) -> bool:
        """Whether these statistics are kept in a workspace."""
        return self._store is not None

    def prior(self, source: str) -> Prior | None:
        """The calibrated prior of the source attached as ``source`` (None: its kind's)."""
        with self._lock:
            return self._priors.get(source)

    def use_prior(self, source: str, prior: Prior | None) -> None:
        """Predict ``source`` from ``prior`` from now on (None: from its kind's)."""
        with self._lock:
            if prior is None:
                self._priors.pop(source, None)
            else:
                self._priors[source] = prior

    def calibration(self, key: CalibrationKey, method: int) -> Prior | None:
        """The stored calibration of ``key`` by ``method`` (None: none, or an older one)."""
        with self._lock:
            found = self._calibrations.get(key)
        return found[1] if found is not None and found[0] == method else None

    def keep_calibration(self, key: CalibrationKey, method: int, prior: Prior) -> None:
        """Store a measured prior in the workspace (written now) and use it for its source."""
        with self._lock:
            self._calibrations[key] = (method, prior)
            self._priors[key[0]] = prior
        if self._store is not None:
            self._store.write_calibration(key, method, prior, time.time())

    # ---- persistence
    def flush(self) -> None:
        """Write what changed since the last flush (workspace only)."""
        if self._store is None:
            return
        self.fold()
        with self._lock:
            changed = [self._summaries[k] for k in self._dirty if k in self._summaries]
            rows = [(s.source, s.shape.id, s.kind, s.shape.text, s.dump(), s.last_seen, s.seq)
                    for s in changed]
            self._dirty.clear()
        try:
            self._store.write(rows, self.max_shapes)
        except Exception as err:  # statistics are advisory: a query never fails
            # for them (a full disk, a workspace deleted under us); the next flush retries
            with self._lock:
                self._dirty.update((s.source, s.shape.id) for s in changed)
            _log.warning("cannot write statistics to %s: %s", self._store.path, err)

    def _start_flusher(self) -> None:
        with self._lock:
            if self._flusher is not None or self._stop.is_set():
                return
            self._flusher = threading.Thread(target=self._flush_loop, name="fed-stats",
                                             daemon=True)
            self._flusher.start()

    def _flush_loop(self) -> None:
        while not self._stop.wait(FLUSH_S):
            if self._queue or self._dirty:
                self.flush()

    def close(self) -> None:
        """Stop the background writer, write the rest and close the file."""
        self._stop.set()
        flusher = self._flusher
        if flusher is not None:
            flusher.join()
        self.flush()
        if self._store is not None:
            self._store.close()
            self._store = None


class LiveView:
    """A ``planner.cost.StatsView`` over the live statistics and one query's catalog."""

    def __init__(self, stats: Stats, catalog: Mapping[str, SourceInfo]) -> None:
        self._stats, self._catalog = stats, catalog

    def shape(self, source: str, shape: str) -> ShapeStats | None:
        return self._stats.lookup(source, shape)

    def source_kind(self, source: str) -> str | None:
        info = self._catalog.get(source)
        return info.kind if info is not None else None

    def table_rows(self, source: str, table: str) -> int | None:
        info = self._catalog.get(source)
        schema = info.tables.get(table) if info is not None else None
        return schema.row_count if schema is not None else None

    def distinct(self, source: str, table: str, column: str) -> int | None:
        info = self._catalog.get(source)
        schema = info.tables.get(table) if info is not None else None
        return schema.distinct_values(column) if schema is not None else None

    def prior(self, source: str) -> Prior | None:
        return self._stats.prior(source)

    def near(self, source: str, shape: str, sig: Signature) -> Near | None:
        return self._stats.near(source, shape, sig)
