"""Choose among a query's equivalent plans by predicted latency, and say why (DESIGN §5.4).

``auto`` takes the lowest predicted latency, but explores a little: each other measured
candidate's latency is drawn from the uncertainty of its prediction (Thompson sampling
against the best prediction as it is), and taken when the draw is ``EXPLORE_GAIN`` times
faster, so a noisy estimate or one that varies with the values is tried and corrected, while
a well-measured one is rarely second-guessed. A candidate known only from priors is drawn so
in ``EXPLORE_SHARE`` of the executions (else its prediction counts as it is: many cold
candidates would otherwise be tried one after another), and while no candidate has been
measured the best prediction is taken. A candidate predicted more than ``TAIL_GUARD`` times
the best, or further off it than ``EXPLORE_SDS`` of their combined spread, is not explored.
A forced policy keeps the candidates having its route feature (when any has it) and takes
the lowest prediction without exploring; ``random`` takes any candidate (a test of every
route, run as planned); ``route=`` names one candidate.

Memory enters ``auto`` as a tie-break: a joined input of the DuckDB stage is held whole, so a
candidate predicted at most ``MEMORY_SLACK`` times slower than the one taken (best or drawn),
that moves at most ``MEMORY_SHARE`` of its rows into the stage, is taken instead, when the one
taken moves at least ``MEMORY_ROWS``. TPC-H Q9 at SF 1: passing part keys into the lineitem
read moves 2.6 M rows instead of 8.3 M; in a fresh process its peak RSS was 530-650 MB
instead of 850 MB and it used 700 ms of CPU instead of 870, predicted 12-26% slower.

>>> from planner.cost import Estimate
>>> options = [Option("a", frozenset({"keys:none"}), frozenset({"s"}), Estimate(0.010, 0.1, "m")),
...            Option("b", frozenset({"keys:pass"}), frozenset({"s"}), Estimate(0.002, 0.1, "m"))]
>>> Router("auto").choose(options, explore=False).chosen
'b'
>>> Router("never-keys").choose(options).chosen
'a'
>>> light = Option("c", frozenset({"keys:pass"}), frozenset({"s"}), Estimate(0.0024, 0.1, "m", 1e5))
>>> heavy = Option("d", frozenset({"keys:none"}), frozenset({"s"}), Estimate(0.002, 0.1, "m", 2e6))
>>> Router("auto").choose([heavy, light], explore=False).reason
"moves 0.05x the rows of 'd', predicted 1.20x its latency"
>>> Router("auto").choose([heavy.__class__("d", heavy.features, heavy.sources,
...     Estimate(0.002, 0.1, "m", 9e5)), light], explore=False).chosen  # too few rows to matter
'd'
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.cost import Estimate, StatsView, Step, predict_step
from planner.errors import PlanError

TAIL_GUARD = 3.0  # never explore a candidate predicted this many times slower than the best
EXPLORE_SHARE = 0.15  # executions that draw from the predictions instead of taking the best
MEMORY_SLACK = 1.25  # a lighter route this much slower than the one taken is taken instead ...
MEMORY_SHARE = 0.5  # ... when it moves at most this share of its rows into the stage,
MEMORY_ROWS = 1_000_000  # and the one taken moves at least this many (fewer are not worth it)
EXPLORE_SDS = 1.0  # a candidate predicted further off the best (in spreads) is not drawn
# ... and one is taken instead of the best only when its draw is this much faster: a route
# at most 10% faster is within one round's noise of the best, not worth trying for (two
# routes 1.1-1.3x apart, each well measured, were tried in turn one round in five)
EXPLORE_GAIN = 1.1
POLICIES: Mapping[str, str | None] = {
    "auto": None, "random": None,
    "always-push": "join:source", "never-push": "join:duckdb",
    "always-keys": "keys:pass", "never-keys": "keys:none",
    "primary-only": "read:primary", "mirror-only": "read:mirror",
    "index-only": "vector:index", "exact-only": "vector:exact",
}


@dataclass(frozen=True)
class Option:
    """A candidate as the router sees it: its name, features, sources and prediction."""

    name: str
    features: frozenset[str]
    sources: frozenset[str]
    estimate: Estimate


@dataclass(frozen=True)
class Considered:
    name: str
    features: frozenset[str]
    predicted_s: float
    log_sd: float
    basis: str
    excluded: str | None = None  # why it could not be chosen


@dataclass(frozen=True)
class RouteDecision:
    considered: tuple[Considered, ...]
    chosen: str
    reason: str
    # chosen to be measured (or at random), not for its prediction: its key passes run as
    # planned (a pass declined on the same cold prior that made the route look slow would
    # measure its twin)
    explored: bool = False

    def lines(self, actual_s: float | None = None) -> list[str]:
        width = max(len(c.name) for c in self.considered)
        out = [f"chosen: {self.chosen} ({self.reason})"]
        for c in self.considered:
            mark = "*" if c.name == self.chosen else " "
            line = (f"{mark} {c.name:<{width}}  predicted {c.predicted_s * 1e3:9.3f} ms"
                    f"  ({c.basis})")
            if c.name == self.chosen and actual_s is not None:
                line += f"  actual {actual_s * 1e3:.3f} ms"
            if c.excluded:
                line += f"  [{c.excluded}]"
            out.append(line)
        return out


class Router:
    """One engine's routing policy; ``seed`` makes exploration and ``random`` repeatable."""

    def __init__(self, policy: str = "auto", seed: int | None = None) -> None:
        if policy not in POLICIES:
            raise PlanError(f"unknown route policy {policy!r}; policies: "
                            f"{', '.join(POLICIES)}")
        self.policy = policy
        self._rng = random.Random(seed)
        self._lock = threading.Lock()  # one generator for every query thread

    def choose(self, options: Sequence[Option], *, forced: str | None = None,
               explore: bool = True, unavailable: frozenset[str] = frozenset()
               ) -> RouteDecision:
        excluded = {o.name: _unavailable(o, unavailable) for o in options}
        if forced is not None:
            return self._forced(options, forced, excluded)
        feature = POLICIES[self.policy]
        if feature is not None and any(feature in o.features for o in options):
            for o in options:
                if feature not in o.features:
                    excluded[o.name] = excluded[o.name] or f"policy {self.policy}"
        with self._lock:
            return self._choose(options, excluded, explore)

    def _choose(self, options: Sequence[Option], excluded: dict[str, str | None],
                explore: bool) -> RouteDecision:
        open_ = [o for o in options if excluded[o.name] is None]
        if not open_:
            raise PlanError("no route of this query can run: "
                            + "; ".join(f"{n}: {why}" for n, why in excluded.items()))
        best = min(open_, key=lambda o: o.estimate.seconds)
        if self.policy == "random":  # a test of every route: each runs as it was planned
            return _decision(options, excluded, self._rng.choice(open_).name,
                             "random route (policy random)", explored=True)
        if self.policy != "auto" or not explore or len(open_) == 1 \
                or all(_cold(o) for o in open_):  # nothing measured yet: trust the priors
            chosen, reason = best, _lowest(self.policy)
            if self.policy == "auto":
                chosen, reason = _lighter(open_, chosen, reason)
        else:
            chosen, reason = self._sampled(open_, best, excluded)
        return _decision(options, excluded, chosen.name, reason, chosen is not best)

    def _sampled(self, open_: list[Option], best: Option, excluded: dict[str, str | None]
                 ) -> tuple[Option, str]:
        guard = best.estimate.seconds * TAIL_GUARD
        contenders = []
        for o in open_:
            if o.estimate.seconds > guard:
                excluded[o.name] = f"> {TAIL_GUARD:g}x the best prediction: not explored"
            elif o is best or _plausible(o.estimate, best.estimate):
                contenders.append(o)  # else: won a draw now and then, lost its round
        probe = _next_cold(contenders, best)
        draws = {}
        for o in contenders:
            draws[o.name] = math.log(o.estimate.seconds) if o is best else \
                _draw(o, probe, self._rng) + math.log(EXPLORE_GAIN)
        chosen = min((o for o in open_ if o.name in draws), key=lambda o: draws[o.name])
        if chosen is best:
            return _lighter(open_, chosen, "lowest predicted latency")
        ratio = chosen.estimate.seconds / best.estimate.seconds
        return _lighter([o for o in open_ if o.name in draws], chosen,
                        f"exploring: predicted {ratio:.2f}x the best, uncertain enough to try")

    def _forced(self, options: Sequence[Option], name: str,
                excluded: dict[str, str | None]) -> RouteDecision:
        names = [o.name for o in options]
        if name not in names:
            raise PlanError(f"no route named {name!r}; this query's routes: "
                            + "; ".join(repr(n) for n in names))
        if excluded[name] is not None:
            raise PlanError(f"route {name!r} cannot run: {excluded[name]}")
        return _decision(options, excluded, name, "forced by route=")


