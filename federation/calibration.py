"""Per-workspace calibration of a source's cold-start prior (DESIGN §5.4, issue 8).

The cost model (``planner.cost``) predicts a fragment never run before from a prior: the
latency of one call and per 1000 rows. The priors of ``planner.cost.PRIORS`` were measured
once, on one machine, per source kind. The first time a source is attached to a workspace,
``calibrate`` measures its own: through the source's own ``compile``/``execute`` (the calls
the executor times), on its largest table, it reads one row (``LIMIT 1``: the cost of a call)
and up to ``BULK_ROWS`` rows (the cost per row), alternately, ``REPEATS`` times after one
warm-up each, within ``BUDGET_S``; medians. Keys passed in are not measured (that needs a
second source): the kind's ``per_1k_in_s`` and ``keyed_s`` are scaled by how much faster or
slower this source's reads were than its kind's prior (within a factor ``MAX_SCALE``). The
reads run without a deadline, as queries do without ``connect(timeout=...)`` (under one, SQLite
reads only through apsw, whose bulk reads are slower than ADBC's).

The result is kept in the workspace's ``stats.sqlite`` by source name, kind and location, so
a reopened workspace (or the same source attached again) does not measure again. Without a
workspace nothing is measured (``connect()`` stays fast) and the kinds' priors are used.
Calibration only reads (the sources' connections are read-only); a source without a table
with rows is not calibrated; a failure is logged and never fails the attach.
"""

from __future__ import annotations

import logging
import math
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from federation.sources.base import CompiledFragment, Source
from federation.stats import CalibrationKey, Stats
from planner.catalog import TableSchema
from planner.cost import Prior, prior_for
from planner.expressions import ColumnRef
from planner.graph_pattern import GraphNode
from planner.logical import GraphMatch, Plan, Scan, TableAccess

METHOD = 1  # bumped when what is measured changes (older calibrations are measured again)
BUDGET_S = 0.25  # measuring stops after this (at least one timed run of each read)
REPEATS = 5
BULK_ROWS = 10_000
MIN_SLOPE_ROWS = 2_000  # fewer rows than this cannot tell a cost per row from noise
MAX_SCALE = 4.0
_log = logging.getLogger("federation.calibration")


@dataclass(frozen=True)
class Measured:
    """Medians of the two reads: seconds of a one-row read and of a ``rows``-row read."""

    one_s: float
    bulk_s: float
    rows: int
    runs: int


def calibrate(name: str, source: Source, stats: Stats) -> None:
    """Make ``stats`` predict ``source`` (attached as ``name``) from its calibrated prior:
    the stored one, else one measured now and stored. A no-op without a workspace; never
    raises (a failure is logged and the kind's prior is used)."""
    if not stats.persistent:
        return
    try:
        key = calibration_key(name, source)
        stored = stats.calibration(key, METHOD)
        if stored is not None:
            stats.use_prior(name, stored)
            return
        stats.use_prior(name, None)
        measured = measure(name, source)
        if measured is not None:
            stats.keep_calibration(key, METHOD, prior_from(measured, source.kind))
    except Exception as err:  # advisory: the attach succeeded, predictions use the kind's
        _log.warning("cannot calibrate source %s: %s", name, err)


def calibration_key(name: str, source: Source) -> CalibrationKey:
    """(name, kind, location): the same name attached to another file is measured anew."""
    path = getattr(source, "path", None)
    location = str(Path(path).resolve()) if isinstance(path, str | Path) else ""
    return name, source.kind, location


def measure(name: str, source: Source) -> Measured | None:
    """Time the two reads of ``source``'s largest table (None: no table to read)."""
    target = _target(source.info().tables.values())
    if target is None:
        return None
    table, column = target
    rows = min(table.row_count or 0, BULK_ROWS)
    one = source.compile(_read(name, table, column, 1), {})
    bulk = source.compile(_read(name, table, column, rows), {})
    ones, bulks, returned = _time_alternately(source, one, bulk)
    return Measured(statistics.median(ones), statistics.median(bulks), returned, len(ones))


