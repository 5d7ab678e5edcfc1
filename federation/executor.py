"""Runs a cut plan: source fragments (in parallel when there are several), then the DuckDB
stage over their Arrow results. Times every step for the executed plan."""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass, field, replace
from typing import Protocol

import pyarrow as pa

from federation import cancel
from federation.arrow_stage import ArrowStage, arrow_stage
from federation.errors import FederationError, SourceError
from federation.join_stage import Columns, JoinStage, StageCompiler
from federation.key_passing import KeyDecision, with_keys
from federation.sources.base import CompiledFragment, Source, arrow_schema
from federation.stage_lift import lift_correlated_filters
from federation.streams import FragmentStream
from planner.fragments import CutPlan
from planner.logical import GraphMatch, Join, Plan, Scan
from planner.set_ops import SetOp
from planner.shape import PlanShapes, plan_shapes
from planner.shared_reads import SharedRead, share_reads
from planner.subquery_plans import has_subquery, node_exprs


@dataclass(frozen=True)
class FragmentRun:
    index: int
    compiled: CompiledFragment
    rows: int
    seconds: float
    keys_in: int = 0  # keys passed into it (federation.key_passing)
    keyed: bool = False  # whether it ran with passed keys
    reused: bool = False  # read from the result cache's legs: it did not run
    shared_from: int | None = None  # cut from this fragment's read: it did not run


@dataclass(frozen=True)
class Execution:
    table: pa.Table
    fragments: tuple[FragmentRun, ...]
    stage_sql: str
    stage_seconds: float
    notes: tuple[str, ...] = ()  # what the key passes did


@dataclass(frozen=True)
class Prepared:
    """A cut plan with what the executor decides once per plan, not once per run: whether the
    stage runs in Arrow (and how it reads in EXPLAIN) and whether it joins."""

    cut: CutPlan
    arrow: ArrowStage | None
    arrow_text: str
    joins: bool
    shapes: PlanShapes | None = field(default=None, compare=False)  # what stats key on


class Legs(Protocol):
    """Legs kept from earlier runs (``federation.answers.LegReuse``)."""

    def get(self, compiled: CompiledFragment) -> pa.Table | None: ...
    def keep(self, compiled: CompiledFragment, table: pa.Table) -> None: ...


def prepare(cut: CutPlan) -> Prepared:
    cut = share_reads(replace(cut, stage=lift_correlated_filters(cut.stage)))
    in_arrow = arrow_stage(cut.stage)
    return Prepared(cut, in_arrow, in_arrow.describe() if in_arrow else "", _joins(cut.stage),
                    plan_shapes(cut))


def row_capped(prepared: Prepared, max_rows: int | None) -> CutPlan:
    """The cut plan with the fragment of an Arrow stage limited to one row past the cap
    (after the stage's offsets): an Arrow stage returns that fragment's rows, so reading
    more could only end in ``ResourceLimitError``, and the cap is then known without
    reading the whole result."""
    stage, cut = prepared.arrow, prepared.cut
    if max_rows is None or stage is None:
        return cut
    if any(limit is not None and limit <= max_rows for _, limit in stage.slices):
        return cut
    cap = sum(offset for offset, _ in stage.slices) + max_rows + 1
    fragments = []
    for f in cut.fragments:
        plan = f.plan
        if f.index == stage.index and isinstance(plan, Scan | GraphMatch) \
                and (plan.limit is None or plan.limit > cap):
            f = replace(f, plan=replace(plan, limit=cap))
        fragments.append(f)
    return replace(cut, fragments=tuple(fragments))


def compile_fragments(cut: CutPlan, sources: Mapping[str, Source],
                      params: Mapping[str, object]) -> dict[int, CompiledFragment]:
    return {f.index: _compiled(f.source, sources[f.source], f.plan, params)
            for f in cut.fragments}


def _compiled(name: str, source: Source, plan: Plan, params: Mapping[str, object]
              ) -> CompiledFragment:
    """A source's driver error while compiling (it may read statistics) names the source."""
    try:
        return source.compile(plan, params)
    except FederationError:
        raise
    except Exception as err:
        raise SourceError(f"cannot compile a fragment: {err}", source=name) from err


