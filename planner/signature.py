"""What a fragment's parameter values look like to the statistics: a ``Signature``.

A shape's statistics (``planner.shape``) forget values, so on their own they predict the same
rows for ``team = 'core'`` and ``team = 'edge'``, for a one-day and a one-year date range.
Each execution therefore also records the signature of the values its fragment read, and a
new execution is predicted from the recorded executions whose values were nearest
(``nearest``): numbers and dates as numbers (with the differences between them, which are
the widths of ranges), other values as categories (equal or not), an IN list by its length.
Pure: nothing here reads a clock or a source.

>>> import datetime as dt
>>> sig = signature(("d0", "d1", "team"), {"d0": dt.date(2024, 1, 1),
...                                        "d1": dt.date(2024, 1, 31), "team": "core"})
>>> sig.numbers  # the two dates (as days) and the range's width
(19723.0, 19753.0, 30.0)
>>> recorded = [(signature(("n",), {"n": n}), float(n * 10), 0.001 * n) for n in (1, 2, 50)]
>>> rows, seconds, _, _ = nearest(signature(("n",), {"n": 3}), recorded)
>>> 10 < rows < 40 and seconds < 0.005
True
"""

from __future__ import annotations

import datetime as dt
import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

K = 3  # neighbours averaged
# spread of ln(seconds) of a neighbour not yet recorded (``planner.cost.COLD_LOG_SD``'s)
MISSING_LOG_SD = 1.0
MAX_NUMBERS = 4  # differences are added between at most this many numeric values
# what a difference in where a range lies counts against one in its width: two one-agent
# ranges at seeds 100 and 9000 read as many rows (each one seek), a one-agent and a
# 6000-agent range do not; where it lies still counts (dates of a skewed table)
POSITION_WEIGHT = 0.25
MAX_LIST = 64  # a longer list of numbers is a vector, not an IN list: not part of it
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Signature:
    """``numbers``: the values, then (``widths`` of them) the differences between them."""

    numbers: tuple[float, ...] = ()
    categories: tuple[int, ...] = ()
    widths: int = 0

    def __bool__(self) -> bool:
        return bool(self.numbers or self.categories)

    def dump(self) -> list[list[float] | list[int]]:
        out: list[list[float] | list[int]] = [list(self.numbers), list(self.categories)]
        return [*out, [self.widths]] if self.widths else out

    @classmethod
    def load(cls, data: Sequence[Sequence[float]]) -> Signature:
        widths = int(data[2][0]) if len(data) > 2 and data[2] else 0
        return cls(tuple(float(v) for v in data[0]), tuple(int(v) for v in data[1]), widths)


@dataclass(frozen=True)
class Near:
    """What a shape's recorded executions nearest some values say: the rows they returned
    (``rows_distance`` away, in recorded ranges), the seconds they took and the spread of
    that (``seconds`` None: only cold runs, whose latency says nothing, are recorded), how
    far the nearest timed one was, and how many runs the shape has."""

    rows: float
    rows_distance: float
    seconds: float | None
    spread: float
    distance: float
    runs: int


def signature(names: Iterable[str], values: Mapping[str, object]) -> Signature:
    numbers: list[float] = []
    categories: list[int] = []
    for name in names:
        value = values.get(name)
        number = _number(value)
        if number is not None:
            numbers.append(number)
        elif isinstance(value, list | tuple):
            if len(value) <= MAX_LIST or not all(isinstance(v, int | float) for v in value):
                numbers.append(float(len(value)))
        else:
            categories.append(zlib.crc32(repr(value).encode()))
    widths = 0
    if 1 < len(numbers) <= MAX_NUMBERS:
        differences = [b - a for i, a in enumerate(numbers) for b in numbers[i + 1:]]
        numbers, widths = numbers + differences, len(differences)
    return Signature(tuple(numbers), tuple(categories), widths)


def _number(value: object) -> float | None:
    if isinstance(value, bool | int | float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, dt.datetime):
        return value.timestamp() / 86400 if value.tzinfo else \
            (value - dt.datetime(1970, 1, 1)).total_seconds() / 86400
    if isinstance(value, dt.date):
        return float((value - _EPOCH).days)
    return None


