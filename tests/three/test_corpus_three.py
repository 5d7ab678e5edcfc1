"""The three-engine corpus itself, checked against the DuckDB oracle (no engine needed)."""

from __future__ import annotations

from collections import Counter

from .check_oracle import check
from .queries import BY_ID, QUERIES


def test_corpus_size_and_mix() -> None:
    assert len(QUERIES) >= 110 and len(BY_ID) == len(QUERIES)
    cats = Counter(qq.category for qq in QUERIES)
    assert all(cats[c] >= 10 for c in ("graph", "vector", "lance", "sk", "sl", "kl", "all"))
    assert sum(qq.ordered for qq in QUERIES) >= 25


def test_corpus_runs_on_oracle() -> None:
    report = check()
    assert report.errors == {}
    assert report.unparsed == {}
    assert report.params == {}
    assert report.unstable == {}
    assert report.fragile == {}
    assert report.nonempty_share >= 0.8
