"""A bounded, first-come-first-served gate per source (DESIGN §11: a bounded number of
connections per source, shared by every thread).

Every query holds one slot of the gate of each source it reads (taken in name order, so two
queries can never each hold what the other waits for) for as long as it runs; a migration takes
every slot of its source (``exclusive``), so no query reads a store while its schema changes
(and Kuzu's Database is never reopened read-write under a running call). Waiters are served in
arrival order (tickets in a queue), and a waiter gives up at its query's deadline with
``QueryTimeoutError``. The counters are the gate's own: ``peak`` is the most slots ever held at
once, which tests compare with the configured bound.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from federation.cancel import QueryToken
from federation.errors import ConfigurationError, QueryTimeoutError
from federation.ops.quantiles import Reservoir

DEFAULT_SLOTS = 8
CANCEL_POLL_S = 0.05


@dataclass(frozen=True)
class GateStats:
    capacity: int
    in_use: int
    peak: int
    waiting: int
    peak_waiting: int
    acquired: int
    timeouts: int


class FairGate:
    """``capacity`` slots handed out in arrival order."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ConfigurationError("a source's pool holds at least one connection")
        self.capacity = capacity
        self._lock = threading.Lock()  # taken directly on the fast path (cheaper than the cv)
        self._cv = threading.Condition(self._lock)
        self._queue: deque[object] = deque()
        self._in_use = self._peak = self._peak_waiting = self._acquired = self._timeouts = 0
        self.waits = Reservoir()  # seconds spent waiting, by those that waited

    def acquire(self, weight: int = 1, deadline: float | None = None,
                token: QueryToken | None = None) -> None:
        """Wait (until ``deadline``, a ``time.monotonic()`` value) for ``weight`` slots;
        a cancelled ``token`` (``close()``, ``detach()``) stops the wait with its error."""
        weight = min(weight, self.capacity)
        with self._lock:
            if not self._queue and self._in_use + weight <= self.capacity:
                self._take(weight)  # the usual case: nobody waits, a slot is free
                return
        self._wait(weight, deadline, token)

    def _take(self, weight: int) -> None:
        self._in_use += weight
        self._acquired += 1
        if self._in_use > self._peak:
            self._peak = self._in_use

    def _wait(self, weight: int, deadline: float | None, token: QueryToken | None) -> None:
        start = time.monotonic()
        ticket = object()
        with self._cv:
            self._queue.append(ticket)
            self._peak_waiting = max(self._peak_waiting, len(self._queue))
            try:
                while self._queue[0] is not ticket or self._in_use + weight > self.capacity:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        self._timeouts += 1
                        raise QueryTimeoutError("the query's time limit passed while it "
                                                "waited for a connection")
                    if token is not None and token.cancelled:
                        raise token.error()
                    # woken by a release; a cancellation is seen within CANCEL_POLL_S
                    self._cv.wait(CANCEL_POLL_S if left is None else min(left, CANCEL_POLL_S))
            except BaseException:  # timed out or interrupted: leave the line
                self._queue.remove(ticket)
                self._cv.notify_all()
                raise
            self._queue.popleft()
            self._take(weight)
            self._cv.notify_all()  # the next in line may fit too
            self.waits.add(time.monotonic() - start)

    def release(self, weight: int = 1) -> None:
        with self._lock:
            self._in_use -= min(weight, self.capacity)
            if self._queue:
                self._cv.notify_all()

    def wait_summary(self) -> dict[str, float | int]:
        with self._cv:
            return self.waits.summary()

    def stats(self) -> GateStats:
        with self._cv:
            return GateStats(self.capacity, self._in_use, self._peak, len(self._queue),
                             self._peak_waiting, self._acquired, self._timeouts)


class Gates:
    """One ``FairGate`` per source name, made on first use."""

    def __init__(self, slots: int = DEFAULT_SLOTS) -> None:
        if isinstance(slots, bool) or not isinstance(slots, int) or slots < 1:
            raise ConfigurationError("connect(pool_size=...) takes an integer >= 1")
        self.slots = slots
        self._gates: dict[str, FairGate] = {}
        self._lock = threading.Lock()

    def gate(self, name: str) -> FairGate:
        found = self._gates.get(name)  # a dict read is atomic; made once under the lock
        if found is None:
            with self._lock:
                found = self._gates.setdefault(name, FairGate(self.slots))
        return found

    def holding(self, names: Iterable[str], deadline: float | None = None,
                exclusive: bool = False, token: QueryToken | None = None) -> Holding:
        """Hold a slot (or, ``exclusive``, every slot) of each source in ``names``."""
        gates = self._gates
        return Holding([gates.get(n) or self.gate(n) for n in sorted(set(names))], deadline,
                       exclusive, token)

    def stats(self) -> dict[str, GateStats]:
        with self._lock:
            gates = dict(self._gates)
        return {name: gate.stats() for name, gate in sorted(gates.items())}


class Holding:
    """The slots of one query (a context manager), taken in name order, given back in
    reverse."""

    __slots__ = ("_deadline", "_exclusive", "_gates", "_held", "_token")

    def __init__(self, gates: list[FairGate], deadline: float | None, exclusive: bool,
                 token: QueryToken | None) -> None:
        self._gates = gates
        self._deadline = deadline
        self._exclusive = exclusive
        self._token = token
        self._held: list[tuple[FairGate, int]] = []

    def __enter__(self) -> None:
        try:
            for gate in self._gates:
                weight = gate.capacity if self._exclusive else 1
                gate.acquire(weight, self._deadline, self._token)
                self._held.append((gate, weight))
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc: object) -> None:
        while self._held:
            gate, weight = self._held.pop()
            gate.release(weight)
