"""What a candidate plan is predicted to cost: its fragments and stage as ``planner.cost``
steps, with the rows each is expected to return (pure: no I/O, no clock).

Rows come from what a shape returned before (its statistics), else from the catalog's
estimate (``planner.cardinality``), else ``UNKNOWN_ROWS``. A receiver of keys is predicted
with its keyed shape: the keys it gets are its sender's rows, and it returns as many rows per
key as that keyed shape did before (one when never run), never more than unkeyed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from planner.alternatives import Candidate
from planner.cardinality import estimate
from planner.catalog import Catalog
from planner.cost import (
    ARROW_STAGE,
    COLD_LOG_SD,
    FLOOR_S,
    STAGE,
    Alternative,
    Estimate,
    StatsView,
    Step,
    predict,
    predict_step,
)
from planner.expressions import ColumnRef
from planner.fragments import Fragment, KeyPass
from planner.join_work import work_rows
from planner.shape import PlanShapes
from planner.signature import K, Near, signature

UNKNOWN_ROWS = 1000.0
# a SQLite join reading 1000 rows of its tables (a scan costs ~0.05 ms per 1000 rows there,
# an index seek about 20 rows' worth: ``planner.join_work``); what it misses (TPC-H Q19 in
# one file, 6 M lineitem rows, took 8.3 s) the first measurement shows: this only has to keep
# a join over millions of rows from looking cheap before it ran, and a seek on a seed from
# looking like a scan of every table
JOIN_S_PER_1K_ROWS = 0.05e-3


def predicted(candidate: Candidate, shapes: PlanShapes, view: StatsView, catalog: Catalog,
              arrow_stage: bool = False, values: Mapping[str, object] | None = None
              ) -> Estimate:
    return predict(steps_of(candidate, shapes, view, catalog, arrow_stage, values), view)


def steps_of(candidate: Candidate, shapes: PlanShapes, view: StatsView, catalog: Catalog,
             arrow_stage: bool = False, values: Mapping[str, object] | None = None
             ) -> Alternative:
    """First phase: senders and fragments without keys, in parallel; second: receivers of
    keys, once the senders are read, beside the first phase's other fragments; then the
    stage over all their rows. A fragment that ran before with values like
    ``values`` is predicted from those runs (``planner.signature``)."""
    cut = candidate.cut
    receivers = {p.receiver for p in cut.passes}
    followers = {s.index for s in cut.shared if not s.runs}  # cut from another's read
    rows = {f.index: fragment_rows(f, shapes.fragments[f.index].id, view, catalog)
            for f in cut.fragments}
    near: dict[int, tuple[float, float, int]] = {}
    for f in cut.fragments:
        read = shapes.fragments[f.index]
        if values and read.params:
            found = view.near(f.source, read.id, signature(read.params, values))
            if found is not None:
                rows[f.index], timed = _near(f, found, view, catalog, values)
                if timed is not None:
                    near[f.index] = timed
    # receivers start once every sender is read (or the reader a sender is cut from)
    waited = {p.sender for p in cut.passes}
    waited |= {s.reader for s in cut.shared if s.index in waited}
    first = tuple(first_step(f, shapes.fragments[f.index].id, rows[f.index], near.get(f.index),
                             catalog, values, sends=f.index in waited)
                  for f in cut.fragments if f.index not in receivers | followers)
    second = []
    for f in cut.fragments:
        if f.index in receivers:
            # a pass whose sender is expected to return more keys than the pass takes is
            # skipped at run time (federation.key_passing): the receiver then reads as
            # planned, after its senders, and shares its read with no other fragment
            live = [p for p in cut.passes if p.receiver == f.index
                    and rows[p.sender] <= p.max_keys]
            if not live:
                second.append(first_step(f, shapes.fragments[f.index].id, rows[f.index],
                                         None, catalog, values))
                continue
            step = keyed_step(f, shapes.keyed[f.index].id, live, rows, view, catalog, values)
            rows[f.index] = step.rows_out or 0.0
            second.append(step)
    for s in cut.shared:
        if not s.runs:  # its input is columns of its reader's read, keyed or not
            rows[s.index] = rows[s.reader]
    stage = Step(ARROW_STAGE if arrow_stage else STAGE, shapes.stage.id,
                 sum(rows.values()), None)
    return Alternative((first, tuple(second)) if second else (first,), stage)


def keyed_step(fragment: Fragment, shape: str, live: list[KeyPass], rows: Mapping[int, float],
               view: StatsView, catalog: Catalog, values: Mapping[str, object] | None
               ) -> Step:
    """A receiver read with the keys of its ``live`` passes (its senders' rows): its keyed
    shape's rows per key, and a join inside it entered through the keys."""
    keys = sum(rows[p.sender] for p in live)
    by_column: dict[ColumnRef, float] = {}
    for p in live:
        by_column[p.receiver_key] = by_column.get(p.receiver_key, 0.0) + rows[p.sender]
    return Step(fragment.source, shape, keys,
                keyed_rows(fragment.source, shape, keys, rows[fragment.index], view),
                work_s=join_work(fragment, catalog, values, by_column))


def first_step(fragment: Fragment, shape: str, rows: float,
               near: tuple[float, float, int] | None, catalog: Catalog,
               values: Mapping[str, object] | None = None, sends: bool = False) -> Step:
    """A fragment read as planned, without keys (``sends``: receivers wait for it)."""
    return Step(fragment.source, shape, 0.0, rows, near, join_work(fragment, catalog, values),
                sends)


def _near(fragment: Fragment, found: Near, view: StatsView, catalog: Catalog,
          values: Mapping[str, object] | None = None
          ) -> tuple[float, tuple[float, float, int] | None]:
    """Rows and (seconds, spread, runs) of a fragment from its runs nearest these values
    (no seconds when only cold runs were recorded: its fit, else its prior, says those).
    Measurements say most about values like theirs: when the nearest is more than one
    recorded range away, the prediction leans towards the cold one (prior and catalog) by
    that distance, and is as uncertain as a cold one."""
    rows = found.rows
    if found.rows_distance > 1.0:
        guessed = estimate(fragment.plan, catalog, values=values)
        if guessed is not None:
            rows = _lean(rows, float(guessed), found.rows_distance, 1.0)
    if found.seconds is None:
        return rows, None
    if found.distance <= 1.0:  # the uncertainty of a mean of K neighbours
        return rows, (found.seconds, found.spread / math.sqrt(K), found.runs)
    cold = predict_step(Step(fragment.source, "", 0.0, rows,
                             work_s=join_work(fragment, catalog, values)), view).seconds
    return rows, (_lean(found.seconds, cold, found.distance, FLOOR_S),
                  max(found.spread, COLD_LOG_SD * (1 - 1.0 / found.distance)), found.runs)


def _lean(measured: float, cold: float, distance: float, floor: float) -> float:
    """``measured`` leaning towards ``cold`` the further (in recorded ranges, > 1) it was
    measured from these values: geometrically, weight 1/distance.

    >>> round(_lean(100.0, 1.0, 2.0, 1.0), 6)
    10.0
    """
    w = 1.0 / distance
    return math.exp(w * math.log(max(measured, floor)) + (1 - w) * math.log(max(cold, floor)))


def join_work(fragment: Fragment, catalog: Catalog,
              values: Mapping[str, object] | None = None,
              keys: Mapping[ColumnRef, float] | None = None) -> float:
    """Seconds a join inside a source is guessed to cost beyond its rows: the rows its plan
    reads (``planner.join_work``: seeks on the keys its values select or that are passed
    in, probes through the indexes of its join columns) at ``JOIN_S_PER_1K_ROWS``."""
    return JOIN_S_PER_1K_ROWS * work_rows(fragment.plan, catalog, values, keys) / 1000


def fragment_rows(fragment: Fragment, shape: str, view: StatsView, catalog: Catalog) -> float:
    seen = view.shape(fragment.source, shape)
    if seen is not None:
        return seen.rows_out_mean
    guessed = estimate(fragment.plan, catalog)
    return float(guessed) if guessed is not None else UNKNOWN_ROWS


def keyed_rows(source: str, shape: str, keys: float, unkeyed: float, view: StatsView) -> float:
    """Rows a receiver returns for ``keys`` keys: its keyed shape's rows per key so far."""
    seen = view.shape(source, shape)
    per_key = seen.rows_out_mean / seen.rows_in_mean \
        if seen is not None and seen.rows_in_mean > 0 else 1.0
    return min(unkeyed, keys * per_key)