def nearest(sig: Signature, recorded: Sequence[tuple[Signature, float, float]],
            noise_var: float = 0.0) -> tuple[float, float, float, float] | None:
    """Rows, seconds and the spread of ln(seconds) predicted for ``sig`` from the ``K``
    recorded executions (signature, rows, seconds) nearest to it, and the distance to the
    nearest; None with no comparable one. The seconds are the neighbours' weighted median:
    one run of ``K`` caught in a stall (3 ms runs, one of 8 ms on a busy machine) moved
    their mean by a third, and the route, no longer chosen, was never measured again.
    Numbers are compared relative to their recorded range (at least a tenth of their
    magnitude: one narrow range recorded five times does not make every other range
    infinitely far); where a range lies counts
    ``POSITION_WEIGHT`` as much as its width. The spread is how far the neighbours lie
    from the prediction (each counted alike: a far one that disagrees shows the latency
    moves with the values), at least ``noise_var`` (what one run misses: the shape's own
    residual); with fewer than ``K`` recorded the missing ones count as spread
    ``MISSING_LOG_SD``: a shape run once with a one-year range is not taken to cost the same
    for a one-day range (its fit would be, knowing no values), nor known as well as by ``K``
    runs. Neighbours that exist and agree are not counted as missing however much the
    nearest outweighs them: that kept well-measured shapes at spread ~0.5, explored forever;
    and one that disagrees counts at most as a missing one.

    >>> one = [(signature(("n",), {"n": 50}), 500.0, 0.05)]
    >>> rows, seconds, spread, distance = nearest(signature(("n",), {"n": 3}), one)
    >>> rows, round(seconds, 3), round(spread, 2), round(distance, 1)  # nine spans away
    (500.0, 0.05, 0.82, 9.4)
    >>> def seed(lo, hi): return signature(("lo", "hi"), {"lo": lo, "hi": hi})
    >>> runs = [(seed(1, 6000), 9e4, 0.060), (seed(100, 100), 15.0, 0.0008)]
    >>> _, seconds, _, distance = nearest(seed(9000, 9000), runs)  # another seed: near a seed
    >>> round(seconds * 1e3, 2), round(distance, 2)
    (0.8, 0.35)
    """
    same = [r for r in recorded if len(r[0].numbers) == len(sig.numbers)
            and len(r[0].categories) == len(sig.categories)]
    if not same or not sig:
        return None
    positions = len(sig.numbers) - sig.widths
    scale = [POSITION_WEIGHT if sig.widths and i < positions else 1.0
             for i in range(len(sig.numbers))]
    # a range's position is compared over the positions seen, this one's included (a new
    # seed is another seed, not an extrapolation); its width over the widths recorded
    spans = []
    for v, s, w in zip(zip(*(r[0].numbers for r in same), strict=True), sig.numbers, scale,
                       strict=True):
        seen = (*v, s) if w < 1 else v
        spans.append(max(max(seen) - min(seen), 0.1 * max(abs(x) for x in (*v, s)), 1.0))
    distances = []
    for rec, rows, seconds in same:
        d = sum((w * (a - b) / s) ** 2 for a, b, s, w in zip(sig.numbers, rec.numbers, spans,
                                                             scale, strict=True))
        d += sum(a != b for a, b in zip(sig.categories, rec.categories, strict=True))
        distances.append((math.sqrt(d), rows, seconds))
    closest = sorted(distances, key=lambda t: t[0])[:K]
    # inverse-square: an execution with these very values outweighs one a range away ~400:1
    weights = [1 / (d + 0.05) ** 2 for d, _, _ in closest]
    total = sum(weights)
    rows = sum(w * r for w, (_, r, _) in zip(weights, closest, strict=True)) / total
    logs = [math.log(max(y, 1e-9)) for _, _, y in closest]
    mean = _weighted_median(logs, weights)
    found = len(closest)
    # a neighbour further off than a missing one would be says no more than a missing one:
    # a route run once at narrow values and twice at broad ones (7x slower) was drawn with
    # a spread of 1.6, and explored at 2x the best prediction one round in three for ever
    deviations = [min((v - mean) ** 2, MISSING_LOG_SD ** 2) for v in logs]
    variance = max(sum(deviations) / found, noise_var)
    spread = math.sqrt((found * variance + (K - found) * MISSING_LOG_SD ** 2) / K)
    return rows, math.exp(mean), spread, closest[0][0]


def _weighted_median(values: Sequence[float], weights: Sequence[float]) -> float:
    """The value at half the total weight (the lower one at a tie).

    >>> _weighted_median([1.0, 9.0, 1.2], [1.0, 1.0, 1.0])
    1.2
    >>> _weighted_median([1.0, 9.0], [1.0, 30.0])
    9.0
    """
    pairs = sorted(zip(values, weights, strict=True))
    half, seen = sum(weights) / 2, 0.0
    for value, weight in pairs:
        seen += weight
        if seen >= half - 1e-12:
            return value
    return pairs[-1][0]
