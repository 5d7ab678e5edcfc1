"""The engine's operations methods (DESIGN §2, §11), mixed into ``Engine``: ``migrate``,
``health``, ``metrics`` and ``aquery``, and the hooks its query path calls (the per-source
gates, the circuit breaker, the metrics of each query)."""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from federation.cancel import QueryToken
from federation.errors import ConfigurationError, QueryTimeoutError, SourceUnavailableError
from federation.ops import health as hl
from federation.ops.gates import Gates
from federation.ops.metrics import Metrics, metrics_text
from federation.ops.migrations import Ledger, MigrationReport, discover, migrate
from federation.ops.retry import is_transient
from federation.result import Result
from federation.sources.base import Source

if TYPE_CHECKING:
    from federation.lifecycle import Attached
    from federation.plan_cache import PlanCache

PROBE_WAIT_S = 10.0  # a probe waits this long for a connection, then reports it busy


class OpsMixin:
    """State: ``_gates`` (bounded slots per source), ``_breaker``, ``_metrics`` and the
    executor ``aquery`` runs queries on (as many threads as a source has slots)."""

    _attached: Attached
    _plans: PlanCache
    timeout: float | None
    cache: Any

    def _init_ops(self, pool_size: int, breaker_failures: int,
                  breaker_cooldown: float) -> None:
        self._gates = Gates(pool_size)
        self._breaker = hl.Breaker(breaker_failures, breaker_cooldown)
        self._metrics = Metrics()
        self._async_pool = ThreadPoolExecutor(max_workers=pool_size,
                                              thread_name_prefix="fed-aquery")
        self._async_queue = AsyncQueue(pool_size)
        self._call_deadline = threading.local()  # an aquery's deadline, on its thread

    def _check_open(self) -> None:
        raise NotImplementedError

    # ---- hooks of the query path
    def _observed(self, run: Callable[[], Result]) -> Result:
        """Run a query and record its outcome. A read is not retried here: SQLite's busy
        handler already waits for a writer (up to its busy timeout or the query's
        deadline), and reads meet no Lance commit conflicts; writes and migrations retry
        (``federation.ops.retry``)."""
        start = time.perf_counter()
        try:
            result = run()
        except BaseException as err:
            self._metrics.failed(err, time.perf_counter() - start)
            if isinstance(err, SourceUnavailableError) and \
                    not isinstance(err, hl.CircuitOpenError):
                self._breaker.failed(err.source, str(err))
            raise
        if self._metrics.succeeded(result, time.perf_counter() - start):
            for name in {f.source for f in result.plan.fragments}:
                self._breaker.succeeded(name)
        return result

    def _query_token(self) -> QueryToken:
        """A starting query's token: its deadline ``timeout`` from now, or, on the thread of
        an ``aquery`` call, ``timeout`` from that call (a deadline passed in the queue was
        refused there)."""
        token = QueryToken(self.timeout)
        deadline = getattr(self._call_deadline, "value", None)
        if deadline is not None:
            token.deadline = deadline
        return token

    def _refused(self, name: str) -> SourceUnavailableError | None:
        """The error a query gets for a source the breaker holds down (None: try it)."""
        return self._breaker.refuse(name) if self._breaker.blocked((name,)) else None

    def _found_down(self, down: frozenset[str]) -> None:
        for name in down:
            if not self._breaker.blocked((name,)):
                self._breaker.failed(name, "unavailable (a mirror served the query)")

    # ---- operations
    def migrate(self, folder: str | Path, *, dry_run: bool = False,
                adopt: bool = False) -> MigrationReport:
        """Apply the pending migrations of ``folder/<source>/NNN_name.<ext>`` (DESIGN §11;
        ``federation.ops.migrations``). No query runs on a source while it migrates.
        Raises ``MigrationError`` (its ``report`` says what was applied) when anything is
        wrong; ``dry_run`` checks and reports without applying; ``adopt`` takes the schema
        of a source that has one but no migration history as its baseline (a store written
        by other programs) instead of reporting it as drift."""
        self._check_open()
        sources = self._attached.snapshot()
        found = discover(folder, sources)
        with self._gates.holding(found, exclusive=True):
            ledgers: dict[str, Ledger] = {}
            try:
                for name in sorted(found):
                    ledgers[name] = _ledger(sources[name])
                return migrate(found, ledgers, dry_run, adopt)
            finally:
                for ledger in ledgers.values():
                    ledger.close()
                # catalogs moved: plans made on the old ones are never looked up again
                # (their key has the catalog's fingerprint); answers key on version tokens,
                # which every store's write moved
                self._plans.clear()

    def health(self) -> dict[str, dict[str, Any]]:
        """source name → status ("ok" / "down"), probe latency, driver and data version,
        rows per table, breaker state; a probe's outcome moves the breaker (a source too busy
        to lend a connection within ``PROBE_WAIT_S`` is reported down, unprobed)."""
        self._check_open()
        out: dict[str, dict[str, Any]] = {}
        for name, source in sorted(self._attached.snapshot().items()):
            try:
                with self._gates.holding((name,), time.monotonic() + PROBE_WAIT_S):
                    out |= hl.health({name: source}, self._breaker)
            except QueryTimeoutError:  # not probed: the breaker does not move
                out[name] = {"kind": source.kind, "status": "down", "error": (
                    f"busy: no connection free within {PROBE_WAIT_S:g} s"),
                    "breaker": self._breaker.state(name)}
        return out

    def metrics(self, format: str = "dict") -> Any:
        """Query and error counts, latency quantiles (total, per source, DuckDB stage),
        cache hit rate, pool use and breaker states: a dict, or with
        ``format="prometheus"`` the Prometheus text exposition of it."""
        if format not in ("dict", "prometheus"):
            raise ConfigurationError('metrics(format=...) is "dict" or "prometheus"')
        out = self._metrics.snapshot()
        info = self.cache.info()
        looked = info.get("hits", 0) + info.get("misses", 0)
        out["cache"] = {"hits": info.get("hits", 0), "misses": info.get("misses", 0),
                        "hit_rate": round(info.get("hits", 0) / looked, 4) if looked else 0.0,
                        "entries": info.get("entries", 0), "bytes": info.get("bytes", 0)}
        sources = self._attached.snapshot()
        for name in sources:
            self._gates.gate(name)  # every attached source is listed, queried or not
        out["pools"] = {name: {**vars(stats), "wait_seconds": self._gates.gate(name)
                               .wait_summary(), "connections_open": _connections(
                                   sources.get(name))}
                        for name, stats in self._gates.stats().items()}
        out["breakers"] = {name: self._breaker.state(name) for name in sorted(sources)}
        out["aquery"] = self._async_queue.stats()
        return metrics_text(out) if format == "prometheus" else out

    async def aquery(self, text: str, params: Mapping[str, object] | None = None, *,
                     route: str | None = None) -> Result:
        """``query()`` for asyncio: callers queue first-come-first-served for the engine's
        query threads (as many as a source has connections), so thousands of concurrent
        callers share the same bounds. The query's timeout counts from this call: a query
        still queued at its deadline raises ``QueryTimeoutError`` without running, one that
        starts later has what is left of it."""
        self._check_open()
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        loop = asyncio.get_running_loop()
        call = functools.partial(self._queued, deadline, text, params, route)
        self._async_queue.arrived()
        return await loop.run_in_executor(self._async_pool, call)

    def _queued(self, deadline: float | None, text: str,
                params: Mapping[str, object] | None, route: str | None) -> Result:
        self._async_queue.started()
        if deadline is not None and time.monotonic() >= deadline:
            error = QueryTimeoutError("the query's time limit passed while it was queued")
            self._metrics.failed(error, 0.0)
            raise error
        self._call_deadline.value = deadline
        try:
            return self.query(text, params, route=route)  # type: ignore[attr-defined]
        finally:
            self._call_deadline.value = None

    def _close_ops(self) -> None:
        # not waited for: the last query to leave may run on one of these threads (and
        # releases the engine from there); queued calls then fail fast on the closed engine
        self._async_pool.shutdown(wait=False)


