"""Engines, alternatives and timed executions of the routing benchmark.

Three kinds of engine read the same files:

* the **router** — ``fed.connect(workspace)``, default ``route="auto"``: its choice is what is
  judged; it learns only from its own executions;
* the **oracle** — ``fed.connect(route="always-keys")`` in memory: lists every alternative of
  a query (``eng.explain(q, params).route.considered``, the policy's exclusions ignored) and
  runs each one forced (``eng.query(q, params, route=name)``); its runs never feed the
  router's statistics. Under ``route="auto"`` a forced ``keys:pass`` alternative is still
  decided again at run time (and may run as its ``keys:none`` twin); under a fixed policy the
  forced pass is always made, so each alternative's time is that alternative's;
* one engine per **fixed policy** (``fed.connect(route="always-push")``, …), in memory: asked
  which alternative it would run (``explain(...).route.chosen``); that alternative's time in
  the same execution is the policy's time (a forced policy does not explore).

Before the router API exists (no ``route=`` on ``query``), the alternatives are stand-in
engine configurations (``LEGACY``: key passing everywhere or nowhere, joins pushed into
SQLite or not) and the "router" is the default engine.
"""

from __future__ import annotations

import inspect
import math
import statistics
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import federation as fed
from benchmarks.routing_data import DomainData, TpchData
from benchmarks.routing_templates import Context, Template
from federation.errors import FederationError

THREADS = 2
AUTO = "auto"
# each alternative is timed this many times per round (interleaved) and its median kept: one
# timing of each made rounds "decisive" by noise alone where alternatives are within 1.2x of
# each other (six routes of team_tasks at 20 ms, any of them 1.5x the fastest in one timing)
ORACLE_REPEATS = 3
ORACLE_POLICY = "always-keys"  # a forced key pass is then made whatever the keys (see above)
POLICIES = ("always-push", "never-push", "always-keys", "never-keys", "primary-only",
            "mirror-only")
MIRRORS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("graph.ASSIGNED_TO", "crm.assignments", {"source": "agent_id", "target": "task_id"}),
    ("graph.DEPENDS_ON", "crm.dependencies", {"source": "task_id", "target": "prerequisite_id"}),
    ("graph.Agent", "crm.agents", {}),
    ("graph.Task", "crm.tasks", {}),
)


def route_api() -> bool:
    """Whether ``Engine.query`` takes ``route=`` (the router has landed)."""
    return "route" in inspect.signature(fed.Engine.query).parameters


def legacy_options() -> dict[str, dict[str, Any]]:
    from planner.rules import RULES, join_pushdown

    return {"keys:pass": {"key_passing_rows": 0}, "keys:none": {"key_passing_rows": None},
            "join:source": {}, "join:duckdb": {"rules": [r for r in RULES
                                                        if r is not join_pushdown]}}


@dataclass(frozen=True)
class Data:
    domain: DomainData
    tpch: TpchData


def connect(workspace: Path | None = None, **options: Any) -> fed.Engine:
    """An engine with the result cache off: every execution reads."""
    return fed.connect(workspace, threads=THREADS, cache_bytes=0, **options)


def attach(eng: fed.Engine, data: Data) -> list[str]:
    """Attach the seven sources; declare the mirrors. Returns what could not be declared."""
    d, h = data.domain, data.tpch
    eng.attach("crm", fed.SQLite(d.sqlite))
    eng.attach("graph", fed.Kuzu(d.kuzu, read_only=True, threads=THREADS))
    eng.attach("docs", fed.LanceDB(d.lancedb))
    eng.attach("tpch_crm", fed.SQLite(h.crm))
    eng.attach("tpch_lake", fed.LanceDB(h.lake))
    eng.attach("tpch_graph", fed.Kuzu(h.graph, read_only=True, threads=THREADS))
    eng.attach("tpch_one", fed.SQLite(h.all_sqlite))
    return declare_mirrors(eng)


def declare_mirrors(eng: fed.Engine) -> list[str]:
    mirror = getattr(eng, "mirror", None)
    if mirror is None:
        return ["eng.mirror is not available: no mirror alternatives"]
    problems = []
    for primary, copy, columns in MIRRORS:
        try:
            mirror(primary, copy, **columns)
        except FederationError as err:  # e.g. already declared in a reopened workspace
            problems.append(f"{primary} -> {copy}: {type(err).__name__}: {err}")
    return problems


