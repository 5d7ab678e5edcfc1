"""The seeded random differential run of ``make test``: a fixed seed, bounded in time.

``FED_RANDOM_QUERIES=10000 .venv/bin/python -m pytest tests/random`` runs a longer stream
(unbounded in time); ``FED_RANDOM_SEED`` picks another stream. ``python -m tests.random``
prints the same report from the command line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.random.generator import RandomQuery, generate
from tests.random.runner import Harness, harness, run_queries

REQUESTED = os.environ.get("FED_RANDOM_QUERIES")
COUNT = int(REQUESTED or 400)
SEED = int(os.environ.get("FED_RANDOM_SEED", "7"))
BUDGET = None if REQUESTED else 25.0  # seconds of queries in make test (data build apart)
MIN_SHARE_OK = 0.9  # refusals and oracle errors may take the rest, failures none


@pytest.fixture(scope="module")
def h() -> Iterator[Harness]:
    with harness() as built:
        yield built


def test_random_queries_match_the_oracle(h: Harness) -> None:
    report = run_queries(h, SEED, COUNT, budget=BUDGET)
    print(report.text())
    assert not report.failures, report.text()
    assert report.total >= min(COUNT, 100), f"only {report.total} queries ran in the budget"
    assert report.counts["ok"] >= MIN_SHARE_OK * report.total, report.text()
    assert report.nonempty >= 0.3 * report.counts["ok"], "most answers are empty: tune the data"


def test_generator_is_deterministic_per_query() -> None:
    first = [generate(SEED, i) for i in range(50)]
    again = [generate(SEED, i) for i in reversed(range(50))][::-1]
    assert [(q.fql, q.oracle, q.params) for q in first] == \
        [(q.fql, q.oracle, q.params) for q in again]
    assert generate(SEED, 0).fql != generate(SEED + 1, 0).fql


def test_generator_covers_the_domain() -> None:
    features: set[str] = set()
    texts = ""
    for i in range(300):
        q = generate(SEED, i)
        features |= q.features
        texts += f"{q.fql} {q.params}\n"
    assert {"nearest", "prefilter", "nearest-postfilter", "join:inner", "join:left",
            "join:comma", "aggregate", "order-limit", "distance", "subquery:in",
            "subquery:exists", "subquery:quantified", "subquery:scalar", "subquery:cte"
            } <= features
    for needle in ("MATCH graph", "*1..", "<-[", "NEAREST", "crm.agents", "crm.tasks",
                   "docs.knowledge AS", "IS NULL", "LIKE", "IN (", "BETWEEN", "DISTINCT",
                   "count(DISTINCT", "922337203685477580", "$p", "Decimal(", "APPROXIMATE",
                   "datetime.date("):
        assert needle in texts, needle


@pytest.mark.parametrize("fql", [
    "SELECT n.id AS c0 FROM MATCH graph (n:Num) WHERE n.f = 0.1",
    "SELECT n.id AS c0, round(n.f, 2) AS c1 FROM MATCH graph (n:Num) WHERE n.id = 1"])
def test_kuzu_float_is_a_float32(h: Harness, fql: str) -> None:
    """What the generator first found on the boundary tables (issue 7 item 5): a Kuzu FLOAT
    compared and rounded as a DOUBLE (0 rows instead of 1; 0.1 instead of the FLOAT
    0.10000000149011612)."""
    oracle = fql.replace("MATCH graph (n:Num)", "graph.Num n")
    outcome = h.run(RandomQuery(0, 0, fql, oracle, {}, set(), False))
    assert outcome.kind == "ok", outcome.detail
