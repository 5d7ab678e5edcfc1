"""Predicted latency of a plan alternative from recorded statistics (DESIGN §5.4).

Pure: no I/O, no clock, no source imports. The planner sees what was measured only through a
``StatsView`` (``federation.stats`` builds a frozen ``StatsSnapshot`` of it): per source and
fragment shape (``planner.shape``), decayed sums from which latency is fitted as

    latency ≈ a + b · rows_in/1000 + c · rows_out/1000

(``rows_in``: the keys passed into a fragment, or the rows entering the DuckDB stage). The fit is
a ridge regression pulled towards the prior of the source's kind, so a shape seen once at one
size keeps the prior's slopes and moves its base, and a shape seen at many sizes learns its own.
The prior is the source's own when it was calibrated in the workspace it is attached to
(``federation.calibration``: measured on this machine, this data), else its kind's.
Alternatives are sequences of phases; the legs of a phase run in parallel, a phase starts
when the legs of the one before that send it keys are read (all of them, when none is marked),
while the others run on beside it; the alternative ends with the last leg, then the stage.

>>> view = StatsSnapshot({}, {"crm": "sqlite"}, {})
>>> cold = predict_step(Step("crm", "0123456789abcdef", rows_out=1000), view)
>>> cold.basis, round(cold.seconds * 1e3, 3)  # 0.08 ms per call + 0.144 ms per 1000 rows
('prior sqlite', 0.224)
>>> keyed = Alternative(((Step("crm", "s1", rows_out=10),), (Step("crm", "s2", 10, 100),)))
>>> round(predict(keyed, view).seconds * 1e3, 3)  # the second waits for the first's keys
1.181
>>> predict(Alternative(keyed.phases, Step(STAGE, "st", rows_in=110.0)), view).rows  # held
110.0
>>> beside = Step("crm", "big", rows_out=20_000)  # 2.96 ms, runs on beside the receiver
>>> waits = Alternative(((keyed.phases[0][0], beside), keyed.phases[1]))
>>> round(predict(waits, view).seconds * 1e3, 3)  # the receiver waits for the slow leg too
4.059
>>> sender = Step("crm", "s1", rows_out=10, sends=True)
>>> round(predict(Alternative(((sender, beside), keyed.phases[1])), view).seconds * 1e3, 3)
2.96
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from planner.signature import Near, Signature

STAGE = "(duckdb)"  # the source name statistics of the DuckDB stage are kept under
ARROW_STAGE = "(arrow)"  # a stage finished in Arrow (no DuckDB)
HALF_LIFE = 12  # executions of one shape after which an observation weighs half
# how many observations the prior counts as: little for the base (a few runs replace it),
# more for the slopes (at 1000 rows), which runs all of one size cannot tell apart from the base
PRIOR_WEIGHT = 0.5
SLOPE_WEIGHT = 2.0
COLD_LOG_SD = 1.0  # spread of log-latency with no measurement: a factor of e either way
FLOOR_S = 1e-5  # no fragment is predicted faster than this
STAGE_KINDS = {STAGE: "duckdb", ARROW_STAGE: "arrow"}


@dataclass(frozen=True)
class Prior:
    """Cold-start latency of one fragment of a source kind: ``base_s`` per call, ``keyed_s``
    more when keys are passed in (building and binding the key set), ``per_1k_in_s`` per 1000
    keys passed in and ``per_1k_out_s`` per 1000 rows returned."""

    base_s: float
    per_1k_in_s: float
    per_1k_out_s: float
    keyed_s: float = 0.0

    def base(self, keyed: bool) -> float:
        return self.base_s + (self.keyed_s if keyed else 0.0)

    def seconds(self, rows_in: float, rows_out: float, keyed: bool) -> float:
        """
        >>> round(PRIORS["sqlite"].seconds(1000, 1000, keyed=True) * 1e3, 2)
        1.72
        """
        return self.base(keyed) + self.per_1k_in_s * rows_in / 1000 \
            + self.per_1k_out_s * rows_out / 1000


# Measured on the development machine (2 cores shared with other work, Python 3.12, apsw,
# Kuzu 0.11.3, LanceDB, DuckDB; 2026-11-30) through the engine by ``python -m
# benchmarks.priors``: medians of 30 runs on a 100 000-row table in each store; two runs,
# their ranges below (the machine was busy: read them as orders of magnitude).
#   sqlite  PK lookup 0.06-0.11 ms; 10 000 rows out 1.5 ms (0.144 ms per 1k);
#           1 000 passed keys (as many rows out) 1.7-1.8 ms, 10 000 keys 4.9-7.9 ms
#   kuzu    lookup 0.7-0.9 ms; 10 000 rows out 1.7-2.0 ms (0.10 ms per 1k);
#           1 000 passed keys 14-27 ms, 10 000 keys 26 ms (the key list is tested on every
#           node: a fixed cost that grows with the node table, which per-shape statistics learn)
#   lancedb lookup 2.3-2.9 ms, 10 000 rows 2.1-2.7 ms (a scan either way);
#           1 000 passed keys 5.3-6.4 ms, 10 000 keys 14.8 ms
#   duckdb  stage joining 2 x 10 rows 5.1-5.8 ms, 2 x 100 000 rows 18-21 ms (0.07 ms per 1k in)
#   arrow   stage over 1 row 18-22 us, 10 000 rows 26-40 us
PRIORS: Mapping[str, Prior] = {
    "sqlite": Prior(base_s=80e-6, per_1k_in_s=0.5e-3, per_1k_out_s=0.144e-3, keyed_s=1.0e-3),
    "kuzu": Prior(base_s=0.8e-3, per_1k_in_s=1.2e-3, per_1k_out_s=0.10e-3, keyed_s=15e-3),
    "lancedb": Prior(base_s=2.6e-3, per_1k_in_s=1.0e-3, per_1k_out_s=0.02e-3, keyed_s=2.2e-3),
    "duckdb": Prior(base_s=5.4e-3, per_1k_in_s=0.07e-3, per_1k_out_s=0.05e-3),
    "arrow": Prior(base_s=20e-6, per_1k_in_s=1.3e-6, per_1k_out_s=1.3e-6),
}
UNKNOWN_PRIOR = Prior(base_s=1e-3, per_1k_in_s=0.5e-3, per_1k_out_s=0.5e-3, keyed_s=1e-3)


@dataclass(frozen=True)
class ShapeStats:
    """What was recorded for one (source, shape); sums decay by ``HALF_LIFE`` executions.

    ``moments`` are the decayed sums of the fit, with x = (1, rows_in/1000, rows_out/1000)
    and y = latency in seconds: (Σ1, Σin, Σout, Σin², Σin·out, Σout², Σy, Σin·y, Σout·y).
    """

    source: str
    kind: str
    shape: str
    shape_text: str
    executions: int
    log_mean: float  # decayed mean of ln(seconds)
    log_var: float  # of ln(seconds) around the fitted line (what a prediction misses)
    p50_s: float  # over the most recent executions
    p90_s: float
    rows_in_mean: float
    rows_out_mean: float
    moments: tuple[float, ...]
    last_seen: float  # seconds since the epoch (the recorder's clock, not the planner's)


class StatsView(Protocol):
    """The read-only statistics the planner is given."""

    def shape(self, source: str, shape: str) -> ShapeStats | None: ...

    def source_kind(self, source: str) -> str | None: ...

    def table_rows(self, source: str, table: str) -> int | None: ...

    def distinct(self, source: str, table: str, column: str) -> int | None:
        """Distinct values of a column, where the source knows them (None: unknown)."""
        ...

    def prior(self, source: str) -> Prior | None:
        """The source's calibrated prior (None: use its kind's)."""
        ...

    def near(self, source: str, shape: str, sig: Signature) -> Near | None:
        """What the shape's recorded executions whose parameter values were nearest ``sig``
        returned and took (None: none comparable)."""
        ...


@dataclass(frozen=True)
class StatsSnapshot:
    """A frozen ``StatsView``: shapes by (source, shape id), source kinds by name, catalog
    row counts by (source, table) (tables, node tables and rel tables alike), distinct
    counts by (source, table, column) and calibrated priors by source."""

    shapes: Mapping[tuple[str, str], ShapeStats]
    kinds: Mapping[str, str]
    rows: Mapping[tuple[str, str], int | None]
    distincts: Mapping[tuple[str, str, str], int] = field(default_factory=dict)
    priors: Mapping[str, Prior] = field(default_factory=dict)

    def shape(self, source: str, shape: str) -> ShapeStats | None:
        return self.shapes.get((source, shape))

    def source_kind(self, source: str) -> str | None:
        return self.kinds.get(source)

    def table_rows(self, source: str, table: str) -> int | None:
        return self.rows.get((source, table))

    def distinct(self, source: str, table: str, column: str) -> int | None:
        return self.distincts.get((source, table, column))

    def prior(self, source: str) -> Prior | None:
        return self.priors.get(source)

    def near(self, source: str, shape: str, sig: Signature) -> Near | None:
        return None  # a snapshot keeps summaries, not the values of each execution


@dataclass(frozen=True)
class Step:
    """One fragment (or the stage) of an alternative; ``shape`` is a ``Shape.id``.
    ``rows_out`` None: as many rows as it returned on average before (0 when never run)."""

    source: str
    shape: str
    rows_in: float = 0.0
    rows_out: float | None = None
    # (seconds, spread of ln seconds, executions) of the recorded runs whose parameter values
    # were nearest this one's (``planner.signature``): used as is when given
    near: tuple[float, float, int] | None = None
    # seconds a cold prediction adds for work its rows do not show (a join inside a source
    # reads its tables whatever it returns); a measured shape has it in its fit
    work_s: float = 0.0
    # the next phase waits for this step (it sends keys); a phase where no step is marked
    # is waited for whole
    sends: bool = False


@dataclass(frozen=True)
class Alternative:
    """Phases run one after another, the steps of a phase in parallel; then ``stage``."""

    phases: tuple[tuple[Step, ...], ...]
    stage: Step | None = None


@dataclass(frozen=True)
class Estimate:
    seconds: float
    log_sd: float  # uncertainty of ln(seconds): what exploration samples from
    basis: str  # "measured (n runs)", "calibrated <source>" or "prior <kind>"
    # rows entering the DuckDB stage: a joined input is held whole, so of two routes about
    # as fast the one moving fewer is the lighter (planner.router)
    rows: float = 0.0


def prior_for(kind: str | None) -> Prior:
    return PRIORS.get(kind or "", UNKNOWN_PRIOR)


def fit(stats: ShapeStats | None, prior: Prior, keyed: bool = False
        ) -> tuple[float, float, float]:
    """Coefficients (a, b, c) of the latency fit, ridge-regularised towards ``prior`` (its
    base with ``keyed_s`` for a shape that receives keys).

    >>> p = Prior(1e-3, 0.0, 1e-3)
    >>> fit(None, p)
    (0.001, 0.0, 0.001)
    >>> seen = _stats([(0, 4000, 0.009)] * 50)  # always 4000 rows, 9 ms: a + 4c = 9 ms now,
    >>> [round(v * 1e3, 2) for v in fit(seen, p)]  # base and slope both moved
    [1.8, 0.0, 1.8]
    """
    a0 = (prior.base(keyed), prior.per_1k_in_s, prior.per_1k_out_s)
    if stats is None:
        return a0
    w, sk, sr, skk, skr, srr, sy, sky, sry = stats.moments
    lam, mu = PRIOR_WEIGHT, SLOPE_WEIGHT
    matrix = [[w + lam, sk, sr], [sk, skk + mu, skr], [sr, skr, srr + mu]]
    rhs = [sy + lam * a0[0], sky + mu * a0[1], sry + mu * a0[2]]
    solved = _solve3(matrix, rhs)
    if solved is None:
        return a0
    a, b, c = solved
    if b < 0 or c < 0:  # more rows never make a read faster: refit the base without them
        b, c = max(b, 0.0), max(c, 0.0)
        a = (sy - b * sk - c * sr + lam * a0[0]) / (w + lam)
    return a, b, c


def predict_step(step: Step, view: StatsView) -> Estimate:
    """Predicted latency of one fragment or stage from its shape's statistics, pulled
    towards the source's calibrated prior, else its kind's.

    >>> calibrated = StatsSnapshot({}, {"crm": "sqlite"}, {}, priors={"crm": Prior(2e-4, 0, 1e-4)})
    >>> cold = predict_step(Step("crm", "0123456789abcdef", rows_out=1000), calibrated)
    >>> cold.basis, round(cold.seconds * 1e3, 3)
    ('calibrated crm', 0.3)
    """
    if step.near is not None:
        seconds, spread, runs = step.near
        return Estimate(max(FLOOR_S, seconds), spread,
                        f"measured near these values ({runs} runs)")
    stats = view.shape(step.source, step.shape)
    kind = stats.kind if stats is not None else \
        view.source_kind(step.source) or STAGE_KINDS.get(step.source)
    calibrated = view.prior(step.source)
    # a stage's rows in are its inputs, not keys: its priors have no ``keyed_s``
    keyed = step.rows_in > 0 if stats is None else stats.rows_in_mean > 0
    a, b, c = fit(stats, calibrated or prior_for(kind), keyed)
    rows_out = step.rows_out if step.rows_out is not None else \
        (stats.rows_out_mean if stats is not None else 0.0)
    seconds = max(FLOOR_S, a + b * step.rows_in / 1000 + c * rows_out / 1000)
    if stats is None:
        seconds += step.work_s * work_scale(calibrated, kind)
        basis = f"calibrated {step.source}" if calibrated is not None \
            else f"prior {kind or 'unknown'}"
        return Estimate(seconds, COLD_LOG_SD, basis)
    # the uncertainty of the mean (what exploration samples): the runs' spread, pulled
    # towards the cold one, over the square root of the decayed number of runs
    w = stats.moments[0]
    sd = math.sqrt((max(stats.log_var, 0.0) * w + COLD_LOG_SD ** 2 * PRIOR_WEIGHT)
                   / (w + PRIOR_WEIGHT) / (w + PRIOR_WEIGHT))
    return Estimate(seconds, sd, f"measured ({stats.executions} runs)")


def work_scale(calibrated: Prior | None, kind: str | None) -> float:
    """How much faster (< 1) this source reads a row than its kind's prior says: a step's
    ``work_s`` is rows a join reads at the kind's speed, and the calibration measured this
    machine's. A link-table join the mirror ran in 2.4 ms was guessed at 9 ms with the kind's
    speed on a machine reading rows 2.4x faster, and never tried against Kuzu's 3 ms.

    >>> work_scale(Prior(1e-4, 0.0, 0.072e-3), "sqlite")  # rows read twice as fast
    0.5
    >>> work_scale(None, "sqlite")
    1.0
    """
    if calibrated is None:
        return 1.0
    reference = prior_for(kind).per_1k_out_s
    return calibrated.per_1k_out_s / reference if reference > 0 else 1.0


def predict(alternative: Alternative, view: StatsView) -> Estimate:
    """Predicted latency of an alternative: when its last leg ends (a phase starting once
    the legs it waits for are read), plus the stage; its spread is the largest of its
    parts' (a conservative guess). TPC-H Q8 at SF 1: part keys (22 ms) into the lineitem
    read (290 ms) beside the orders read (240 ms) ran in 320 ms; as phases one after the
    other it looked 530 ms, slower than reading lineitem whole (350 ms), and was not taken."""
    start = end = spread = 0.0
    bases: set[str] = set()
    for phase in (p for p in alternative.phases if p):
        estimates = [predict_step(s, view) for s in phase]
        slowest = max(estimates, key=lambda e: e.seconds)
        end = max(end, start + slowest.seconds)
        spread = max(spread, slowest.log_sd)
        # every step's basis: a cold step the slowest hides still makes the whole cold
        bases |= {e.basis.split(" (")[0] for e in estimates}
        waited = [e for s, e in zip(phase, estimates, strict=True) if s.sends] or estimates
        start += max(e.seconds for e in waited)
    rows = 0.0
    if alternative.stage is not None:
        stage = predict_step(alternative.stage, view)
        end, spread, rows = end + stage.seconds, max(spread, stage.log_sd), \
            alternative.stage.rows_in
        bases.add(stage.basis.split(" (")[0])
    return Estimate(end, spread, ", ".join(sorted(bases)), rows)


def _solve3(m: list[list[float]], v: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None when singular."""
    a = [[*row, rhs] for row, rhs in zip(m, v, strict=True)]
    for col in range(3):
        pivot = max(range(col, 3), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-300:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, 3):
            f = a[r][col] / a[col][col]
            for k in range(col, 4):
                a[r][k] -= f * a[col][k]
    x = [0.0, 0.0, 0.0]
    for r in (2, 1, 0):
        x[r] = (a[r][3] - sum(a[r][k] * x[k] for k in range(r + 1, 3))) / a[r][r]
    return x


def _stats(samples: list[tuple[float, float, float]]) -> ShapeStats:
    """Statistics of (rows_in, rows_out, seconds) samples without decay (for examples)."""
    m = [0.0] * 9
    for rin, rout, y in samples:
        k, r = rin / 1000, rout / 1000
        for i, v in enumerate((1, k, r, k * k, k * r, r * r, y, k * y, r * y)):
            m[i] += v
    logs = [math.log(y) for _, _, y in samples]
    mean = sum(logs) / len(logs)
    return ShapeStats("s", "sqlite", "x", "", len(samples), mean,
                      sum((v - mean) ** 2 for v in logs) / len(logs), 0.0, 0.0, 0.0, 0.0,
                      tuple(m), 0.0)
