"""The engine façade: attach sources, then parse → bind → optimize → cut → execute (the
planning half, up to the chosen route and EXPLAIN, is ``federation.engine_plans``)."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from federation.answers import (
    LegReuse,
    QueryKey,
    Tokens,
    answer_bytes,
    answer_key,
    hit,
    leg_note,
    source_tokens,
)
from federation.cache import DEFAULT_BYTES
from federation.calibration import calibrate
from federation.cancel import running
from federation.catalogs import catalogs
from federation.engine_plans import Planning, another_route, fragment_text
from federation.errors import (
    ConfigurationError,
    ResourceLimitError,
    SourceUnavailableError,
)
from federation.executor import (
    Execution,
    Prepared,
    compile_fragments,
    execute,
    row_capped,
)
from federation.join_stage import JoinStage, too_many_rows
from federation.lifecycle import Attached
from federation.malloc import DEFAULT_ARENAS, cap_arenas
from federation.mirrors import MirrorRegistry
from federation.ops.engine_ops import OpsMixin
from federation.options import check_limits, result_cache, workspace_folder
from federation.params import check_params
from federation.plan_cache import PlanCache
from federation.result import ExecutedPlan, Result
from federation.routing import (
    Routes,
    key_decider,
)
from federation.sources.base import Source
from federation.stats import Stats, samples
from federation.writes.api import Writes
from grammar.parser import parse
from planner.catalog import SourceInfo
from planner.errors import PlanError
from planner.optimizer import Rule
from planner.router import Router
from planner.rules import RULES

if TYPE_CHECKING:
    import pyarrow as pa

_SOURCE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ATTACHES = itertools.count(1)  # tags version tokens: a source attached anew starts apart


@lru_cache(maxsize=512)
def _parsed(text: str) -> QueryKey:
    """Parsing depends on the text alone, so repeated queries skip Lark (and hashing the
    tree for the result cache)."""
    return QueryKey(parse(text))


class Engine(Writes, OpsMixin, Planning):
    """``fed.connect()``: attached sources, a sandboxed DuckDB stage, and query entry points."""

    def __init__(self, workspace: str | Path | None = None, *, memory_limit: str = "2GB",
                 threads: int = 2, timeout: float | None = None, max_hops: int = 10,
                 max_k: int = 10_000, max_rows: int | None = None,
                 rules: Sequence[Rule] = RULES,
                 key_passing_rows: int | str | None = "auto", route: str = "auto",
                 route_seed: int | None = None, cache_bytes: int = DEFAULT_BYTES,
                 cache_entry_bytes: int | None = None,
                 cache_fragment_bytes: int | None = None, pool_size: int = 8,
                 breaker_failures: int = 3, breaker_cooldown: float = 30.0,
                 malloc_arenas: int | None = DEFAULT_ARENAS) -> None:
        self.workspace = workspace_folder(workspace)
        check_limits(timeout, max_rows, key_passing_rows, malloc_arenas)
        if malloc_arenas is not None:  # before the stage's and the sources' threads start
            cap_arenas(malloc_arenas)
        # pools, circuit breaker, metrics, aquery (federation.ops): checked before opening
        self._init_ops(pool_size, breaker_failures, breaker_cooldown)
        self.cache = result_cache(cache_bytes, cache_entry_bytes, cache_fragment_bytes)
        self._attaches: dict[str, int] = {}  # the attach that made each source (tokens)
        try:
            self._router = Router(route, route_seed)
        except PlanError as err:
            raise ConfigurationError(str(err)) from None
        self._stats = Stats(self.workspace)  # loaded from the workspace, kept there
        self._last_info: dict[str, SourceInfo] = {}  # planned on while a source is down
        self._warm: set[str] = set()  # sources (and the stage) that ran a query already
        try:
            self._mirrors = MirrorRegistry(self.workspace)  # eng.mirror(...), kept there too
        except ConfigurationError:
            self._stats.close()  # the statistics file is open already: not left behind
            raise
        self._writes_init()  # the write journal: what a killed process left is resolved
        self._attached = Attached()  # sources, and the queries running on them
        self._stage = JoinStage(memory_limit=memory_limit, threads=threads)
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="fed-fragment")
        self.timeout = timeout  # seconds per query, from its start: stops every source's work
        self.max_hops = max_hops
        self.max_k = max_k
        self.max_rows = max_rows
        # "auto": the router decides which join keys are passed between legs, and whether,
        # once it knows how many; an integer always passes the keys the catalog heuristic
        # picks for legs estimated at that many rows or more (0: wherever it can); None: never
        self.key_passing_rows = key_passing_rows
        self.rules = tuple(rules)  # tests and benchmarks run subsets to compare routes
        self._plans = PlanCache(maxsize=512)

    # ---- sources
    def attach(self, name: str, source: Source) -> None:
        """Attach ``source`` under ``name`` (an identifier, unique in this engine)."""
        self._check_open()
        if not isinstance(name, str) or not _SOURCE_NAME.match(name):
            raise ConfigurationError(f"source name {name!r} must be an identifier")
        if not isinstance(source, Source):
            raise ConfigurationError("attach() takes fed.SQLite(...), fed.Kuzu(...) or "
                                     "fed.LanceDB(...)")
        # the name is reserved while the source opens (Kuzu probes its file in a child
        # process): queries on other sources go on meanwhile
        self._attached.reserve(name)
        try:
            source.open(name)
        except BaseException:
            self._attached.add(name, None)
            raise
        self._attached.add(name, source)
        self._attaches[name] = next(_ATTACHES)
        self._warm.discard(name)  # its first query opens connections again
        calibrate(name, source, self._stats)  # first attach to a workspace: never raises

    def detach(self, name: str) -> None:
        """Detach ``name``: queries reading it are cancelled (``SourceUnavailableError``),
        and it is released once none runs on it."""
        self._attached.detach(name)

    @property
    def sources(self) -> Mapping[str, Source]:
        return self._attached.snapshot()

    def catalog(self, only: frozenset[str] | None = None) -> dict[str, SourceInfo]:
        """Catalogs of the attached sources (``only``: the lower-cased names wanted)."""
        return catalogs(self._attached.snapshot(), only)

    # ---- queries
    @contextmanager
    def _running(self, text: str, params: Mapping[str, object] | None
                 ) -> Iterator[tuple[QueryKey, dict[str, object], dict[str, Source]]]:
        """The parsed query, its values and the sources it reads, registered as running on
        them (``close()``/``detach()`` cancel it and wait for it to leave) under a token that
        stops it at its deadline."""
        self._check_open()
        if not isinstance(text, str):
            raise ConfigurationError("a query is a string of FQL")
        token = self._query_token()  # its deadline: an aquery's counts from the call
        try:
            with running(token):
                values = check_params(params)
                parsed = _parsed(text)
                # sources the query does not read stay idle; mirrors of its relations may serve
                names = parsed.names
                sources = self._attached.begin(token, names | self._mirrors.partners(names))
                try:
                    with self._gates.holding(sources, token.deadline, token=token):
                        yield parsed, values, sources
                finally:
                    self._attached.end(token)
        except RecursionError:
            raise ResourceLimitError("the query is nested too deeply to plan") from None

    def query(self, text: str, params: Mapping[str, object] | None = None, *,
              route: str | None = None) -> Result:
        """Run one FQL query; values go in ``params`` and are always bound, never spliced.
        ``route`` forces one of the query's alternatives by the name EXPLAIN shows. The
        answer comes from the result cache when no source it reads changed since it was
        stored (``federation.cache``; ``res.plan.cache`` says so)."""
        return self._observed(lambda: self._query(text, params, route))

    def _query(self, text: str, params: Mapping[str, object] | None,
               route: str | None) -> Result:
        start = time.perf_counter()
        with self._running(text, params) as (parsed, values, sources):
            # read before anything runs: a write landing meanwhile files the answer under
            # a token no later lookup presents
            tokens = source_tokens(sources, self._attaches) if self.cache.enabled and \
                not self._in_transaction() and not self._breaker.blocked(sources) else None
            if tokens is None:
                said = "off" if not self.cache.enabled else \
                    "not used: inside a transaction" if self._in_transaction() else \
                    "not used: a source it reads cannot give its version now"
                return self._computed(parsed, values, sources, route, start, said=said)
            found, how = self.cache.answer(answer_key(parsed, values, route, tokens),
                                           self._to_store, parsed, values, sources, route,
                                           start, tokens)
        if how == "miss":
            return found
        if self.max_rows is not None and len(found) > self.max_rows:
            raise ResourceLimitError(too_many_rows(self.max_rows))
        return hit(found, how, start)

    def _to_store(self, parsed: QueryKey, values: dict[str, object],
                  sources: Mapping[str, Source], route: str | None, start: float,
                  tokens: Tokens) -> tuple[Result, int]:
        """A miss: the answer (its plan saying which legs were reused) and its bytes."""
        result = self._computed(parsed, values, sources, route, start, tokens)
        return result, answer_bytes(result)

    def _computed(self, parsed: QueryKey, values: dict[str, object],
                  sources: Mapping[str, Source], route: str | None, start: float,
                  tokens: Tokens | None = None, said: str = "") -> Result:
        """Plan, route and run the query, and record what its run took; with ``tokens``
        (the sources' versions before it ran) legs are reused and kept."""
        routes, catalog, down = self._planned(parsed, values, sources, tokens)
        while True:
            planned, decision = self._routed(routes, catalog, route, down, values)
            try:
                # an explored route runs as planned, as a forced one does: it is there to
                # be measured (its key passes declined, its keyed reads never would be)
                run, plan_done = self._run(routes, planned, catalog, sources, values,
                                           route is not None or bool(decision
                                                                     and decision.explored),
                                           tokens)
                break
            except SourceUnavailableError as err:
                # a source went down under the query: its mirror serves, if it has one
                # (once: a source already excluded failing again is the query cancelled)
                if err.source in down or not another_route(routes, down | {err.source},
                                                            route):
                    raise
                down |= {err.source}
        if self.max_rows is not None and run.table.num_rows > self.max_rows:
            raise ResourceLimitError(too_many_rows(self.max_rows))
        if planned.shapes is not None:
            self._stats.record(samples(planned.shapes, run.fragments, run.stage_seconds,
                                       run.table.num_rows, planned.arrow is not None,
                                       values), cold=not self._warmed(planned))
        texts = tuple(fragment_text(r.compiled, r.rows, r.seconds, r.reused, r.shared_from)
                      for r in run.fragments)
        timings = {"plan": plan_done - start,
                   "fragments": sum(r.seconds for r in run.fragments),
                   "duckdb": run.stage_seconds, "total": time.perf_counter() - start}
        return Result(run.table, ExecutedPlan(planned.cut.stage, texts, run.stage_sql, timings,
                                              notes=run.notes, route=decision,
                                              cache=said or leg_note(texts)))

    def _warmed(self, planned: Prepared) -> bool:
        """Whether every source of this run (and the DuckDB stage) had run a query in this
        engine before: a first one pays for connections, drivers and caches (seconds, not
        milliseconds), which would make its route look slow for many executions."""
        used = {f.source for f in planned.cut.fragments} | \
            ({"(stage)"} if planned.arrow is None else set())
        cold = used - self._warm
        self._warm |= cold
        return not cold

    def _run(self, routes: Routes, planned: Prepared, catalog: dict[str, SourceInfo],
             sources: Mapping[str, Source], values: dict[str, object], forced: bool,
             tokens: Tokens | None = None) -> tuple[Execution, float]:
        # a route forced by name passes its keys, as a forced policy does
        decide = None if forced else key_decider(routes, planned, self._stats.view(catalog),
                                                 catalog, self._router.policy)
        # an Arrow stage returns its fragment's rows: that fragment reads one row past the
        # cap at most, so an oversized result is never read whole
        cut = row_capped(planned, self.max_rows)
        compiled = compile_fragments(cut, sources, values)
        # legs are kept for a query of several fragments only (a lone one is the answer)
        legs = LegReuse(self.cache, tokens) if tokens is not None \
            and len(cut.fragments) > 1 else None
        plan_done = time.perf_counter()
        return execute(planned, compiled, sources, self._stage, values, self._pool,
                       self.max_rows, decide, legs), plan_done

    def mirror(self, primary: str, copy: str, *, source: str | None = None,
               target: str | None = None) -> None:
        """Declare ``copy`` a mirror of ``primary`` (``federation.mirrors``)."""
        self._check_open()
        self._mirrors.add(primary, copy, source, target, self.catalog())

    def stats(self) -> pa.Table:
        """What was recorded per source and fragment shape (``federation.stats``): one row
        per (source, shape) with executions, decayed mean rows in and out, recent latency
        quantiles and the fitted cost line; the DuckDB stage is the source ``(duckdb)``."""
        return self._stats.table()

    # ---- lifecycle
    def _check_open(self) -> None:
        if self._attached.closed:
            raise ConfigurationError("this engine is closed")

    def close(self) -> None:
        """Refuse new queries, cancel running ones (they raise ``ConfigurationError``) and
        release every source and the DuckDB stage once no query runs on them (any thread may
        call it; it waits a bounded time, then leaves the release to the last query)."""
        self._attached.close(self._release)

    def _release(self) -> None:
        self.cache.clear()  # its answers hold Arrow buffers: freed with the engine
        self._close_ops()
        self._pool.shutdown(wait=True)
        self._stage.close()
        self._stats.close()  # written to the workspace once more
        self._mirrors.close()
        self._writes_close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def connect(workspace: str | Path | None = None, **options: Any) -> Engine:
    """``connect()`` for the embedded default (all in memory), ``connect(path)`` to keep state
    in a workspace folder."""
    return Engine(workspace, **options)