# ---- one timed run


@dataclass
class Run:
    seconds: float
    chosen: str | None = None
    rows: list[tuple[Any, ...]] | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()  # what the key passes did (applied / skipped at run time)
    reason: str | None = None  # why the router chose (exploring or not)
    predicted: dict[str, float] = field(default_factory=dict)  # seconds, per alternative
    spread: dict[str, float] = field(default_factory=dict)  # of ln seconds, per alternative


def timed(eng: fed.Engine, text: str, params: Mapping[str, object], route: str | None = None,
          keep: bool = False) -> Run:
    """Wall time of ``eng.query(...).arrow()``: planning, every source, the DuckDB stage."""
    kwargs = {"route": route} if route is not None else {}
    start = time.perf_counter()
    try:
        res = eng.query(text, params, **kwargs)
        table = res.arrow()
    except FederationError as err:
        return Run(math.nan, error=f"{type(err).__name__}: {err}")
    seconds = time.perf_counter() - start
    decision = getattr(res.plan, "route", None)
    rows = sorted(table.to_pylist(), key=_row_key) if keep else None
    return Run(seconds, getattr(decision, "chosen", None),
               [tuple(r.values()) for r in rows] if rows is not None else None,
               notes=tuple(getattr(res.plan, "notes", ()) or ()),
               reason=getattr(decision, "reason", None),
               predicted={c.name: c.predicted_s for c in getattr(decision, "considered", ())},
               spread={c.name: c.log_sd for c in getattr(decision, "considered", ())})


