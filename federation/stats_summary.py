"""The robust, decaying summary of one (source, shape) (see ``federation.stats``).

A summary keeps the last ``RECENT`` executions — (rows in, rows out, seconds) — and weighs
them by age: an execution ``HALF_LIFE`` executions old counts half, so a changed workload
takes over within a few dozen runs. Before anything is fitted, latencies are winsorised: each
is divided by what the source kind's prior predicts for its rows, and those ratios are
clipped to a factor ``CLIP`` below and ``CLIP_UP`` above the weighted median of the runs of
about the same size (rows in and out within a factor ``CLIP``: ``_size_class``). The first
run of a shape (opening a connection, preparing a statement, a cold page cache) or a stall
therefore does not bend the fit, while a shape whose latency really grows with its rows
keeps its slope. The p50/p90 reported are the raw (not clipped) weighted quantiles.

>>> s = Summary("crm", "sqlite", Shape("s", "scan t"))
>>> for seconds in [0.5] + [0.001] * 9:  # a cold first run, then steady
...     s.add(0, 10, seconds, now=0.0)
>>> f = s.frozen()
>>> round(f.p50_s, 4), round(math.exp(f.log_mean), 4) < 0.002
(0.001, True)
"""

from __future__ import annotations

import json
import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import replace

import pyarrow as pa

from planner.cost import FLOOR_S, HALF_LIFE, Prior, ShapeStats, fit, prior_for
from planner.shape import Shape
from planner.signature import MISSING_LOG_SD, Near, Signature, nearest

RECENT = 32  # executions kept per shape (the oldest weighs 2^(-31/HALF_LIFE), 0.17)
CLIP = 4.0  # latencies further than this factor from the weighted median are clipped
# ... or slower than this factor above it: on a busy machine a stall (another process, a
# page fault) takes a run to 3x its median, and a line fitted to means made a fast
# shape look as slow as its spikes (a 2.2 ms stage predicted at 4 ms)
CLIP_UP = 2.0
REFREEZE = 4  # a frozen summary is recomputed after this many new executions (at most)
_DECAY = 0.5 ** (1 / HALF_LIFE)
_WEIGHTS = [_DECAY ** age for age in range(RECENT)]  # weight of the execution ``age`` back


