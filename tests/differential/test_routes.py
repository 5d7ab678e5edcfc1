"""Every route of every corpus query returns the oracle's rows (DESIGN §5.6): over a copy of
the file with indexes on the key columns (so keys can be passed into SQLite) and with join
pushdown on (so joins can run in SQLite or in DuckDB), each alternative the router considers
is forced by name, and each forced policy runs the join queries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from .check_corpus import run_oracle
from .compare import assert_same_result
from .corpus import Query
from .queries import QUERIES
from .test_differential import KEYS_SAMPLE, _describe, _federation

# the policies whose features this SQLite-only corpus has (mirrors and vectors: tests/three)
FORCED = ["always-push", "never-push", "always-keys", "never-keys", "random"]


@pytest.fixture(scope="session")
def routed_engine(indexed_file: Path) -> Iterator[Any]:
    fed = _federation()
    eng = fed.connect()
    eng.attach("crm", fed.SQLite(str(indexed_file)))
    yield eng
    eng.close()


def _routes(eng: Any, qq: Query) -> list[str]:
    decision = eng.explain(qq.text, params=dict(qq.params)).route
    return [c.name for c in decision.considered] if decision is not None else []


@pytest.mark.parametrize("qq", QUERIES, ids=[qq.id for qq in QUERIES])
def test_every_route_gives_the_oracle_rows(routed_engine: Any,
                                           oracle: duckdb.DuckDBPyConnection,
                                           qq: Query) -> None:
    routes = _routes(routed_engine, qq)
    if not routes:
        return  # one way to run it: test_differential checks it
    expected = run_oracle(oracle, qq)
    for name in routes:
        try:
            actual = routed_engine.query(qq.text, params=dict(qq.params), route=name).arrow()
        except Exception as exc:
            raise AssertionError(f"route {name!r} raised {type(exc).__name__}: {exc}\n"
                                 f"{_describe(qq)}") from exc
        assert_same_result(actual, expected, ordered=qq.ordered, check_names=True,
                           context=f"route {name!r}: {_describe(qq)}")


def test_the_corpus_has_routes_of_each_kind(routed_engine: Any) -> None:
    names = [n for qq in QUERIES for n in _routes(routed_engine, qq)]
    assert any(n.startswith("joins in crm") for n in names)
    assert any(n.startswith("joins in DuckDB") for n in names)
    assert sum("keys #" in n for n in names) >= 10


@pytest.mark.parametrize("policy", FORCED)
def test_forced_policy_gives_the_oracle_rows(indexed_file: Path,
                                             oracle: duckdb.DuckDBPyConnection,
                                             policy: str) -> None:
    fed = _federation()
    with fed.connect(route=policy, route_seed=5) as eng:
        eng.attach("crm", fed.SQLite(str(indexed_file)))
        # each policy runs half of the joins, the policies alternating halves (every route
        # of every query runs in test_every_route_gives_the_oracle_rows)
        for qq in KEYS_SAMPLE[FORCED.index(policy) % 2::2]:
            actual = eng.query(qq.text, params=dict(qq.params)).arrow()
            assert_same_result(actual, run_oracle(oracle, qq), ordered=qq.ordered,
                               check_names=True, context=f"policy {policy}: {_describe(qq)}")
