"""What the runs nearest some values say about their latency, on a busy machine: one run of
the nearest few caught in a stall does not set the prediction (it was their mean: the route
then looked a third slower than it ran, was no longer chosen, and never measured again)."""

from __future__ import annotations

from federation.stats import Stats
from planner.shape import Shape
from planner.signature import Signature, signature


def _sig(day: int) -> Signature:
    return signature(("d0", "d1"), {"d0": day, "d1": day})


def test_a_stalled_neighbour_does_not_set_the_prediction() -> None:
    stats = Stats()
    shape = Shape("0123456789abcdef", "join orders lineitem")
    for day, seconds in ((100, 0.0034), (900, 0.0081), (2000, 0.0036)):  # the second stalled
        stats.record([("one", "sqlite", shape, 0, 250, seconds, _sig(day))])
    found = stats.near("one", shape.id, _sig(1500))
    assert found is not None and found.seconds is not None
    assert 0.0033 < found.seconds < 0.0038
