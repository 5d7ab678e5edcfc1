"""The attached sources of an engine and the queries running on them.

A Kuzu ``Connection`` or ``Database`` destroyed while a call runs on it crashes the process,
and an apsw connection closed from another thread while in use raises a threading violation.
So a source is released only when no query uses it: every query registers the sources it
reads (``begin``) and leaves (``end``); ``detach`` and ``close`` first cancel the queries
using what they release (their driver calls are interrupted, ``federation.cancel``), wait a
bounded time for them to leave, and hand whatever is still in use to the last query that
leaves it. Nothing ever waits without a bound, and nothing is released under a running call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from federation.cancel import QueryToken
from federation.errors import ConfigurationError, SourceUnavailableError
from federation.sources.base import Source

GRACE_S = 5.0  # how long detach()/close() wait for cancelled queries before deferring


class Attached:
    """Sources by attach name, the running queries' sources, and deferred releases."""

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._sources: dict[str, Source] = {}
        self._opening: set[str] = set()  # lower-cased names reserved while their source opens
        self._runs: dict[QueryToken, tuple[Source, ...]] = {}
        self._retiring: list[Source] = []  # released by the last query that uses one
        self._final: list[Callable[[], None]] = []  # after close(), once no query runs
        self._waiting = 0  # detach()/close() calls waiting for queries to leave
        self.closed = False

    # ---- attach / detach
    def snapshot(self) -> dict[str, Source]:
        with self._cv:
            return dict(self._sources)

    def reserve(self, name: str) -> None:
        """Claim ``name`` while its source opens (outside the lock: opening can be slow)."""
        with self._cv:
            self._check_open()
            lower = name.lower()
            if lower in self._opening or any(n.lower() == lower for n in self._sources):
                raise ConfigurationError(f"a source named {name!r} is already attached")
            self._opening.add(lower)

    def add(self, name: str, source: Source | None) -> None:
        """End a reservation: attach ``source`` (None: its opening failed)."""
        with self._cv:
            self._opening.discard(name.lower())
            if source is None:
                return
            if not self.closed:
                self._sources[name] = source
                return
        _release([source])
        raise ConfigurationError("the engine was closed while the source was attached")

    def detach(self, name: str) -> None:
        with self._cv:
            source = self._sources.pop(name, None)
            if source is None:
                raise ConfigurationError(f"no source named {name!r} is attached")
            users = [t for t, used in self._runs.items() if any(s is source for s in used)]
        for token in users:
            token.cancel(lambda: SourceUnavailableError(
                "the source was detached while this query ran", source=name))
        self._retire([source], lambda: not self._in_use(source))

    # ---- queries
    def begin(self, token: QueryToken, wanted: frozenset[str] | None) -> dict[str, Source]:
        """Register a query reading the sources whose lower-cased names are ``wanted``
        (None: all); returns them by name."""
        with self._cv:
            self._check_open()
            picked = {n: s for n, s in self._sources.items()
                      if wanted is None or n.lower() in wanted}
            self._runs[token] = tuple(picked.values())
            return picked

    def end(self, token: QueryToken) -> None:
        with self._cv:
            self._runs.pop(token, None)
            if not (self._retiring or self._final or self._waiting):
                return  # the usual end: nothing to release, nobody waits for it
            free = [s for s in self._retiring if not self._in_use(s)]
            self._retiring = [s for s in self._retiring if self._in_use(s)]
            final, self._final = (self._final, []) if not self._runs else ([], self._final)
            self._cv.notify_all()
        _release(free)
        for step in final:
            step()

    # ---- close
    def close(self, final: Callable[[], None]) -> None:
        """Refuse new queries, cancel the running ones, release every source and run
        ``final`` (the engine's own resources) now, or when the last query leaves."""
        with self._cv:
            if self.closed:
                return
            self.closed = True
            sources = list(self._sources.values())
            self._sources.clear()
            tokens = list(self._runs)
        for token in tokens:
            token.cancel(lambda: ConfigurationError("the engine was closed while this "
                                                    "query ran"))
        idle = self._retire(sources, lambda: not self._runs)
        with self._cv:
            if not idle and self._runs:
                self._final.append(final)
                return
        final()

    # ---- helpers (called with the lock held unless said otherwise)
    def _check_open(self) -> None:
        if self.closed:
            raise ConfigurationError("this engine is closed")

    def _in_use(self, source: Source) -> bool:
        return any(s is source for used in self._runs.values() for s in used)

    def _retire(self, sources: Iterable[Source], idle: Callable[[], bool]) -> bool:
        """Release ``sources`` once ``idle()`` (waiting at most ``GRACE_S``); what is still
        in use then is released by the last query leaving it. Returns ``idle()``. Called
        without the lock."""
        deadline = time.monotonic() + GRACE_S
        with self._cv:
            self._waiting += 1
            try:
                done = self._cv.wait_for(idle, timeout=max(0.0, deadline - time.monotonic()))
            finally:
                self._waiting -= 1
            free = [s for s in sources if not self._in_use(s)]
            self._retiring += [s for s in sources if self._in_use(s)]
        _release(free)
        return done


def _release(sources: Iterable[Source]) -> None:
    for source in sources:
        source.close()