def _lighter(open_: Sequence[Option], chosen: Option, reason: str) -> tuple[Option, str]:
    """``chosen``, or the candidate moving the fewest rows into the stage among those
    predicted at most ``MEMORY_SLACK`` times slower that move at most ``MEMORY_SHARE`` of its
    rows. Predictions, not draws: an exploring draw does not take a heavy route when a light
    one is predicted about as fast."""
    if chosen.estimate.rows < MEMORY_ROWS:
        return chosen, reason
    limit = chosen.estimate.seconds * MEMORY_SLACK
    light = [o for o in open_ if o.estimate.seconds <= limit
             and o.estimate.rows <= MEMORY_SHARE * chosen.estimate.rows]
    if not light:
        return chosen, reason
    lightest = min(light, key=lambda o: (o.estimate.rows, o.estimate.seconds))
    rows = lightest.estimate.rows / chosen.estimate.rows
    slower = lightest.estimate.seconds / chosen.estimate.seconds
    return lightest, (f"moves {rows:.2f}x the rows of {chosen.name!r}, predicted "
                      f"{slower:.2f}x its latency")


def _plausible(candidate: Estimate, best: Estimate) -> bool:
    """Whether ``candidate`` may be faster than ``best`` by their uncertainties: predicted
    within ``EXPLORE_SDS`` of their combined spread (in ln seconds). One further off would
    win a draw now and then (one in six at one spread) and lose its round nearly always:
    only values unlike those measured (a wide spread) make such a candidate worth a try.

    >>> _plausible(Estimate(0.0015, 0.2, "m"), Estimate(0.001, 0.2, "m"))  # 1.4 spreads off
    False
    >>> _plausible(Estimate(0.0015, 0.9, "m"), Estimate(0.001, 0.2, "m"))
    True
    """
    gap = math.log(candidate.seconds / best.seconds)
    return gap <= EXPLORE_SDS * math.hypot(candidate.log_sd, best.log_sd)


