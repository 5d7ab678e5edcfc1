"""Every route of every three-engine corpus query returns the oracle's rows (DESIGN §5.6):
each alternative the router considers is forced by name (``route=``), and each forced policy
runs the whole corpus. A query with one route is checked by ``test_three`` already."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

import federation as fed
from planner.router import POLICIES

from .data import resolve
from .queries import QUERIES
from .record import Q3
from .test_three import Env, _check, _describe, _engine, _params, data  # noqa: F401

# mirrors are declared in tests/three/test_mirror_routes.py, which runs their policies
FORCED = [p for p in POLICIES if p not in ("auto", "primary-only", "mirror-only")]
RUNNABLE = [qq for qq in QUERIES if not qq.xfail]
# each forced policy over every other query: every candidate of every query is run by name
# in test_every_route_gives_the_oracle_rows already
# each forced policy runs a quarter of the runnable corpus, the policies different quarters
# (every route of every query runs in test_every_route_gives_the_oracle_rows)
def _policy_sample(policy: str) -> list[Q3]:
    return RUNNABLE[FORCED.index(policy) % 4::4]


@pytest.fixture(scope="module")
def env_auto(data: tuple[Path, duckdb.DuckDBPyConnection, dict[str, list[float]]]  # noqa: F811
             ) -> Iterator[Env]:
    eng = _engine(data[0])
    yield eng, data[1], data[2]
    eng.close()


def _routes(eng: Any, qq: Q3, vectors: dict[str, list[float]]) -> list[str]:
    decision = eng.explain(qq.fql, params=resolve(qq.params, vectors)).route
    return [c.name for c in decision.considered] if decision is not None else []


@pytest.mark.parametrize("qq", _params(QUERIES))
def test_every_route_gives_the_oracle_rows(env_auto: Env, qq: Q3) -> None:
    eng, duck, vectors = env_auto
    for name in _routes(eng, qq, vectors):
        forced = _Forced(eng, name)
        _check((forced, duck, vectors), qq)


def test_routes_exist_in_the_corpus(env_auto: Env) -> None:
    """Enough of the corpus has a choice for the test above to mean something."""
    eng, _, vectors = env_auto
    several = [qq.id for qq in RUNNABLE if len(_routes(eng, qq, vectors)) > 1]
    assert len(several) >= 10, several


@pytest.mark.parametrize("policy", FORCED)
def test_forced_policy_gives_the_oracle_rows(
        data: tuple[Path, duckdb.DuckDBPyConnection, dict[str, list[float]]],  # noqa: F811
        policy: str) -> None:
    eng = _engine(data[0], route=policy, route_seed=11)
    try:
        for qq in _policy_sample(policy):
            _check((eng, data[1], data[2]), qq)
    finally:
        eng.close()


class _Forced:
    """An engine whose every query runs one named route."""

    def __init__(self, eng: fed.Engine, route: str) -> None:
        self._eng, self._route = eng, route

    def query(self, text: str, params: Any = None) -> Any:
        try:
            return self._eng.query(text, params, route=self._route)
        except Exception as exc:
            raise AssertionError(f"route {self._route!r}: {exc}") from exc


__all__ = ["_describe"]