class AsyncQueue:
    """Counters of the ``aquery`` calls waiting for a query thread (the executor's own
    queue is first-come-first-served; these say how long it grew)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._lock = threading.Lock()
        self._calls = self._queued = self._peak = 0

    def arrived(self) -> None:
        with self._lock:
            self._calls += 1
            self._queued += 1
            self._peak = max(self._peak, self._queued)

    def started(self) -> None:
        with self._lock:
            self._queued -= 1

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"workers": self.workers, "calls": self._calls, "queued": self._queued,
                    "peak_queued": self._peak}


def _ledger(source: Source) -> Ledger:
    from federation.ops.ledgers import KuzuLedger, SqliteLedger
    from federation.ops.migrate_lance import LanceLedger
    from federation.sources.kuzu import Kuzu
    from federation.sources.lancedb import LanceDB
    from federation.sources.sqlite import SQLite

    if isinstance(source, SQLite):
        return SqliteLedger(source)
    if isinstance(source, Kuzu):
        return KuzuLedger(source)
    if isinstance(source, LanceDB):
        return LanceLedger(source)
    raise ConfigurationError(f"no migrations for sources of kind {source.kind}")


def _connections(source: Source | None) -> int | None:
    """Driver connections the source holds open (its per-thread pool's own count)."""
    cons = getattr(source, "_cons", None)
    opened = getattr(cons, "opened", None)
    return opened() if callable(opened) else None


__all__ = ["OpsMixin", "is_transient"]
