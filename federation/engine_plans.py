"""The planning half of the engine, mixed into ``Engine``: a parsed query's candidate plans
(cached per catalog, mirrors and values), the catalog they were planned on with the sources
found down, the route the router picks among them, and ``explain`` — everything a query does
before its fragments run. ``federation.engine`` runs the chosen plan."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from federation.answers import QueryKey, Tokens
from federation.catalogs import query_catalogs
from federation.errors import SourceUnavailableError
from federation.executor import Prepared, compile_fragments, compile_stage
from federation.join_stage import JoinStage
from federation.lifecycle import Attached
from federation.mirrors import MirrorRegistry
from federation.plan_cache import PlanCache
from federation.result import ExecutedPlan, Result
from federation.routing import Routes, choose, leaf_variants, plan_routes
from federation.sources.base import CompiledFragment, Source
from federation.stats import Stats
from planner.binder import Binder
from planner.catalog import SourceInfo
from planner.errors import PlanError
from planner.explain import FragmentText
from planner.optimizer import Rule
from planner.router import RouteDecision, Router


class Planning:
    """Needs the engine's sources, mirrors, plan cache, statistics and router, its limits
    and rules, and the query entry points declared below."""

    _attached: Attached
    _mirrors: MirrorRegistry
    _plans: PlanCache
    _stats: Stats
    _router: Router
    _stage: JoinStage
    _last_info: dict[str, SourceInfo]
    max_hops: int
    max_k: int
    rules: Sequence[Rule]
    key_passing_rows: int | str | None

    if TYPE_CHECKING:  # defined by Engine and OpsMixin
        def _running(self, text: str, params: Mapping[str, object] | None
                     ) -> AbstractContextManager[
                         tuple[QueryKey, dict[str, object], dict[str, Source]]]: ...

        def query(self, text: str, params: Mapping[str, object] | None = None, *,
                  route: str | None = None) -> Result: ...

        def _refused(self, name: str) -> SourceUnavailableError | None: ...

        def _found_down(self, down: frozenset[str]) -> None: ...

    def _plan(self, text: str, params: Mapping[str, object] | None
              ) -> tuple[Prepared, dict[str, object]]:
        """The prepared plan of ``text`` the router would run, and its values (tests look
        at plans this way)."""
        with self._running(text, params) as (parsed, values, sources):
            routes, catalog, down = self._planned(parsed, values, sources)
            prepared, _ = self._routed(routes, catalog, None, down, values, explore=False)
            return prepared, values

    def _planned(self, parsed: QueryKey, values: dict[str, object],
                 sources: Mapping[str, Source], tokens: Tokens | None = None
                 ) -> tuple[Routes, dict[str, SourceInfo], frozenset[str]]:
        """The query's candidate plans (cached), the catalog they were planned on, and the
        sources found unavailable (planned on their last catalog: a mirror may serve)."""
        catalog, down = self._catalog_of(sources, parsed.names, tokens)
        mirrors = self._mirrors.current(catalog)
        key = (*PlanCache.base_key(parsed, values, catalog), mirrors)
        routes = self._plans.get(key, values)
        if routes is None:
            binder = Binder(catalog, values, max_hops=self.max_hops, max_k=self.max_k,
                            source_names=list(self._attached.snapshot()))
            routes = plan_routes(binder.bind_statement(parsed.query), catalog, self.rules,
                                 leaf_variants(mirrors, catalog), self.key_passing_rows)
            self._plans.put(key, values, frozenset(binder.shape_params), routes)
        return routes, catalog, down

    def _catalog_of(self, sources: Mapping[str, Source], named: frozenset[str],
                    tokens: Tokens | None = None
                    ) -> tuple[dict[str, SourceInfo], frozenset[str]]:
        catalog, down = query_catalogs(sources, named, tokens, self._last_info, lambda n: bool(
            self._mirrors.partners(frozenset({n.lower()}))), self._refused)
        self._found_down(down)
        return catalog, down

    def _routed(self, routes: Routes, catalog: dict[str, SourceInfo], forced: str | None,
                down: frozenset[str] = frozenset(),
                values: Mapping[str, object] | None = None, explore: bool = True
                ) -> tuple[Prepared, RouteDecision | None]:
        if down and not another_route(routes, down, None):
            name = sorted(down)[0]
            raise SourceUnavailableError("unavailable, and no mirror serves this query",
                                         source=name)
        try:
            return choose(routes, self._router, self._stats.view(catalog), catalog,
                          forced=forced, explore=explore, unavailable=down, values=values)
        except PlanError as err:
            if not down:
                raise
            # the routes left out are those on a source that is down: say so
            raise SourceUnavailableError(str(err), source=sorted(down)[0]) from err

    def explain(self, text: str, params: Mapping[str, object] | None = None,
                analyze: bool = False, *, route: str | None = None) -> ExecutedPlan:
        """The plan for ``text``: the alternatives the router considered, their predicted
        latency and its choice (no exploration); with ``analyze`` the query runs and timings
        are included."""
        if analyze:
            return self.query(text, params, route=route).plan
        with self._running(text, params) as (parsed, values, sources):
            routes, catalog, down = self._planned(parsed, values, sources)
            planned, decision = self._routed(routes, catalog, route, down, values,
                                             explore=False)
            compiled = compile_fragments(planned.cut, sources, values)
            sql, _, _ = compile_stage(planned, self._stage, values)
        followers = {s.index: s.reader for s in planned.cut.shared if not s.runs}
        texts = tuple(fragment_text(c, shared_from=followers.get(i))
                      for i, c in compiled.items())
        notes = tuple(f"planned: {p.describe()}" for p in planned.cut.passes)
        return ExecutedPlan(planned.cut.stage, texts, sql, {}, analyzed=False, notes=notes,
                            route=decision)


def another_route(routes: Routes, down: frozenset[str], forced: str | None) -> bool:
    """Whether a route of the query reads none of the sources ``down`` (a forced one must)."""
    return forced is None and any(not (c.sources & down) for c in routes.candidates)


def fragment_text(c: CompiledFragment, rows: int | None = None,
                   seconds: float | None = None, reused: bool = False,
                   shared_from: int | None = None) -> FragmentText:
    if shared_from is not None:
        seconds = None  # it did not run (metrics count only fragments that ran)
    return FragmentText(c.source, c.kind, c.native, c.params, rows, seconds, reused,
                        shared_from)