def compile_stage(prepared: Prepared, stage: JoinStage, params: Mapping[str, object],
                  views: Mapping[int, tuple[int, Columns]] | None = None
                  ) -> tuple[str, list[object], dict[int, str]]:
    """The stage's DuckDB SQL, or the description of its Arrow form (no values, no inputs).
    ``views``: inputs read as columns of another fragment's input (``shared_views``)."""
    cut = prepared.cut
    views = views or {}
    names = {f.index: stage.input_name(views[f.index][0] if f.index in views else f.index)
             for f in cut.fragments}
    if prepared.arrow is not None:
        return prepared.arrow_text, [], names
    columns = {i: cols for i, (_, cols) in views.items()}
    sql, values = StageCompiler(names, params, columns).compile(cut.stage)
    return sql, values, names


def shared_views(shared: tuple[SharedRead, ...], inputs: Mapping[int, object]
                 ) -> dict[int, tuple[int, Columns]]:
    """The shared reads whose columns are all columns of their reader's own input, as
    (reader, columns renamed): registering an input costs DuckDB ~0.2 ms, and TPC-H Q11's
    outer query and HAVING subquery read the same two legs (four inputs, two registered)."""
    own = {s.reader: s.positions for s in shared if s.runs}
    views: dict[int, tuple[int, Columns]] = {}
    for s in shared:
        reader, part = inputs.get(s.reader), inputs.get(s.index)
        if s.runs or not isinstance(reader, pa.Table) or not isinstance(part, pa.Table):
            continue
        positions = own.get(s.reader, tuple(range(reader.num_columns)))
        if not set(s.positions) <= set(positions):
            continue
        at = [positions.index(p) for p in s.positions]
        if [reader.schema.field(j).type for j in at] != part.schema.types:
            continue  # a cast: the input keeps its own table
        views[s.index] = (s.reader, tuple((reader.column_names[j], name)
                                          for j, name in zip(at, part.column_names,
                                                             strict=True)))
    return views


def _joins(plan: Plan) -> bool:
    """Whether the stage joins: DuckDB estimates a stream at one row, so a streamed input
    of a join would become the build side of its hash join (6 M rows held in memory instead
    of streamed past); joined inputs are materialised, so DuckDB knows their sizes. A
    subquery may read its inputs more than once: they are materialised too. INTERSECT and
    EXCEPT hash-join their branches too."""
    return isinstance(plan, Join | SetOp) or any(has_subquery(e) for e in node_exprs(plan)) \
        or any(_joins(c) for c in plan.children)


def _run_fragment(source: Source, index: int, compiled: CompiledFragment,
                  keys_in: int | None = None) -> tuple[FragmentRun, pa.Table]:
    """``keys_in``: how many keys were passed into it (None: it runs without keys)."""
    start = time.perf_counter()
    cancel.check()
    try:
        table = source.execute(compiled)
    except FederationError:
        raise
    except Exception as err:  # a driver error the source did not wrap still names it
        raise SourceError(str(err), source=compiled.source, fragment=compiled.native) from err
    elapsed = time.perf_counter() - start
    expected = arrow_schema(compiled.schema)
    if table.schema != expected:
        try:
            table = table.cast(expected)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
            raise SourceError(f"returned {table.schema} instead of {expected}",
                              source=compiled.source, fragment=compiled.native) from err
    return FragmentRun(index, compiled, table.num_rows, elapsed, keys_in or 0,
                       keys_in is not None), table


Job = tuple[Source, int, CompiledFragment, int | None]
Ran = tuple[FragmentRun, pa.Table]


def _submit(jobs: list[Job], pool: Executor) -> list[Future[Ran]]:
    # the pool's threads run with the query's token, so its deadline interrupts them too
    return [pool.submit(cancel.in_context(_run_fragment), *job) for job in jobs]


def _run_all(jobs: list[Job], pool: Executor, behind: list[Job] | None = None
             ) -> tuple[list[Ran], list[Future[Ran]]]:
    """The first job in the calling thread, the rest on the engine's long-lived pool (whose
    threads keep their per-thread source connections); waits for all whatever happens.
    ``behind`` are queued after them and returned still running (waited for on failure)."""
    if len(jobs) == 1 and not behind:  # the usual lookup: nothing to hand to the pool
        return [_run_fragment(*jobs[0])], []
    futures = _submit(jobs[1:], pool)
    later = _submit(behind or [], pool)
    try:
        try:
            done = [_run_fragment(*jobs[0])] if jobs else []
        finally:
            wait(futures)
        return done + [f.result() for f in futures], later
    except BaseException:
        wait(later)  # never leave a fragment running behind a failed one
        raise


