"""A bounded sample of observations for latency quantiles (Vitter's reservoir, algorithm R).

Memory is fixed (``SIZE`` floats) however many values are added; quantiles are read from a
sorted copy. The random choice of which value to replace is seeded, so a run is repeatable.
Not thread-safe by itself: its owner adds and reads under its own lock (one lock per query
for all of a query's counters, rather than one per counter).
"""

from __future__ import annotations

import random

SIZE = 2048
QUANTILES = (0.5, 0.9, 0.99)


class Reservoir:
    def __init__(self, size: int = SIZE, seed: int = 0) -> None:
        self.size = size
        self.count = 0
        self.total = 0.0
        self._values: list[float] = []
        self._random = random.Random(seed)

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        if len(self._values) < self.size:
            self._values.append(value)
            return
        slot = int(self._random.random() * self.count)
        if slot < self.size:
            self._values[slot] = value

    def summary(self) -> dict[str, float | int]:
        """count, sum and the p50/p90/p99 of the sample (nearest rank), in seconds."""
        values = sorted(self._values)
        out: dict[str, float | int] = {"count": self.count, "sum": self.total}
        for q in QUANTILES:
            out[f"p{round(q * 100)}"] = quantile(values, q)
        return out


def quantile(ordered: list[float], q: float) -> float:
    """Nearest-rank quantile of sorted values (0.0 when there are none).

    >>> quantile([1.0, 2.0, 3.0, 4.0], 0.5), quantile([1.0, 2.0, 3.0, 4.0], 0.99)
    (2.0, 4.0)
    """
    if not ordered:
        return 0.0
    rank = max(1, -(-int(q * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]
