"""The router end to end: it learns which of two equivalent plans is faster from what it
measured, keeps its reasons, obeys forced policies and routes, and starts a reopened workspace
where it left off. The two plans are a range join of two tables of one SQLite file: inside
SQLite (nested loops over 20 000 x 300 rows) or fetched and joined in DuckDB."""

from __future__ import annotations

import random
from pathlib import Path

import apsw
import pytest

import federation as fed
from federation.errors import ConfigurationError
from planner.cost import Estimate
from planner.errors import PlanError
from planner.router import Option, Router

RANGE_JOIN = """SELECT b.name, count(*) AS n FROM crm.events AS e JOIN crm.buckets AS b
                ON e.v >= b.lo AND e.v < b.hi WHERE e.kind <> $kind GROUP BY b.name"""
IN_SQLITE, IN_DUCKDB = "joins in crm", "joins in DuckDB"


def _build(path: Path, indexed: bool = False) -> Path:
    con = apsw.Connection(str(path))
    con.execute("BEGIN")
    con.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, v INTEGER, kind TEXT)")
    con.executemany("INSERT INTO events VALUES (?, ?, ?)",
                    [(i, (i * 7919) % 30_000, "ab"[i % 2]) for i in range(20_000)])
    con.execute("CREATE TABLE buckets (name TEXT, lo INTEGER, hi INTEGER)")
    con.executemany("INSERT INTO buckets VALUES (?, ?, ?)",
                    [(f"b{i}", i * 100, i * 100 + 100) for i in range(300)])
    if indexed:
        con.execute("CREATE INDEX events_v ON events (v)")
    con.execute("COMMIT")
    con.close()
    return path


@pytest.fixture(scope="module")
def crm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("router") / "crm.db")


def _engine(crm: Path, workspace: Path | None = None, **options: object) -> fed.Engine:
    options.setdefault("cache_bytes", 0)  # these count executions: a hit runs none
    eng = fed.connect(workspace, **options)
    eng.attach("crm", fed.SQLite(crm))
    return eng


def _chosen(eng: fed.Engine, n: int) -> list[str]:
    chosen = []
    for _ in range(n):
        route = eng.query(RANGE_JOIN, {"kind": "z"}).plan.route
        assert route is not None
        chosen.append(route.chosen)
    return chosen


def test_both_routes_give_the_same_rows(crm: Path) -> None:
    with _engine(crm) as eng:
        inside = eng.query(RANGE_JOIN, {"kind": "a"}, route=IN_SQLITE).arrow()
        apart = eng.query(RANGE_JOIN, {"kind": "a"}, route=IN_DUCKDB).arrow()
        assert sorted(inside.to_pylist(), key=str) == sorted(apart.to_pylist(), key=str)
        assert inside.num_rows == 300


def test_the_router_learns_the_faster_route(crm: Path) -> None:
    with _engine(crm, route_seed=1) as eng:
        chosen = _chosen(eng, 8)
        # cold, the catalog makes the SQLite join look cheap; once measured it is not
        assert chosen[-4:] == [IN_DUCKDB] * 4, chosen
        decision = eng.explain(RANGE_JOIN, {"kind": "z"}).route
        assert decision is not None and decision.chosen == IN_DUCKDB
        by_name = {c.name: c for c in decision.considered}
        assert by_name[IN_SQLITE].predicted_s > 3 * by_name[IN_DUCKDB].predicted_s
        assert by_name[IN_SQLITE].basis.startswith("measured")


def test_a_reopened_workspace_routes_well_at_once(crm: Path, tmp_path: Path) -> None:
    with _engine(crm, tmp_path, route_seed=2) as eng:
        _chosen(eng, 6)
    with _engine(crm, tmp_path, route_seed=3) as again:
        assert _chosen(again, 3) == [IN_DUCKDB] * 3


def test_explain_shows_alternatives_predictions_and_reason(crm: Path) -> None:
    with _engine(crm) as eng:
        text = str(eng.explain(RANGE_JOIN, {"kind": "z"}))
        assert "== Route ==" in text and "chosen: " in text
        assert IN_SQLITE in text and IN_DUCKDB in text and "predicted" in text
        analyzed = str(eng.explain(RANGE_JOIN, {"kind": "z"}, analyze=True))
        assert "actual" in analyzed


def test_forced_route_and_policies(crm: Path) -> None:
    with _engine(crm, route="never-push") as eng:
        assert set(_chosen(eng, 3)) == {IN_DUCKDB}
    with _engine(crm, route="always-push") as eng:
        assert set(_chosen(eng, 2)) == {IN_SQLITE}
        assert eng.query(RANGE_JOIN, {"kind": "z"}, route=IN_DUCKDB).plan.route.chosen \
            == IN_DUCKDB  # type: ignore[union-attr]


def test_bad_routes_are_named(crm: Path) -> None:
    with pytest.raises(ConfigurationError, match="unknown route policy 'fastest'"):
        fed.connect(route="fastest")
    with _engine(crm) as eng, \
            pytest.raises(PlanError, match=r"no route named 'nowhere'.*joins in DuckDB"):
        eng.query(RANGE_JOIN, {"kind": "z"}, route="nowhere")


