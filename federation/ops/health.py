"""``eng.health()`` and the circuit breaker.

A probe reads a source's version token and catalog (row counts per table come with it) and
times that. The breaker counts consecutive failures per source (a failed probe, or a query
that found the source unavailable); at ``threshold`` it opens: queries that a mirror can answer
read the mirror, the others fail at once with ``CircuitOpenError`` (a
``SourceUnavailableError``) without touching the source. After ``cooldown`` seconds it is
half-open: queries and probes are let through again, the first success closes it and a
failure opens it for another cool-down. A successful ``eng.health()`` probe closes it at any
time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from federation.errors import ConfigurationError, FederationError, SourceUnavailableError
from federation.sources.base import Source

THRESHOLD = 3
COOLDOWN_S = 30.0


class CircuitOpenError(SourceUnavailableError):
    """The source failed ``threshold`` times in a row and is not tried until its cool-down
    ends or a health probe succeeds."""


@dataclass
class _State:
    failures: int = 0
    opened_at: float | None = None  # time.monotonic() when it opened; None: closed
    last_error: str = ""


class Breaker:
    def __init__(self, threshold: int = THRESHOLD, cooldown: float = COOLDOWN_S) -> None:
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
            raise ConfigurationError("connect(breaker_failures=...) takes an integer >= 1")
        if isinstance(cooldown, bool) or not isinstance(cooldown, int | float) or cooldown < 0:
            raise ConfigurationError("connect(breaker_cooldown=...) takes seconds >= 0")
        self.threshold = threshold
        self.cooldown = float(cooldown)
        self._states: dict[str, _State] = {}
        self._lock = threading.Lock()

    def blocked(self, names: Iterable[str]) -> frozenset[str]:
        """The sources of ``names`` that are open and still cooling down."""
        if not self._states:  # nothing ever failed (a dict read)
            return frozenset()
        now = time.monotonic()
        with self._lock:
            return frozenset(n for n in names if (s := self._states.get(n)) is not None
                             and s.opened_at is not None and now - s.opened_at < self.cooldown)

    def refuse(self, name: str) -> CircuitOpenError:
        with self._lock:
            last = self._states[name].last_error if name in self._states else ""
        return CircuitOpenError(f"marked down after {self.threshold} failures in a row "
                                f"(last: {last}); retried after its cool-down or a "
                                "successful eng.health() probe", source=name)

    def failed(self, name: str, error: str) -> None:
        """A failure of ``name``; one while it is open says nothing new (it would only
        push its cool-down back)."""
        now = time.monotonic()
        with self._lock:
            state = self._states.setdefault(name, _State())
            if state.opened_at is not None and now - state.opened_at < self.cooldown:
                return
            state.failures += 1
            state.last_error = error.splitlines()[0] if error else ""
            half_open = state.opened_at is not None
            if half_open or state.failures >= self.threshold:
                state.opened_at = now  # (again) for a whole cool-down

    def succeeded(self, name: str) -> None:
        if name not in self._states:  # never failed: nothing to reset (a dict read)
            return
        with self._lock:
            state = self._states.get(name)
            if state is not None:
                state.failures, state.opened_at = 0, None

    def state(self, name: str) -> str:
        """closed, open or half-open."""
        with self._lock:
            s = self._states.get(name)
            if s is None or s.opened_at is None:
                return "closed"
            return "open" if time.monotonic() - s.opened_at < self.cooldown else "half-open"

    def failures(self, name: str) -> int:
        with self._lock:
            s = self._states.get(name)
            return 0 if s is None else s.failures


def probe(name: str, source: Source) -> dict[str, Any]:
    """One source's health: status, probe latency, driver and data version, row counts."""
    start = time.perf_counter()
    report: dict[str, Any] = {"kind": source.kind, "driver": driver_version(source.kind)}
    try:
        _check_file(source)
        token = source.version()
        info = source.info()
        report.update(status="ok", version=repr(token),
                      tables={t.name: _rows(source, t.name, t.row_count)
                              for _, t in sorted(info.tables.items())})
    except FederationError as err:
        report.update(status="down", error=str(err).splitlines()[0])
    except Exception as err:
        report.update(status="down", error=f"{type(err).__name__}: {err}")
    report["latency_ms"] = round((time.perf_counter() - start) * 1000, 3)
    return report


def _check_file(source: Source) -> None:
    """A Kuzu file deleted under an open Database is still read from memory and the open
    handle: the probe says it is gone (SQLite's source checks its file itself)."""
    path = getattr(source, "path", None)
    if source.kind == "kuzu" and path is not None and not Path(path).exists():
        raise SourceUnavailableError(f"Kuzu database {str(path)!r} is gone",
                                     source=getattr(source, "name", ""))


def _rows(source: Source, table: str, catalog_rows: int | None) -> int | None:
    """Rows of a table: Kuzu's and LanceDB's catalogs count them exactly; SQLite's
    estimates (the largest rowid), so it is asked for ``count(*)``."""
    if source.kind != "sqlite":
        return catalog_rows
    con = source._con()  # type: ignore[attr-defined]  # this thread's read-only connection
    from federation.sources.sqlite_schema import row_count

    return row_count(con, table)


def driver_version(kind: str) -> str:
    try:
        if kind == "sqlite":
            import apsw

            return f"SQLite {apsw.sqlite_lib_version()} (apsw {apsw.apsw_version()})"
        if kind == "kuzu":
            from federation.sources.kuzu_db import driver

            module = driver()
            return f"{module.__name__} {getattr(module, '__version__', '?')}"
        if kind == "lancedb":  # reads run on pylance; lancedb is imported only to write
            from importlib import metadata

            return f"lancedb {metadata.version('lancedb')} (pylance {metadata.version('pylance')})"
    except ImportError:
        pass
    return "unknown"


def health(sources: Mapping[str, Source], breaker: Breaker) -> dict[str, dict[str, Any]]:
    """Probe every source; a probe's outcome moves its breaker."""
    out: dict[str, dict[str, Any]] = {}
    for name, source in sorted(sources.items()):
        report = probe(name, source)
        if report["status"] == "ok":
            breaker.succeeded(name)
        else:
            breaker.failed(name, report.get("error", ""))
        report["breaker"] = breaker.state(name)
        report["consecutive_failures"] = breaker.failures(name)
        out[name] = report
    return out