def _row_key(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(f"{v:.3g}" if isinstance(v, float) else repr(v) for v in row.values())


def same_rows(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> bool:
    if len(a) != len(b):
        return False
    for ra, rb in zip(a, b, strict=True):
        for x, y in zip(ra, rb, strict=True):
            if isinstance(x, float) and isinstance(y, float):
                if not math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-9):
                    return False
            elif x != y:
                return False
    return True


# ---- who runs what


class Oracle:
    """Every alternative of a query, each forced, on an in-memory engine."""

    def __init__(self, eng: fed.Engine) -> None:
        self.eng = eng
        self.excluded: dict[str, str] = {}
        self.features: dict[str, frozenset[str]] = {}  # alternative name -> route features

    def alternatives(self, template: Template, params: Mapping[str, object]) -> tuple[str, ...]:
        decision = getattr(self.eng.explain(template.text, params), "route", None)
        if decision is None:
            return ()
        names = []
        for c in decision.considered:
            self.features[c.name] = frozenset(c.features)
            if c.excluded and not c.excluded.startswith("policy "):
                self.excluded[f"{template.name}:{c.name}"] = c.excluded
            else:
                names.append(c.name)
        return tuple(names)

    def run(self, name: str, template: Template, params: Mapping[str, object],
            keep: bool) -> Run:
        return timed(self.eng, template.text, params, route=name, keep=keep)


class LegacyOracle(Oracle):
    """Before the router: the alternatives are engine configurations (``legacy_options``)."""

    def __init__(self, engines: Mapping[str, fed.Engine]) -> None:
        super().__init__(next(iter(engines.values())))
        self.engines = engines

    def alternatives(self, template: Template, params: Mapping[str, object]) -> tuple[str, ...]:
        return template.legacy

    def run(self, name: str, template: Template, params: Mapping[str, object],
            keep: bool) -> Run:
        return timed(self.engines[name], template.text, params, keep=keep)


@dataclass
class Policies:
    engines: dict[str, fed.Engine] = field(default_factory=dict)

    def choices(self, template: Template, params: Mapping[str, object]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for policy, eng in self.engines.items():
            try:
                decision = getattr(eng.explain(template.text, params), "route", None)
            except FederationError:
                decision = None
            out[policy] = getattr(decision, "chosen", None)
        return out

    def close(self) -> None:
        for eng in self.engines.values():
            eng.close()


# ---- executions


def execute(router: fed.Engine, oracle: Oracle, policies: Policies, template: Template,
            ctx: Context, number: int, phase: str, index: int, check: bool) -> dict[str, Any]:
    """Execution ``index`` (1-based) of ``phase``: the router's choice (``auto``) and every
    alternative, in an order that rotates with ``number`` (which also picks the parameter
    values); the fixed policies' choices; the answers compared when ``check``."""
    label, params = template.params(ctx, number)
    names = oracle.alternatives(template, params)
    steps = [AUTO, *names]
    shift = number % len(steps)
    steps = steps[shift:] + steps[:shift]
    if number % 2:
        steps.reverse()
    runs: dict[str, Run] = {}
    for step in steps:
        runs[step] = (timed(router, template.text, params, keep=check) if step == AUTO
                      else oracle.run(step, template, params, keep=check))
    times = _oracle_times(oracle, template, params, [s for s in steps if s != AUTO], runs)
    best = min(times, key=lambda n: times[n]) if times else None
    auto = runs[AUTO]
    chosen = effective(auto, oracle.features, names)
    return {"template": template.name, "choice": template.choice, "phase": phase,
            "execution": index, "setting": label, "params": _shown(params),
            "times_s": times, "auto_s": auto.seconds, "planned": auto.chosen,
            "chosen": chosen, "chosen_s": times.get(chosen or ""),
            "notes": list(auto.notes), "best": best,
            "reason": auto.reason, "predicted_s": auto.predicted, "log_sd": auto.spread,
            "policies": policies.choices(template, params),
            "errors": {n: r.error for n, r in runs.items() if r.error},
            "mismatches": _mismatches(runs) if check else []}


def _oracle_times(oracle: Oracle, template: Template, params: Mapping[str, object],
                  names: Sequence[str], first: Mapping[str, Run]) -> dict[str, float]:
    """Each alternative's median time over ``ORACLE_REPEATS`` interleaved passes (``first``
    is the pass run beside the router's); alternatives that failed are left out."""
    samples = {n: [r.seconds] for n, r in first.items() if n in names and r.error is None}
    timed_ok = [n for n in names if n in samples]
    for repeat in range(1, ORACLE_REPEATS):
        for name in timed_ok if repeat % 2 else reversed(timed_ok):
            run = oracle.run(name, template, params, keep=False)
            if run.error is None:
                samples[name].append(run.seconds)
    return {n: statistics.median(s) for n, s in samples.items()}


def effective(run: Run, features: Mapping[str, frozenset[str]],
              names: Sequence[str]) -> str | None:
    """The alternative the router's run really was: under ``auto`` a planned key pass is
    decided again once the keys are counted, and when every pass was skipped the run was
    its ``keys:none`` twin."""
    chosen = run.chosen
    if chosen is None or "keys:pass" not in features.get(chosen, frozenset()):
        return chosen
    skipped = any(n.startswith("skipped:") for n in run.notes)
    if not skipped or any(n.startswith("applied:") for n in run.notes):
        return chosen
    twin = (features[chosen] - {"keys:pass"}) | {"keys:none"}
    return next((n for n in names if features.get(n) == twin), chosen)


def _shown(params: Mapping[str, object]) -> dict[str, object]:
    """The values as JSON can hold them (the question vector abbreviated)."""
    return {k: (f"<vector {len(v)}>" if isinstance(v, list) else str(v)
                if not isinstance(v, int | float | str) else v) for k, v in params.items()}


def _mismatches(runs: Mapping[str, Run]) -> list[str]:
    ref = runs[AUTO].rows
    if ref is None:
        return []
    return [n for n, r in runs.items() if r.rows is not None and not same_rows(ref, r.rows)]


def run_phase(router: fed.Engine, oracle: Oracle, policies: Policies,
              templates: Sequence[Template], ctx: Context, executions: int, phase: str,
              first: int = 0, progress: bool = True) -> list[dict[str, Any]]:
    """``executions`` rounds; each round runs every template once (order rotating)."""
    records = []
    for i in range(executions):
        k = i % len(templates)
        for t in (*templates[k:], *templates[:k]):
            number = first + i
            records.append(execute(router, oracle, policies, t, ctx, number, phase, i + 1,
                                   check=i < 2))
        if progress:
            print(f"  {phase}: round {i + 1}/{executions}", flush=True)
    return records
