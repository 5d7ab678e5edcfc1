"""Per-thread driver connections that do not outlive their thread.

apsw, ADBC and Kuzu connections are used by one thread at a time, so each thread gets its
own. Kept in a plain ``threading.local`` they stayed open until the source closed: every
short-lived thread that queried left a connection and its file descriptors behind. Here a
thread's connection is held by a small object in the thread-local; when the thread ends,
Python drops it and the connection goes back to a bounded list of idle connections that the
next new thread takes (DESIGN §11: a bounded number of connections per source, reused across
threads); past that bound it is closed.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from contextlib import suppress
from typing import Generic, TypeVar

T = TypeVar("T")
IDLE = 4  # idle connections kept per source for the next new thread


class PerThread(Generic[T]):
    """The calling thread's connection from ``opener``; ``closer`` releases one."""

    def __init__(self, opener: Callable[[], T], closer: Callable[[T], None],
                 keep: int = IDLE) -> None:
        self._open = opener
        self._close = closer
        self._keep = keep
        self._local = threading.local()
        self._lock = threading.RLock()  # a holder may be dropped while it is held
        self._idle: list[T] = []
        self._open_now: list[T] = []  # every connection not yet closed

    def get(self) -> T:
        held = getattr(self._local, "held", None)
        if held is not None:
            return held.value
        with self._lock:
            value = self._idle.pop() if self._idle else None
        if value is None:
            value = self._open()
            with self._lock:
                self._open_now.append(value)
        self._local.held = _Held(value, weakref.ref(self))
        return value

    def current(self) -> T | None:
        """This thread's connection, if it has one (opens none)."""
        held = getattr(self._local, "held", None)
        return None if held is None else held.value

    def opened(self) -> int:
        with self._lock:
            return len(self._open_now)

    def returned(self, value: T) -> None:
        """A thread holding ``value`` ended: keep it for the next thread, or close it."""
        with self._lock:
            if not any(v is value for v in self._open_now):
                return  # closed by close_all() meanwhile
            if len(self._idle) < self._keep:
                self._idle.append(value)
                return
            self._open_now = [v for v in self._open_now if v is not value]
        self._close(value)

    def close_all(self) -> None:
        """Close every connection (the caller makes sure none is in use)."""
        with self._lock:
            values, self._open_now, self._idle = self._open_now, [], []
            # threads' holders then return nothing; dropped outside the lock, as dropping
            # the calling thread's holder returns its connection (which takes the lock)
            old, self._local = self._local, threading.local()
        del old
        for value in values:
            self._close(value)


class _Held:
    """A thread's connection; when the thread ends (its locals are dropped) it is returned."""

    __slots__ = ("owner", "value")

    def __init__(self, value: object, owner: weakref.ref[PerThread]) -> None:
        self.value = value
        self.owner = owner

    def __del__(self) -> None:
        owner = self.owner()
        if owner is not None:
            with suppress(Exception):  # at interpreter exit, modules may be gone
                owner.returned(self.value)
