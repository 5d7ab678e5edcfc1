"""``eng.metrics()``: counters and latency quantiles, as a dict or Prometheus text.

Recorded from each query's outcome: its ``Result`` plan (total time, per-fragment times by
source, the DuckDB stage's time, whether the cache answered) or the error type it raised.
Thread-safe (one lock, taken once per query) and bounded (reservoirs of fixed size: one for
all queries, one per source, one for the DuckDB stage). Nothing here reads a clock: callers
pass durations.
"""

from __future__ import annotations

import threading
from typing import Any

from federation.ops.quantiles import Reservoir
from federation.result import Result

STAGE = "(duckdb)"


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queries = self._errors_total = self._cached = 0
        self._errors: dict[str, int] = {}
        self._total = Reservoir()
        self._sources: dict[str, Reservoir] = {}

    def succeeded(self, result: Result, seconds: float) -> bool:
        """Count an answer; True when its sources ran for it (not a cache hit)."""
        plan = result.plan
        cached = plan.cache.startswith("hit")
        with self._lock:
            self._queries += 1
            self._total.add(seconds)
            if cached:
                self._cached += 1
                return False  # its fragments ran for an earlier query, counted then
            for fragment in plan.fragments:
                if fragment.seconds is not None and not fragment.reused:
                    self._reservoir(fragment.source).add(fragment.seconds)
            stage = plan.timings.get("duckdb")
            if stage:
                self._reservoir(STAGE).add(stage)
        return True

    def _reservoir(self, name: str) -> Reservoir:
        """(with the lock held)"""
        found = self._sources.get(name)
        if found is None:
            found = self._sources[name] = Reservoir()
        return found

    def failed(self, error: BaseException, seconds: float) -> None:
        kind = type(error).__name__
        with self._lock:
            self._queries += 1
            self._errors_total += 1
            self._errors[kind] = self._errors.get(kind, 0) + 1
            self._total.add(seconds)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            sources = {name: r.summary() for name, r in sorted(self._sources.items())}
            return {"queries": self._queries, "errors": self._errors_total,
                    "errors_by_type": dict(sorted(self._errors.items())),
                    "answered_from_cache": self._cached,
                    "latency_seconds": self._total.summary(),
                    "source_latency_seconds": {n: s for n, s in sources.items()
                                               if n != STAGE},
                    "duckdb_latency_seconds": sources.get(STAGE, Reservoir().summary())}


def metrics_text(metrics: dict[str, Any]) -> str:
    """The Prometheus text exposition of an ``eng.metrics()`` dict
    (``fed.metrics_text(eng.metrics())``, or ``eng.metrics(format="prometheus")``)."""
    text = _Text()
    _queries(text, metrics)
    _resources(text, metrics)
    return "\n".join(text.lines) + "\n"


class _Text:
    """Lines of the exposition format, every name prefixed ``federation_``."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def family(self, name: str, kind: str, helptext: str) -> None:
        self.lines += [f"# HELP federation_{name} {helptext}",
                       f"# TYPE federation_{name} {kind}"]

    def sample(self, name: str, value: float, **labels: str) -> None:
        text = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
        self.lines.append(f"federation_{name}{{{text}}} {value}" if text
                          else f"federation_{name} {value}")

    def summary(self, name: str, values: dict[str, float | int], **labels: str) -> None:
        for q in ("p50", "p90", "p99"):
            self.sample(name, values[q], **labels, quantile=str(int(q[1:]) / 100))
        self.sample(f"{name}_count", values["count"], **labels)
        self.sample(f"{name}_sum", values["sum"], **labels)


def _queries(text: _Text, metrics: dict[str, Any]) -> None:
    text.family("queries_total", "counter", "Queries run (answered or failed).")
    text.sample("queries_total", metrics["queries"])
    text.family("errors_total", "counter", "Queries that raised, by error type.")
    for kind, n in metrics["errors_by_type"].items():
        text.sample("errors_total", n, type=kind)
    text.family("query_latency_seconds", "summary", "Query latency.")
    text.summary("query_latency_seconds", metrics["latency_seconds"])
    text.family("source_latency_seconds", "summary", "Fragment latency per source.")
    for name, summary in metrics["source_latency_seconds"].items():
        text.summary("source_latency_seconds", summary, source=name)
    text.family("duckdb_latency_seconds", "summary", "DuckDB stage latency.")
    text.summary("duckdb_latency_seconds", metrics["duckdb_latency_seconds"])
    cache = metrics["cache"]
    text.family("cache_hit_ratio", "gauge", "Result cache hits / lookups.")
    text.sample("cache_hit_ratio", cache["hit_rate"])
    for what in ("hits", "misses"):
        text.family(f"cache_{what}_total", "counter", f"Result cache {what}.")
        text.sample(f"cache_{what}_total", cache[what])


def _resources(text: _Text, metrics: dict[str, Any]) -> None:
    for key, helptext in (("capacity", "Connections a source may use at once."),
                          ("in_use", "Connections in use."), ("peak", "Most ever in use."),
                          ("waiting", "Queries waiting for a connection."),
                          ("connections_open", "Driver connections open.")):
        text.family(f"pool_{key}", "gauge", helptext)
        for name, pool in metrics["pools"].items():
            if pool.get(key) is not None:
                text.sample(f"pool_{key}", pool[key], source=name)
    queue = metrics.get("aquery", {})
    for key, kind, helptext in (("calls", "counter", "aquery calls."),
                                ("queued", "gauge", "aquery calls waiting for a thread."),
                                ("peak_queued", "gauge", "Most aquery calls ever waiting.")):
        if key in queue:
            text.family(f"aquery_{key}", kind, helptext)
            text.sample(f"aquery_{key}", queue[key])
    text.family("source_up", "gauge", "1 unless the circuit breaker holds the source down.")
    for name, state in metrics["breakers"].items():
        text.sample("source_up", 0 if state == "open" else 1, source=name)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
