"""The result cache (DESIGN §6): answers of recent queries and legs of recent plans, never stale.

An answer is stored under the query's normalized form (its syntax tree: spelling, spacing and
comments of the text do not matter, literal types do), its parameter values *with their types*
(``1``, ``True`` and ``1.0`` are different keys; so are ``0.0`` and ``-0.0``), the forced route,
and the version token of every source the query may read (``federation.versions``), read
*before* the query runs: a write landing while it runs moves the token, so the answer is filed
under the old token, which no later lookup presents.

A leg (a compiled fragment) is stored under its source, native text, bound values, declared
schema and that source's token, in a second, separately bounded cache: when one source of a
three-engine query changed, the legs of the two that did not are reused.

Both caches are bounded by bytes (Arrow buffer sizes), least recently used first, and guarded
by one lock. Concurrent identical misses compute once (single flight): the first caller runs
the query, the others wait for its answer (within their own deadline) and retry on their own
when it failed. Errors are never stored; neither are answers larger than the entry bound.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from decimal import Decimal
from operator import itemgetter
from typing import Generic, Self, TypeVar

import pyarrow as pa
from cachetools import Cache, LRUCache

from federation import cancel

T = TypeVar("T")
V = TypeVar("V")

DEFAULT_BYTES = 256 * 2**20
_WAIT_SLICE = 0.05  # seconds a waiting caller sleeps between checks of its own deadline


def frozen_value(value: object) -> Hashable:
    """A parameter value as a hashable key part that keeps types apart.

    >>> frozen_value(1) == frozen_value(True), frozen_value(1) == frozen_value(1.0)
    (False, False)
    >>> frozen_value(0.0) == frozen_value(-0.0), frozen_value([1, 2]) == frozen_value([1.0, 2.0])
    (False, False)
    >>> frozen_value([0.5, 1.0]) == frozen_value((0.5, 1.0))
    True
    """
    kind = type(value)
    if kind is int or kind is str or kind is bool or value is None:  # the usual: no checks
        return kind.__name__, value
    if isinstance(value, bool | int | str | bytes):
        return kind.__name__, value
    if isinstance(value, float):
        return "float", value.hex()  # keeps -0.0 apart from 0.0
    if isinstance(value, Decimal):
        return "decimal", str(value)  # keeps the scale: 1.0 and 1.00 type differently
    if isinstance(value, dt.datetime):
        return "datetime", value.isoformat()  # keeps the zone (aware ones are UTC by now)
    if isinstance(value, dt.date):
        return "date", value.isoformat()
    # a vector: a list, a tuple or a numpy array of numbers (checked by federation.params);
    # each element keeps its type ([1, 2], [1.0, 2.0] and [True, False] bind differently)
    items = [x.item() if type(x).__module__ == "numpy" else x
             for x in value]  # type: ignore[attr-defined]
    if not all(isinstance(x, bool | int | float) for x in items):
        raise ValueError("a vector holds numbers")
    return ("vector", str(getattr(value, "dtype", "")),
            tuple(frozen_value(x) for x in items))


class Key(int):
    """A key whose hash is computed once and asked for in C: an ``int`` whose value is the
    hash of its parts, equal to another key when their parts are equal. A miss hashes its
    key six times (lookup, flight, store, sizes, LRU order, landing); a ``__hash__`` in Python
    was a frame each time, and a nested tuple's hash is never remembered.

    >>> a, b = Key("q", (1,)), Key("q", (1,))
    >>> a == b, hash(a) == hash(b), a == Key("q", (2,)), a == int(a), bool(Key())
    (True, True, False, False, True)
    >>> import pickle; pickle.loads(pickle.dumps(a)) == a
    True
    """

    parts: tuple[Hashable, ...]

    def __new__(cls, *parts: Hashable) -> Self:
        key = super().__new__(cls, hash(parts))
        key.parts = parts
        return key

    __hash__ = int.__hash__  # the slot stays C's (defining __eq__ alone would unset it)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and int.__eq__(self, other) and other.parts == self.parts

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __bool__(self) -> bool:
        return True  # a key is never false, whatever its hash

    def __repr__(self) -> str:
        return f"Key{self.parts!r}"

    def __reduce__(self) -> tuple[object, ...]:
        return type(self), self.parts  # int's own would rebuild it from the hash alone


def frozen_params(values: Mapping[str, object]) -> Hashable:
    if len(values) == 1:
        for name, value in values.items():
            kind = type(value)
            if kind is int or kind is str:  # the usual one: frozen_value's form, no call
                return ((name, (kind.__name__, value)),)
            return ((name, frozen_value(value)),)
    return tuple((name, frozen_value(values[name])) for name in sorted(values))


class _BytesLRU(LRUCache[Hashable, tuple[T, int]]):
    """cachetools' LRU (DESIGN §6) of ``(value, bytes)`` pairs, bounded by their bytes,
    counting what it evicts. Pairs rather than a frozen dataclass, sized by ``itemgetter``:
    the miss path stores one per answer, and Python-level calls are most of its cost."""

    _Cache__currsize: int  # cachetools' running total of bytes, kept by add() as well

    def __init__(self, max_bytes: int) -> None:
        super().__init__(maxsize=max(max_bytes, 1), getsizeof=itemgetter(1))
        self.evictions = 0
        # cachetools' own dict and order (pinned 8.0.0; made once, never replaced)
        self._data: dict[Hashable, tuple[T, int]] = self._Cache__data  # type: ignore[attr-defined]
        self._order: OrderedDict[Hashable, None] = self._LRUCache__order  # type: ignore[attr-defined]
        self._sizes: dict[Hashable, int] = self._Cache__size  # type: ignore[attr-defined]
        self._limit = self.maxsize

    def get(self, key: Hashable,  # type: ignore[override]
            default: tuple[T, int] | None = None) -> tuple[T, int] | None:
        """cachetools' LRU lookup in one call (its own asks ``in``, then ``[]``, each a
        Python call more, on every miss)."""
        found = self._data.get(key)
        if found is None:
            return default
        self._order.move_to_end(key)
        return found

    def popitem(self) -> tuple[Hashable, tuple[T, int]]:
        self.evictions += 1
        return super().popitem()

    def __setitem__(self, key: Hashable, value: tuple[T, int]) -> None:
        """cachetools' LRU store (pinned 8.0.0) with its ``__touch`` step inlined: that step
        stores a new key's order on the ``KeyError`` it raises, an exception on every miss
        (1 µs)."""
        Cache.__setitem__(self, key, value)  # bounded by bytes: evicts through popitem()
        order = self._order
        if key in order:
            order.move_to_end(key)
        else:
            order[key] = None

    def add(self, key: Hashable, value: tuple[T, int]) -> None:
        """Store under a key not stored (the caller's flight owns it; its bytes at most
        ``maxsize``), evicting the least recently used first: cachetools' store for a new
        key (pinned 8.0.0), inlined, and a new last place in the order. Its generic store
        costs a microsecond, a fifth of what the cache adds to a miss."""
        nbytes = value[1]
        while self._Cache__currsize + nbytes > self._limit:
            self.popitem()  # through cachetools: its own sizes and order stay in step
        self._data[key] = value
        self._sizes[key] = nbytes
        self._Cache__currsize += nbytes
        self._order[key] = None

    def find(self, key: Hashable) -> T | None:
        found = self.get(key)
        return None if found is None else found[0]

    def put(self, key: Hashable, value: T, nbytes: int) -> None:
        """Store (``nbytes`` at most ``maxsize``), evicting the least recently used first."""
        self[key] = (value, nbytes)


def table_bytes(table: pa.Table) -> int:
    """Every buffer the table references (a slice holds its parent's whole buffers), each
    once. The usual answer has one record batch, sized as a batch: ``Table``'s own walk first
    asks each column whether it is on the CPU through a Python wrapper per column (2.5 times
    the cost on a table just built, as every answer a miss stores is); several batches are
    walked as one table (a buffer they share counts once, a walk per batch cost twice as much
    at 20 batches)."""
    batches = table.to_batches()
    if len(batches) == 1:
        return batches[0].get_total_buffer_size()
    return table.get_total_buffer_size() if batches else 0


class _Flight:
    """One computation that identical concurrent misses wait for. Class-level defaults, no
    ``__init__``: every miss makes one, and a Python ``__init__`` is a call more."""

    done = False
    value: object | None = None  # None: it failed, the waiters compute themselves
    waiters = 0


class ResultCache(Generic[V]):
    """``eng.cache``: answers (``V``) by key and legs (Arrow tables) by key, bounded by bytes.

    ``max_bytes`` 0 turns both off. ``entry_bytes`` is the largest answer or leg stored.
    """

    def __init__(self, max_bytes: int = DEFAULT_BYTES, *, entry_bytes: int | None = None,
                 fragment_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.entry_bytes = max_bytes // 4 if entry_bytes is None else entry_bytes
        self.fragment_max_bytes = max_bytes // 4 if fragment_bytes is None else fragment_bytes
        self._lock = threading.Lock()
        self._landed = threading.Condition(self._lock)  # a flight finished
        self._results: _BytesLRU[V] = _BytesLRU(max_bytes)
        self._legs: _BytesLRU[pa.Table] = _BytesLRU(self.fragment_max_bytes)
        self._flights: dict[Hashable, _Flight] = {}
        # the largest entry each LRU stores, fixed here (not two property reads per miss)
        self._answer_limit = min(self.entry_bytes, self._results.maxsize)
        self._leg_limit = min(self.entry_bytes, self._legs.maxsize)
        self._counts = dict.fromkeys(("hits", "misses", "shared", "not_stored",
                                      "fragment_hits", "fragment_misses"), 0)

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    # ---- answers
    def answer(self, key: Hashable, compute: Callable[..., tuple[V, int]], *args: object
               ) -> tuple[V, str]:
        """The stored answer under ``key`` ("hit"), the answer a concurrent identical miss
        computed ("shared"), or ``compute(*args)``'s (``(answer, bytes)``; "miss"), stored when
        it fits. ``compute``'s errors propagate and are not stored; the callers that waited
        for a failed computation then try again themselves."""
        lock = self._lock  # acquire/release, not ``with``: half the cost, twice per miss
        while True:
            lock.acquire()
            try:
                # the LRU's own get (no wrapper): a miss pays for every call it makes
                found = self._results.get(key)
                if found is not None:
                    self._counts["hits"] += 1
                    return found[0], "hit"
                fresh = _Flight()  # cheaper than a second lookup to store one
                flight = self._flights.setdefault(key, fresh)
                if flight is fresh:
                    self._counts["misses"] += 1
                    break
                shared = self._wait(flight)
                if shared is not None:
                    self._counts["shared"] += 1
                    return shared, "shared"
            finally:
                lock.release()
        try:
            value, nbytes = compute(*args)
        except BaseException:
            self._land(key, flight)
            raise
        lock.acquire()
        try:  # stored before the flight ends: a caller arriving next finds it
            if nbytes <= self._answer_limit:
                self._results.add(key, (value, nbytes or 1))
            else:
                self._counts["not_stored"] += 1
            flight.value = value
            del self._flights[key]  # _land_locked, inlined: every miss lands here
            flight.done = True
            if flight.waiters:
                self._landed.notify_all()
        finally:
            lock.release()
        return value, "miss"

    def _wait(self, flight: _Flight) -> V | None:
        """Wait (the lock held, released while waiting) for a concurrent identical miss:
        its answer, or None when it failed."""
        flight.waiters += 1
        try:
            while not flight.done:  # within this query's own deadline
                self._landed.wait(_WAIT_SLICE)
                cancel.check()
        finally:
            flight.waiters -= 1
        return flight.value  # type: ignore[return-value]

    def _land(self, key: Hashable, flight: _Flight) -> None:
        """End a failed flight: its waiters compute on their own."""
        with self._lock:
            self._land_locked(key, flight)

    def _land_locked(self, key: Hashable, flight: _Flight) -> None:
        del self._flights[key]
        flight.done = True
        if flight.waiters:  # the usual miss has none: no wake-up to pay for
            self._landed.notify_all()

    # ---- legs
    def leg(self, key: Hashable) -> pa.Table | None:
        with self._lock:
            found = self._legs.find(key)
            self._counts["fragment_hits" if found is not None else "fragment_misses"] += 1
        return found

    def keep_leg(self, key: Hashable, table: pa.Table, extra_bytes: int = 0) -> None:
        """Keep a leg; ``extra_bytes``: what its key holds besides the table."""
        nbytes = table_bytes(table) + extra_bytes
        with self._lock:
            if nbytes <= self._leg_limit:
                self._legs.put(key, table, nbytes or 1)
            else:
                self._counts["not_stored"] += 1

    # ---- eng.cache
    def info(self) -> dict[str, int]:
        """Hits, misses, entries, bytes and evictions of answers; ``shared``: misses answered
        by a concurrent identical one; ``not_stored``: answers and legs over the entry bound;
        ``fragment_*``: the same for legs."""
        with self._lock:
            return {**self._counts,
                    "entries": len(self._results), "bytes": int(self._results.currsize),
                    "evictions": self._results.evictions,
                    "fragment_entries": len(self._legs),
                    "fragment_bytes": int(self._legs.currsize),
                    "fragment_evictions": self._legs.evictions,
                    "max_bytes": self.max_bytes, "entry_bytes": self.entry_bytes,
                    "fragment_max_bytes": self.fragment_max_bytes}

    def clear(self) -> None:
        """Drop every stored answer and leg (counters stay)."""
        with self._lock:
            self._results.clear()
            self._legs.clear()