def execute(prepared: Prepared, compiled: Mapping[int, CompiledFragment],
            sources: Mapping[str, Source],
            stage: JoinStage, params: Mapping[str, object], pool: Executor,
            max_rows: int | None = None, decide: KeyDecision | None = None,
            legs: Legs | None = None) -> Execution:
    """Run every fragment, then the stage; inputs are unregistered whatever happens.

    Senders of key passes and other fragments run first, in parallel; receivers of keys run
    next, compiled with the keys they got. Fragments of streaming sources of a join-free
    stage enter DuckDB as readers it drains while the stage runs. With ``legs``, a fragment
    kept from an earlier run (same text, values and source version) does not run again, and
    those that run are kept.
    """
    cut, in_arrow = prepared.cut, prepared.arrow
    if len(cut.fragments) < 2:
        legs = None  # the answer's own cache entry covers a lone leg
    shared = {s.index for s in cut.shared}
    streamed = {f.index for f in cut.fragments
                if in_arrow is None and sources[f.source].streams and not prepared.joins} - shared
    receivers = {p.receiver for p in cut.passes} - streamed
    followers = {s.index for s in cut.shared if not s.runs}  # cut from a reader's table
    done = _reused(cut, compiled, receivers | followers, legs)
    streamed -= {r.index for r, _ in done}
    skip = streamed | receivers | followers | {r.index for r, _ in done}
    jobs = [(sources[f.source], f.index, compiled[f.index], None)
            for f in cut.fragments if f.index not in skip]
    early = tuple(s for s in cut.shared if s.reader not in receivers)
    # receivers start once their senders are read, while the other fragments still run
    senders = _senders(cut, early) if receivers else {j[1] for j in jobs}
    ran, later = _run_all([j for j in jobs if j[1] in senders], pool,
                          [j for j in jobs if j[1] not in senders])
    got = {r.index for r, _ in done + ran}
    first = tuple(s for s in early if s.reader in got)
    done = _shared_inputs(first, done + ran, compiled)
    try:
        notes = _run_receivers(cut, receivers, done, compiled, sources, params, pool, decide)
    finally:
        wait(later)  # never leave a fragment running behind a failed one
    rest = [f.result() for f in later]
    if legs is not None:
        for run, table in ran + rest:
            legs.keep(run.compiled, table)
    done += _shared_inputs(tuple(s for s in early if s not in first), rest, compiled)
    # a keyed read several receivers share is cut once it has run (planner.shared_reads)
    done = _shared_inputs(tuple(s for s in cut.shared if s not in early), done, compiled)
    cancel.check()
    start = time.perf_counter()
    if in_arrow is not None:
        result = in_arrow.run({r.index: t for r, t in done}[in_arrow.index])
        return Execution(result, _sorted([r for r, _ in done]), prepared.arrow_text,
                         time.perf_counter() - start, tuple(notes))
    streams = {f.index: FragmentStream(sources[f.source].execute_batches(compiled[f.index]),
                                       compiled[f.index])
               for f in cut.fragments if f.index in streamed}
    inputs: dict[int, pa.Table | pa.RecordBatchReader] = {r.index: t for r, t in done}
    inputs.update({i: s.reader() for i, s in streams.items()})
    result, sql = _run_stage(prepared, inputs, streams, stage, params, max_rows)
    runs = [r for r, _ in done] + [FragmentRun(i, compiled[i], s.rows, s.seconds)
                                   for i, s in streams.items()]
    return Execution(result, _sorted(runs), sql, time.perf_counter() - start, tuple(notes))