def test_a_query_with_one_way_has_no_route_section(crm: Path) -> None:
    with _engine(crm) as eng:
        res = eng.query("SELECT count(*) AS n FROM crm.events AS e")
        assert res.plan.route is None and "== Route ==" not in str(res.plan)


def test_the_choice_follows_the_parameter_values(tmp_path: Path) -> None:
    """A narrow range joins fastest inside SQLite (one query, no DuckDB stage: about 1.4x), a
    broad one in DuckDB (SQLite's nested loops over 20 000 x 300 rows): the statistics keep
    the values each execution read, so fresh narrow and broad values are routed apart."""
    crm = _build(tmp_path / "crm.db")
    text = RANGE_JOIN.replace("WHERE e.kind <> $kind", "WHERE e.v BETWEEN $lo AND $hi")
    rng = random.Random(4)

    def values(narrow: bool) -> dict[str, object]:
        lo = rng.randrange(0, 25_000)
        return {"lo": lo, "hi": lo + (rng.randrange(5, 60) if narrow
                                      else rng.randrange(15_000, 29_000))}

    with _engine(crm, route_seed=1) as eng:
        # measured on both routes, at narrow and broad values, eight times each: with four,
        # a burst of load on a 2-core CI machine (tests run two at a time) flipped the narrow
        # case's 1.4x once (13.4 ms in SQLite against 11.5 ms); eight held under two CPU hogs
        for i in range(32):
            eng.query(text, values(i % 4 < 2), route=IN_SQLITE if i % 2 else IN_DUCKDB)
        for narrow in (True, False, True, False):
            decision = eng.explain(text, values(narrow)).route
            assert decision is not None
            # the prediction, not the draw: exploration may still try the other route now
            # and then (and did, under load, where the spread of these short runs is wide)
            best = min(decision.considered, key=lambda c: c.predicted_s).name
            assert best == (IN_SQLITE if narrow else IN_DUCKDB), decision.lines()
            assert "measured near these values" in " ".join(decision.lines())


def _option(name: str, seconds: float, spread: float) -> Option:
    return Option(name, frozenset(), frozenset({"s"}), Estimate(seconds, spread, "measured"))


def test_a_confidently_slower_route_is_not_explored() -> None:
    """Two well-measured routes 1.5x apart (spread 0.15 each: 2.7 spreads apart): the slower
    one would win one draw in a few hundred and then lose its round; it is never drawn.
    A route as far off but measured at other values (spread 0.9) still is, now and then."""
    router = Router("auto", seed=7)
    sure = [_option("fast", 0.010, 0.15), _option("slow", 0.015, 0.15)]
    assert {router.choose(sure).chosen for _ in range(2000)} == {"fast"}
    unsure = [_option("fast", 0.010, 0.15), _option("slow", 0.015, 0.9)]
    picks = [router.choose(unsure).chosen for _ in range(400)]
    assert 20 < picks.count("slow") < 200
    # nor does the best's own draw coming out high hand the choice to a far one
    wide_best = [_option("fast", 0.010, 0.9), _option("slow", 0.025, 0.05)]
    assert {router.choose(wide_best).chosen for _ in range(2000)} == {"fast"}


def test_the_best_is_taken_at_its_prediction() -> None:
    """The best's own wide spread (one run near these values) does not hand the choice to a
    slower route measured often: taking the best is what measures it."""
    router = Router("auto", seed=5)
    options = [_option("wide", 0.010, 1.3), _option("sure", 0.019, 0.15)]
    assert {router.choose(options).chosen for _ in range(2000)} == {"wide"}


def test_a_near_tie_is_rarely_explored() -> None:
    """Two routes predicted alike, each well measured: the other is taken only when its draw
    is ``EXPLORE_GAIN`` faster than the best (about 3% here, not half the executions)."""
    router = Router("auto", seed=9)
    options = [_option("a", 0.0100, 0.05), _option("b", 0.0101, 0.05)]
    picks = [router.choose(options).chosen for _ in range(1000)]
    assert 5 < picks.count("b") < 80


def _cold_option(name: str, seconds: float) -> Option:
    return Option(name, frozenset(), frozenset({"s"}), Estimate(seconds, 1.0, "prior sqlite"))


def test_the_fastest_cold_route_is_drawn_every_time() -> None:
    """A route known from priors only, predicted 2x a measured one (priors are off by that
    much either way), is drawn from its spread in every execution, so it is tried within a
    few; only the fastest cold one is: the next ones are drawn in ``EXPLORE_SHARE`` of them."""
    router = Router("auto", seed=11)
    options = [_option("measured", 0.016, 0.15), _cold_option("cold", 0.032),
               _cold_option("colder", 0.036), _cold_option("coldest", 0.040)]
    picks = [router.choose(options).chosen for _ in range(1000)]
    assert 150 < picks.count("cold") < 400
    assert picks.count("colder") + picks.count("coldest") < 80