def prior_from(measured: Measured, kind: str) -> Prior:
    """A prior from the medians; what was not measured is the kind's, scaled.

    >>> p = prior_from(Measured(one_s=1e-4, bulk_s=2.1e-3, rows=10_000, runs=5), "sqlite")
    >>> round(p.base_s * 1e6), round(p.per_1k_out_s * 1e6)  # 0.1 ms a call, 0.2 ms per 1000
    (100, 200)
    """
    kind_prior = prior_for(kind)
    base = max(measured.one_s, 1e-6)
    if measured.rows >= MIN_SLOPE_ROWS:
        per_1k_out = max(measured.bulk_s - measured.one_s, 0.0) / ((measured.rows - 1) / 1000)
        # two close medians can differ by noise alone: never far below the kind's slope
        per_1k_out = max(per_1k_out, kind_prior.per_1k_out_s / MAX_SCALE)
        ratios = [base / kind_prior.base_s, per_1k_out / kind_prior.per_1k_out_s]
    else:
        ratios = [base / kind_prior.base_s]
        per_1k_out = kind_prior.per_1k_out_s * ratios[0]
    # geometric mean of how this source compares with its kind, bounded
    scale = math.exp(sum(math.log(max(r, 1e-9)) for r in ratios) / len(ratios))
    scale = min(max(scale, 1 / MAX_SCALE), MAX_SCALE)
    return Prior(base_s=base, per_1k_in_s=kind_prior.per_1k_in_s * scale,
                 per_1k_out_s=per_1k_out, keyed_s=kind_prior.keyed_s * scale)


def _time_alternately(source: Source, one: CompiledFragment, bulk: CompiledFragment
                      ) -> tuple[list[float], list[float], int]:
    """Timed runs of both reads after one untimed run each (opening, preparing, a cold page
    cache), alternating so a burst of other work on the machine skews both alike."""
    returned = source.execute(bulk).num_rows
    source.execute(one)
    ones: list[float] = []
    bulks: list[float] = []
    stop = time.perf_counter() + BUDGET_S
    while len(ones) < REPEATS and (not ones or time.perf_counter() < stop):
        ones.append(_seconds(lambda: source.execute(one)))
        bulks.append(_seconds(lambda: source.execute(bulk)))
    return ones, bulks, returned


def _seconds(run: Callable[[], pa.Table]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


_PLAIN = (pa.types.is_integer, pa.types.is_floating, pa.types.is_string,
          pa.types.is_large_string, pa.types.is_boolean, pa.types.is_date, pa.types.is_decimal)


def _target(tables: Iterable[TableSchema]
            ) -> tuple[TableSchema, tuple[str, pa.DataType]] | None:
    """The largest table (or node table) with rows, and the column to read: a unique one
    if any, else its first of a plain type (never a vector: its bytes would be the cost)."""
    best: tuple[TableSchema, tuple[str, pa.DataType]] | None = None
    for table in tables:
        if table.kind not in ("table", "node") or not table.row_count:
            continue
        plain = [(n, t) for n, t in table.columns if any(is_(t) for is_ in _PLAIN)]
        plain.sort(key=lambda c: c[0] not in table.unique)  # stable: unique first
        if plain and (best is None or (best[0].row_count or 0) < table.row_count):
            best = (table, plain[0])
    return best


def _read(source: str, table: TableSchema, column: tuple[str, pa.DataType], limit: int
          ) -> Plan:
    """The fragment reading ``limit`` values of one column, as the planner would cut it."""
    ref = ColumnRef("t", column[0], column[1])
    if table.kind == "node":
        return GraphMatch(source, (GraphNode("t", table.name),), (), (ref,), limit=limit)
    return Scan(source, (TableAccess(table.name, "t"),), (ref,), limit=limit)