def _run_stage(prepared: Prepared, inputs: Mapping[int, pa.Table | pa.RecordBatchReader],
               streams: Mapping[int, FragmentStream], stage: JoinStage,
               params: Mapping[str, object], max_rows: int | None) -> tuple[pa.Table, str]:
    """The DuckDB stage's result and SQL; a stream that failed while DuckDB drained it
    raises its own error rather than DuckDB's."""
    views = shared_views(prepared.cut.shared, inputs)
    sql, values, names = compile_stage(prepared, stage, params, views)
    try:
        return stage.run(sql, values, {names[i]: t for i, t in inputs.items()
                                       if i not in views}, max_rows), sql
    except FederationError:
        failed = next((s.error for s in streams.values() if s.error is not None), None)
        if failed is not None:
            raise failed from None
        raise


def _senders(cut: CutPlan, early: tuple[SharedRead, ...]) -> set[int]:
    """The fragments whose reads the receivers of keys wait for: the senders, and the
    readers of senders cut from another fragment's read."""
    senders = {p.sender for p in cut.passes}
    return senders | {s.reader for s in early if s.index in senders}


def _reused(cut: CutPlan, compiled: Mapping[int, CompiledFragment], receivers: set[int],
            legs: Legs | None) -> list[tuple[FragmentRun, pa.Table]]:
    """Fragments kept from earlier runs (receivers of keys are compiled with the keys
    later: they always run)."""
    if legs is None:
        return []
    found = []
    for f in cut.fragments:
        table = legs.get(compiled[f.index]) if f.index not in receivers else None
        if table is not None:
            found.append((FragmentRun(f.index, compiled[f.index], table.num_rows, 0.0,
                                      reused=True), table))
    return found


def _shared_inputs(shares: tuple[SharedRead, ...], done: list[tuple[FragmentRun, pa.Table]],
                   compiled: Mapping[int, CompiledFragment]) -> list[tuple[FragmentRun, pa.Table]]:
    """``done`` with each shared read's input cut from its reader's table (the reader's own
    input narrowed to its own columns, the others' columns renamed to theirs)."""
    if not shares:
        return done
    readers = {s.reader for s in shares}
    tables = {r.index: (r, t) for r, t in done}
    out = [(r, t) for r, t in done if r.index not in readers]
    for share in shares:
        run, table = tables[share.reader]
        # a reader's compiled schema is the widened one: its own columns come first
        target = arrow_schema(compiled[share.index].schema[:len(share.positions)])
        part = table.select(list(share.positions)).rename_columns(target.names)
        if part.schema != target:
            part = part.cast(target)
        if not share.runs:
            run = FragmentRun(share.index, compiled[share.index], part.num_rows, 0.0,
                              shared_from=share.reader)
        out.append((run, part))
    return out


def _run_receivers(cut: CutPlan, receivers: set[int], done: list[tuple[FragmentRun, pa.Table]],
                   compiled: Mapping[int, CompiledFragment], sources: Mapping[str, Source],
                   params: Mapping[str, object], pool: Executor,
                   decide: KeyDecision | None = None) -> list[str]:
    """Compile each receiver with its senders' keys and run them (appended to ``done``;
    a receiver read in chunks is one run of all its rows); returns what each pass did."""
    if not receivers:
        return []
    tables = {r.index: t for r, t in done}
    jobs, notes = [], []
    for f in cut.fragments:
        if f.index in receivers:
            keyed, said, keys = with_keys(f, cut.passes, tables, sources[f.source], params,
                                          compiled[f.index], decide)
            passed = keys if keyed[0] is not compiled[f.index] else None
            jobs += [(sources[f.source], f.index, chunk, passed) for chunk in keyed]
            notes += said
    runs: dict[int, list[tuple[FragmentRun, pa.Table]]] = {}
    start = time.perf_counter()
    for run in _run_all(jobs, pool)[0]:
        runs.setdefault(run[0].index, []).append(run)
    # chunks run side by side on the pool: a read in chunks took at most the phase's time
    # (the sum of its chunks' times would tell the router it took several times longer)
    wall = time.perf_counter() - start
    for parts in runs.values():
        first = parts[0][0]
        done.append((replace(first, rows=sum(r.rows for r, _ in parts),
                             seconds=min(wall, sum(r.seconds for r, _ in parts))),
                     pa.concat_tables([t for _, t in parts])))
    return notes


def _sorted(runs: list[FragmentRun]) -> tuple[FragmentRun, ...]:
    return tuple(sorted(runs, key=lambda r: r.index))