class Summary:
    """Mutated only under ``federation.stats.Stats``'s lock."""

    __slots__ = ("cached", "executions", "kind", "last_seen", "recent", "seq", "shape",
                 "signed", "source", "stale")

    def __init__(self, source: str, kind: str, shape: Shape) -> None:
        self.source, self.kind, self.shape = source, kind, shape
        self.executions = 0
        self.recent: deque[tuple[int, int, float, bool]] = deque(maxlen=RECENT)
        # (signature of the values read, rows out, seconds, cold) of recent executions with
        # values: a cold run's rows are right (and say what nearby values return), its
        # latency is not
        self.signed: deque[tuple[Signature, float, float, bool]] = deque(maxlen=RECENT)
        self.last_seen = 0.0
        self.seq = 0  # when it was last used, in its ``Stats``'s order (kept in the file)
        self.cached: ShapeStats | None = None
        self.stale = 0  # executions added since ``cached`` was computed

    def add(self, rows_in: int, rows_out: int, seconds: float, now: float,
            sig: Signature | None = None, cold: bool = False) -> None:
        # a cold run (the first on a source: connections, drivers) is kept, but its latency is
        # not fitted once a warm run exists: it says more about the start than the shape
        self.recent.append((rows_in, rows_out, max(seconds, 1e-9), cold))
        if sig:
            self.signed.append((sig, float(rows_out), max(seconds, 1e-9), cold))
        self.executions += 1
        self.last_seen = now
        self.stale += 1

    @property
    def warm(self) -> bool:
        """Whether a run other than a source's first (cold) one was recorded."""
        return any(not run[3] for run in self.recent)

    def frozen(self) -> ShapeStats:
        """The planner's view; recomputed every execution while a shape is young, then
        every ``REFREEZE`` executions (it costs tens of µs)."""
        if self.cached is None or (self.stale and (self.executions <= 2 * REFREEZE
                                                   or self.stale >= REFREEZE)):
            self.cached = self._freeze()
            self.stale = 0
        return self.cached

    def _freeze(self) -> ShapeStats:
        runs = [r[:3] for r in self.recent if not r[3]] or [r[:3] for r in self.recent]
        weights = _WEIGHTS[len(runs) - 1::-1] if runs else []
        prior = prior_for(self.kind)
        base = [prior.seconds(k, r, keyed=k > 0) for k, r, _ in runs]
        ratios = [y / b for (_, _, y), b in zip(runs, base, strict=True)]
        middles = _class_medians(runs, ratios, weights)
        sw = sk = sr = skk = skr = srr = sy = sky = sry = 0.0
        log_sum = log_sq = 0.0
        points = []
        for (k_rows, r_rows, _), q, b, w in zip(runs, ratios, base, weights, strict=True):
            middle = middles[_size_class(k_rows, r_rows)]
            y = min(max(q, middle / CLIP), middle * CLIP_UP) * b
            k, r = k_rows / 1000, r_rows / 1000
            points.append((k, r, y, w))
            wk, wr, wy = w * k, w * r, w * y
            sw += w
            sk += wk
            sr += wr
            skk += wk * k
            skr += wk * r
            srr += wr * r
            sy += wy
            sky += wk * y
            sry += wr * y
            ly = math.log(y)
            log_sum += w * ly
            log_sq += w * ly * ly
        total = sw or 1.0
        mean = log_sum / total
        raw = [y for _, _, y in runs]
        stats = ShapeStats(
            self.source, self.kind, self.shape.id, self.shape.text, self.executions, mean,
            max(log_sq / total - mean * mean, 0.0), _weighted_quantile(raw, weights, 0.5),
            _weighted_quantile(raw, weights, 0.9), 1000 * sk / total, 1000 * sr / total,
            (sw, sk, sr, skk, skr, srr, sy, sky, sry), self.last_seen)
        return replace(stats, log_var=_residual_log_var(stats, prior, points))

    def near(self, sig: Signature) -> Near | None:
        """What the executions nearest ``sig`` returned (cold ones too) and took (warm ones
        only, as sure as they agree and at least as unsure as a run misses the shape's
        line)."""
        warm = [(s, r, y) for s, r, y, cold in self.signed if not cold]
        noise = min(self.frozen().log_var, MISSING_LOG_SD ** 2) if warm else 0.0
        timed = nearest(sig, warm, noise)
        # the rows are the timed runs' unless cold runs are recorded too (a search per
        # candidate route while planning: not twice when once says it)
        rows = timed if len(warm) == len(self.signed) else \
            nearest(sig, [(s, r, y) for s, r, y, _ in self.signed])
        if rows is None:
            return None
        if timed is None:
            return Near(rows[0], rows[3], None, MISSING_LOG_SD, math.inf, self.executions)
        return Near(rows[0], rows[3], timed[1], timed[2], timed[3], self.executions)

    def dump(self) -> str:
        signed = [[sig.dump(), r, y, *([True] if cold else [])]
                  for sig, r, y, cold in self.signed]
        return json.dumps({"executions": self.executions, "recent": list(self.recent),
                           "signed": signed})

    @classmethod
    def load(cls, source: str, kind: str, shape: Shape, state: str, last_seen: float
             ) -> Summary:
        """A stored summary; ``ValueError`` (or ``KeyError``/``TypeError``) if malformed."""
        data = json.loads(state)
        summary = cls(source, kind, shape)
        summary.executions = int(data["executions"])
        for k, r, y, *cold in data["recent"]:
            if not (isinstance(k, int) and isinstance(r, int) and float(y) > 0):
                raise ValueError("malformed execution")
            summary.recent.append((k, r, float(y), bool(cold and cold[0])))
        for sig, r, y, *cold in data.get("signed", []):
            summary.signed.append((Signature.load(sig), float(r), float(y),
                                   bool(cold and cold[0])))
        summary.last_seen = last_seen
        return summary


_COLUMNS = pa.schema([
    ("source", pa.string()), ("kind", pa.string()), ("shape", pa.string()),
    ("shape_text", pa.string()), ("executions", pa.int64()),
    ("rows_in_mean", pa.float64()), ("rows_out_mean", pa.float64()),
    ("latency_p50_s", pa.float64()), ("latency_p90_s", pa.float64()),
    ("latency_geomean_s", pa.float64()), ("fit_base_s", pa.float64()),
    ("fit_per_1k_in_s", pa.float64()), ("fit_per_1k_out_s", pa.float64()),
    ("last_seen", pa.timestamp("ms", tz="UTC")),
])


