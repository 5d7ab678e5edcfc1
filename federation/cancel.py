"""Stopping a running query: a per-query token, its deadline, and the drivers' interrupts.

Every query runs under a ``QueryToken`` (a context variable, copied into the threads that run
its fragments). A source wraps each blocking driver call in ``interruptible(con.interrupt)``;
when the deadline passes (a single watchdog thread for the process) or the engine cancels the
query (``close()``/``detach()``), the token records why and calls every registered interrupt:
apsw's ``Connection.interrupt``, Kuzu's ``Connection.interrupt``, DuckDB's cursor
``interrupt``. Readers that stream batches (Lance scans, streamed fragments) call ``check()``
between batches. Whatever the driver then raises, the engine raises the token's own error
(``QueryTimeoutError``, or the close/detach reason): ``translated()``.

Interrupts are called under the token's lock and unregistered under it, so once a call left
its ``interruptible`` block no late interrupt can reach the connection's next statement.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext, suppress
from contextvars import ContextVar, copy_context
from typing import TypeVar

from federation.errors import FederationError, QueryTimeoutError

T = TypeVar("T")
Interrupt = Callable[[], None]


class QueryToken:
    """One query's cancellation state: its deadline, why it stopped, what to interrupt."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout if timeout is not None else None
        self._lock = threading.Lock()
        self._interrupts: list[Interrupt] = []
        self._reason: Callable[[], FederationError] | None = None
        self.finished = False

    @property
    def cancelled(self) -> bool:
        return self._reason is not None

    def error(self) -> FederationError:
        """A fresh exception saying why the query stopped (a new one per raise)."""
        assert self._reason is not None
        return self._reason()

    def cancel(self, reason: Callable[[], FederationError]) -> None:
        """Stop the query: later ``check()`` calls raise, running driver calls are
        interrupted. The first reason wins."""
        with self._lock:
            if self._reason is not None or self.finished:
                return
            self._reason = reason
            for interrupt in self._interrupts:
                # a connection closing meanwhile is stopped already; interrupt the others
                with suppress(Exception):
                    interrupt()

    def expire(self) -> None:
        timeout = self.timeout
        self.cancel(lambda: QueryTimeoutError(f"query exceeded its {timeout} s limit"))

    def check(self) -> None:
        """Raise the token's error when cancelled or past the deadline."""
        if self._reason is None and self.deadline is not None \
                and time.monotonic() >= self.deadline:
            self.expire()
        if self._reason is not None:
            raise self.error()

    def remaining(self) -> float | None:
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def interruptible(self, interrupt: Interrupt) -> Interruptible:
        return Interruptible(self, interrupt)

    def finish(self) -> None:
        with self._lock:
            self.finished = True
            self._interrupts.clear()


class Interruptible:
    """``interrupt`` registered with ``token`` for the duration of a call (a class rather than
    a generator: two of these run in every query, on its hot path)."""

    __slots__ = ("_interrupt", "_token")

    def __init__(self, token: QueryToken, interrupt: Interrupt) -> None:
        self._token = token
        self._interrupt = interrupt

    def __enter__(self) -> None:
        token = self._token
        token.check()
        with token._lock:
            token._interrupts.append(self._interrupt)
        try:
            token.check()  # cancelled between the first check and the registration
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        token = self._token
        with token._lock:
            token._interrupts.remove(self._interrupt)


_CURRENT: ContextVar[QueryToken | None] = ContextVar("federation_query_token", default=None)


def current() -> QueryToken | None:
    return _CURRENT.get()


def has_deadline() -> bool:
    """Whether the running query has a deadline (sources then avoid uninterruptible paths)."""
    token = _CURRENT.get()
    return token is not None and token.deadline is not None


def interruptible(interrupt: Interrupt) -> AbstractContextManager[None]:
    """Register ``interrupt`` with the running query (if any) for the duration of a call."""
    token = _CURRENT.get()
    return nullcontext() if token is None else Interruptible(token, interrupt)


def check() -> None:
    token = _CURRENT.get()
    if token is not None:
        token.check()


def checked(batches: Iterable[T], token: QueryToken | None = None) -> Iterator[T]:
    """``batches``, checking the query's token before each one. The token is taken when the
    generator is made: DuckDB drains streams on its own threads, outside the query's context."""
    token = token if token is not None else _CURRENT.get()
    if token is None:
        yield from batches
        return
    for batch in batches:
        token.check()
        yield batch


def in_context(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` to run on another thread with the caller's query token (and context)."""
    context = copy_context()
    return lambda *args: context.run(fn, *args)


class running:  # lower case: used as the function it was, ``with running(token):``
    """Make ``token`` the current query's, watched for its deadline; raise its own error
    for whatever a driver raised once it was cancelled. (A class rather than a generator:
    it runs in every query, on its hot path.)"""

    __slots__ = ("_reset", "_token")

    def __init__(self, token: QueryToken) -> None:
        self._token = token

    def __enter__(self) -> QueryToken:
        token = self._token
        self._reset = _CURRENT.set(token)
        if token.deadline is not None:
            WATCHDOG.watch(token)
        return token

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None,
                 tb: object) -> None:
        token = self._token
        try:
            if isinstance(err, Exception):
                if not token.cancelled and token.remaining() == 0.0:
                    # a driver that gave up at the deadline (SQLite's busy handler) can raise
                    # before the watchdog thread expires the token: past the deadline, it is
                    # a timeout
                    token.expire()
                if token.cancelled:
                    raise token.error() from err
        finally:
            token.finish()
            _CURRENT.reset(self._reset)
        # a query whose work all finished returns its answer even if cancelled just after:
        # every interrupted call raises, so an answer is never cut short silently


class Watchdog:
    """One daemon thread for the process that expires tokens at their deadlines."""

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._heap: list[tuple[float, int, QueryToken]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, token: QueryToken) -> None:
        assert token.deadline is not None
        with self._cv:
            if len(self._heap) > 256:  # finished queries' entries, dropped in bulk
                self._heap = [e for e in self._heap if not e[2].finished]
                heapq.heapify(self._heap)
            heapq.heappush(self._heap, (token.deadline, next(self._order), token))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="fed-watchdog",
                                                daemon=True)
                self._thread.start()
            self._cv.notify()

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    wait = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cv.wait(wait)
                _, _, token = heapq.heappop(self._heap)
            if not token.finished:
                token.expire()


WATCHDOG = Watchdog()
