"""The engine façade: attach sources, then parse → bind → optimize → cut → execute."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from federation.errors import ConfigurationError, ResourceLimitError
from federation.executor import Prepared, compile_fragments, compile_stage, execute, prepare
from federation.join_stage import JoinStage
from federation.params import check_params
from federation.plan_cache import PlanCache
from federation.result import ExecutedPlan, Result
from federation.sources.base import CompiledFragment, Source
from grammar import ast
from grammar.ast import sources_of
from grammar.parser import parse
from planner.binder import Binder
from planner.catalog import SourceInfo
from planner.explain import FragmentText
from planner.fragments import cut
from planner.optimizer import Rule, optimize
from planner.rules import RULES
from planner.semijoin import MIN_RECEIVER_ROWS, key_passes

_SOURCE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@lru_cache(maxsize=512)
def _parsed(text: str) -> ast.Query:
    """Parsing depends on the text alone, so repeated queries skip Lark."""
    return parse(text)


class Engine:
    """``fed.connect()``: attached sources, a sandboxed DuckDB stage, and query entry points."""

    def __init__(self, workspace: str | Path | None = None, *, memory_limit: str = "2GB",
                 threads: int = 2, timeout: float | None = None, max_hops: int = 10,
                 max_k: int = 10_000, max_rows: int | None = None,
                 rules: Sequence[Rule] = RULES,
                 key_passing_rows: int | None = MIN_RECEIVER_ROWS) -> None:
        self.workspace = Path(workspace) if workspace is not None else None
        if self.workspace is not None:
            try:
                self.workspace.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise ConfigurationError(f"cannot use workspace {str(workspace)!r}: {err}") \
                    from err
        self._sources: dict[str, Source] = {}
        self._stage = JoinStage(memory_limit=memory_limit, threads=threads)
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="fed-fragment")
        self._lock = threading.Lock()
        self._closed = False
        self.timeout = timeout
        self.max_hops = max_hops
        self.max_k = max_k
        self.max_rows = max_rows
        # a leg estimated at this many rows or more may receive a smaller leg's join keys
        # (planner.semijoin); None turns key passing off, 0 passes keys wherever it can
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
        with self._lock:
            if name.lower() in (n.lower() for n in self._sources):
                raise ConfigurationError(f"a source named {name!r} is already attached")
            source.open(name)
            self._sources[name] = source

    def detach(self, name: str) -> None:
        with self._lock:
            source = self._sources.pop(name, None)
        if source is None:
            raise ConfigurationError(f"no source named {name!r} is attached")
        source.close()

    @property
    def sources(self) -> Mapping[str, Source]:
        return dict(self._sources)

    def catalog(self, only: frozenset[str] | None = None) -> dict[str, SourceInfo]:
        """Catalogs of the attached sources (``only``: the lower-cased names wanted)."""
        return {name: src.info() for name, src in self._sources.items()
                if only is None or name.lower() in only}

    # ---- queries
    def _plan(self, text: str, params: Mapping[str, object] | None
              ) -> tuple[Prepared, dict[str, object]]:
        self._check_open()
        if not isinstance(text, str):
            raise ConfigurationError("a query is a string of FQL")
        values = check_params(params)
        query = _parsed(text)
        catalog = self.catalog(sources_of(query))  # sources the query does not read stay idle
        key = PlanCache.base_key(query, values, catalog)
        planned = self._plans.get(key, values)
        if planned is None:
            binder = Binder(catalog, values, max_hops=self.max_hops, max_k=self.max_k,
                            source_names=list(self._sources))
            plan = cut(optimize(binder.bind_statement(query), catalog, self.rules))
            if self.key_passing_rows is not None:
                plan = replace(plan, passes=key_passes(plan, catalog, self.key_passing_rows))
            planned = prepare(plan)
            self._plans.put(key, values, frozenset(binder.shape_params), planned)
        return planned, values

    def query(self, text: str, params: Mapping[str, object] | None = None) -> Result:
        """Run one FQL query; values go in ``params`` and are always bound, never spliced."""
        try:
            return self._query(text, params)
        except RecursionError:
            raise ResourceLimitError("the query is nested too deeply to plan") from None

    def _query(self, text: str, params: Mapping[str, object] | None) -> Result:
        start = time.perf_counter()
        planned, values = self._plan(text, params)
        compiled = compile_fragments(planned.cut, self._sources, values)
        plan_done = time.perf_counter()
        run = execute(planned, compiled, self._sources, self._stage, values, self._pool,
                      self.timeout)
        if self.max_rows is not None and run.table.num_rows > self.max_rows:
            raise ResourceLimitError(f"the result has {run.table.num_rows} rows; this engine "
                                     f"returns at most {self.max_rows} (connect(max_rows=...))")
        texts = tuple(_fragment_text(r.compiled, r.rows, r.seconds) for r in run.fragments)
        timings = {"plan": plan_done - start,
                   "fragments": sum(r.seconds for r in run.fragments),
                   "duckdb": run.stage_seconds, "total": time.perf_counter() - start}
        return Result(run.table, ExecutedPlan(planned.cut.stage, texts, run.stage_sql, timings,
                                              notes=run.notes))

    def explain(self, text: str, params: Mapping[str, object] | None = None,
                analyze: bool = False) -> ExecutedPlan:
        """The plan for ``text``; with ``analyze`` the query runs and timings are included."""
        if analyze:
            return self.query(text, params).plan
        try:
            planned, values = self._plan(text, params)
        except RecursionError:
            raise ResourceLimitError("the query is nested too deeply to plan") from None
        compiled = compile_fragments(planned.cut, self._sources, values)
        sql, _, _ = compile_stage(planned, self._stage, values)
        texts = tuple(_fragment_text(c) for c in compiled.values())
        notes = tuple(f"planned: {p.describe()}" for p in planned.cut.passes)
        return ExecutedPlan(planned.cut.stage, texts, sql, {}, analyzed=False, notes=notes)

    # ---- lifecycle
    def _check_open(self) -> None:
        if self._closed:
            raise ConfigurationError("this engine is closed")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._pool.shutdown(wait=True)
        for source in self._sources.values():
            source.close()
        self._stage.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _fragment_text(c: CompiledFragment, rows: int | None = None,
                   seconds: float | None = None) -> FragmentText:
    return FragmentText(c.source, c.kind, c.native, c.params, rows, seconds)


def connect(workspace: str | Path | None = None, **options: Any) -> Engine:
    """``connect()`` for the embedded default (all in memory), ``connect(path)`` to keep state
    in a workspace folder."""
    return Engine(workspace, **options)