def stats_table(shapes: Iterable[ShapeStats], priors: Mapping[str, Prior] | None = None
                ) -> pa.Table:
    """The ``eng.stats()`` table: decayed means, recent quantiles and the fitted cost line
    (pulled towards the source's calibrated prior in ``priors``, else its kind's)."""
    rows = []
    priors = priors or {}
    for s in shapes:
        a, b, c = fit(s, priors.get(s.source) or prior_for(s.kind), keyed=s.rows_in_mean > 0)
        rows.append({"source": s.source, "kind": s.kind, "shape": s.shape,
                     "shape_text": s.shape_text, "executions": s.executions,
                     "rows_in_mean": s.rows_in_mean, "rows_out_mean": s.rows_out_mean,
                     "latency_p50_s": s.p50_s, "latency_p90_s": s.p90_s,
                     "latency_geomean_s": math.exp(s.log_mean), "fit_base_s": a,
                     "fit_per_1k_in_s": b, "fit_per_1k_out_s": c,
                     "last_seen": int(s.last_seen * 1000)})
    return pa.Table.from_pylist(rows, schema=_COLUMNS)


def _residual_log_var(stats: ShapeStats, prior: Prior,
                      points: list[tuple[float, float, float, float]]) -> float:
    """The weighted variance of ln(seconds) around the fitted line (what a prediction
    from it misses), not around one mean: a shape run with 60 keys and with 9 000 is not
    uncertain for taking 3 ms and 60 ms, which the line says.

    >>> s = Summary("crm", "sqlite", Shape("s", "keyed read"))
    >>> for keys, seconds in [(60, 0.003), (9000, 0.060)] * 8:
    ...     s.add(keys, keys, seconds, now=0.0)
    >>> f = s.frozen()
    >>> f.log_var < 0.01  # about the line; about their mean it is ln(20)²/4 = 2.24
    True
    """
    a, b, c = fit(stats, prior, keyed=stats.rows_in_mean > 0)
    total = sum(w for *_, w in points) or 1.0
    return sum(w * (math.log(y) - math.log(max(a + b * k + c * r, FLOOR_S))) ** 2
               for k, r, y, w in points) / total


def _size_class(rows_in: int, rows_out: int) -> tuple[int, int]:
    """Runs of one class have rows in and out within about a factor ``CLIP`` of each other.

    >>> _size_class(0, 218), _size_class(0, 300), _size_class(0, 600_572)
    ((0, 4), (0, 4), (0, 10))
    """
    return (round(math.log(rows_in + 1, CLIP)), round(math.log(rows_out + 1, CLIP)))


def _class_medians(runs: list[tuple[int, int, float]], ratios: list[float],
                   weights: list[float]) -> dict[tuple[int, int], float]:
    """The weighted median ratio to the prior of each size class's runs. Runs are clipped
    against runs of their own size only: the prior's ratio of fixed cost to cost per row is
    not the shape's (a one-day join inside SQLite took 24 ms, 220x its prior, the same join
    over 600 000 rows 330 ms, 4x), and clipping across sizes made the large run 14x slower."""
    classes: dict[tuple[int, int], tuple[list[float], list[float]]] = {}
    for (k, r, _), q, w in zip(runs, ratios, weights, strict=True):
        qs, ws = classes.setdefault(_size_class(k, r), ([], []))
        qs.append(q)
        ws.append(w)
    return {c: _weighted_quantile(qs, ws, 0.5) for c, (qs, ws) in classes.items()}


def _weighted_quantile(values: list[float], weights: list[float], q: float) -> float:
    """The smallest value whose cumulative weight reaches ``q`` of the total (NaN if none).

    >>> _weighted_quantile([3.0, 1.0, 2.0], [1.0, 1.0, 1.0], 0.5)
    2.0
    >>> _weighted_quantile([1.0, 9.0], [1.0, 3.0], 0.5)
    9.0
    """
    if not values:
        return math.nan
    pairs = sorted(zip(values, weights, strict=True))
    target, seen = q * sum(weights), 0.0
    for value, weight in pairs:
        seen += weight
        if seen >= target - 1e-12:
            return value
    return pairs[-1][0]