def _draw(option: Option, probe: Option | None, rng: random.Random) -> float:
    """A draw of ln(seconds) of a candidate other than the best, which is taken at its
    prediction: taking it measures it, so its own uncertainty would only hand the choice
    to a slower one measured more often (the mirror's keyed route at 21 ms, spread 1.0
    from one run near these values, lost rounds to the graph's at 25 ms, spread 0.1). A
    cold candidate is drawn from its spread when it is the probe or in ``EXPLORE_SHARE``
    of the executions; a measured one always.

    >>> from planner.cost import Estimate
    >>> sure = Option("o", frozenset(), frozenset(), Estimate(0.004, 0.0, "measured (9 runs)"))
    >>> round(math.exp(_draw(sure, None, random.Random(0))), 3)
    0.004
    """
    cold = _cold(option) and option is not probe
    spread = 0.0 if cold and rng.random() >= EXPLORE_SHARE else option.estimate.log_sd
    return math.log(option.estimate.seconds) + rng.gauss(0.0, spread)


def _next_cold(contenders: list[Option], best: Option) -> Option | None:
    """The cold candidate (known from priors only) drawn from its spread every time: the
    one predicted fastest besides the best. Priors misjudge routes by a factor of 2-3 either
    way (a one-day join inside SQLite predicted 34 ms, run in 13 ms, against a key pass
    measured at 16 ms): drawn only in ``EXPLORE_SHARE`` of the executions, such a route was
    tried once in about 30 and lost every round until then. One at a time, so many cold
    candidates are still not tried one after another.

    >>> from planner.cost import Estimate
    >>> def opt(name, s, basis):
    ...     return Option(name, frozenset(), frozenset(), Estimate(s, 1.0, basis))
    >>> best = opt("keys", 0.016, "measured (3 runs)")
    >>> cold = [opt("a", 0.040, "prior sqlite"), opt("b", 0.034, "prior sqlite")]
    >>> _next_cold([best, *cold], best).name
    'b'
    """
    cold = [o for o in contenders if o is not best and _cold(o)]
    return min(cold, key=lambda o: o.estimate.seconds) if cold else None


def _cold(option: Option) -> bool:
    """Whether part of the prediction comes from priors alone (nothing measured)."""
    return "prior" in option.estimate.basis or "calibrated" in option.estimate.basis


def _unavailable(option: Option, down: frozenset[str]) -> str | None:
    missing = sorted(option.sources & down)
    return f"source {', '.join(missing)} unavailable" if missing else None


def _lowest(policy: str) -> str:
    return "lowest predicted latency" if policy == "auto" else \
        f"lowest predicted latency under policy {policy}"


def _decision(options: Sequence[Option], excluded: Mapping[str, str | None], chosen: str,
              reason: str, explored: bool = False) -> RouteDecision:
    considered = tuple(Considered(o.name, o.features, o.estimate.seconds, o.estimate.log_sd,
                                  o.estimate.basis, excluded.get(o.name)) for o in options)
    return RouteDecision(considered, chosen, reason, explored)


def keys_pay(keyed: Step, plain: Step, plain_rows: float, view: StatsView,
             stage_per_row_s: float) -> tuple[bool, str]:
    """Whether a receiver should run with the keys it got (``keyed.rows_in`` of them): its
    keyed read plus the stage over its rows against its plain read plus the stage over more.

    >>> from planner.cost import StatsSnapshot
    >>> view = StatsSnapshot({}, {"crm": "sqlite"}, {})
    >>> keys_pay(Step("crm", "k", 10, 10), Step("crm", "p"), 100_000, view, 1e-7)[0]
    True
    """
    with_keys = predict_step(keyed, view).seconds + (keyed.rows_out or 0) * stage_per_row_s
    without = predict_step(plain, view).seconds + plain_rows * stage_per_row_s
    verdict = with_keys <= without
    return verdict, (f"predicted {with_keys * 1e3:.2f} ms with {keyed.rows_in:.0f} keys vs "
                     f"{without * 1e3:.2f} ms reading {plain_rows:.0f} rows")
