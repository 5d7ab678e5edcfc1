"""What the graph-join alternative plans (its answers are checked route by route in
test_routes_three): one MATCH of both node tables, the keys of SQLite's rows passed into it,
and Q11's shape read once for the outer query and its subquery; joins without an equality
on exact keys, and LEFT joins, stay in DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

import federation as fed

from .queries import BY_ID
from .test_three import _engine, data  # noqa: F401

KEYED = "joins in graph; keys #1→#0, #3→#2"


@pytest.fixture(scope="module")
def eng(data: tuple[Path, duckdb.DuckDBPyConnection, dict[str, list[float]]]  # noqa: F811
        ) -> Iterator[fed.Engine]:
    engine = _engine(data[0])
    yield engine
    engine.close()


def _routes(eng: fed.Engine, qid: str) -> list[str]:
    decision = eng.explain(BY_ID[qid].fql).route
    return [c.name for c in decision.considered] if decision is not None else []


def test_a_join_on_a_property_is_one_match(eng: fed.Engine) -> None:
    qq = BY_ID["graph_join_nodes_on_property"]
    assert "joins in graph" in _routes(eng, qq.id)
    text = str(eng.query(qq.fql, route="joins in graph").plan)
    assert "MATCH (n0:`Task`), (n1:`Agent`) WHERE" in text, text
    assert "(n1.`level` = n0.`priority`)" in text, text
    text = str(eng.query(qq.fql, route="joins in DuckDB; no key passing").plan)
    assert "), (n1:" not in text, text


def test_q11_shape_passes_keys_and_reads_the_join_once(eng: fed.Engine) -> None:
    qq = BY_ID["graph_join_keys_and_having_subquery"]
    assert KEYED in _routes(eng, qq.id)
    plan = eng.query(qq.fql, route=KEYED).plan
    text = str(plan)
    assert "MATCH (n0:`Task`), (n1:`Agent`) WHERE" in text and "IN $p" in text, text
    assert "shared: cut from the read of fragment #0, not run" in text, text
    assert [n for n in plan.notes if n.startswith("applied")] == [
        "applied: keys of fragment #1 (a.id) filter fragment #0 (x.id) when at most 1000 "
        "(20 keys)"], plan.notes
    # the subquery's inputs are columns of the outer query's: DuckDB registers two, not four
    sql = plan.stage_sql
    assert '"_fed_input_0"' in sql and '"_fed_input_1"' in sql, sql
    assert "_fed_input_2" not in sql and "_fed_input_3" not in sql, sql


@pytest.mark.parametrize("qid", ["graph_join_no_equality_stays", "graph_join_left_stays",
                                 "graph_join_strings_and_nulls"])
def test_joins_without_an_exact_key_equality_stay_in_duckdb(eng: fed.Engine, qid: str) -> None:
    assert not any("joins in graph" in r for r in _routes(eng, qid))
    assert "), (n1:" not in str(eng.explain(BY_ID[qid].fql))


def test_a_join_of_node_tables_is_estimated_at_the_larger_table() -> None:
    """A key join keeps each row of the larger side (the router's cold guess decides whether
    keys into the joined read pay: a tenth of Q11's 800 000 rows looked cheaper than 1 key)."""
    import pyarrow as pa

    from planner.capabilities import Capabilities
    from planner.cardinality import estimate
    from planner.catalog import SourceInfo, TableSchema
    from planner.expressions import ColumnRef, Const, Func
    from planner.graph_pattern import GraphNode
    from planner.logical import GraphMatch

    info = SourceInfo("g", "kuzu", Capabilities(pattern_joins=True), {
        "A": TableSchema("A", (("k", pa.int64()),), row_count=10),
        "B": TableSchema("B", (("k", pa.int64()), ("x", pa.int64())), row_count=1000)})
    a, b, x = (ColumnRef("a", "k", pa.int64()), ColumnRef("b", "k", pa.int64()),
               ColumnRef("b", "x", pa.int64()))
    join = Func("eq", (a, b), pa.bool_())
    nodes = (GraphNode("a", "A"), GraphNode("b", "B"))
    assert estimate(GraphMatch("g", nodes, (), (a,), (join,)), {"g": info}) == 1000
    narrowed = (join, Func("eq", (x, Const(1, pa.int64())), pa.bool_()))
    assert estimate(GraphMatch("g", nodes, (), (a,), narrowed), {"g": info}) == 100


def test_a_read_cut_from_a_keyed_read_is_predicted_at_its_keyed_rows(eng: fed.Engine) -> None:
    """Q11's HAVING subquery reads its input from the outer query's keyed read: the stage's
    predicted input follows the keyed rows, not the subquery leg's unkeyed estimate (TPC-H
    SF 0.1: 80 003 rows predicted where about 3 200 arrive, so the keyed route looked 1.7x the
    slowest and was never tried, at 12 ms against the chosen 19 ms)."""
    from dataclasses import replace

    from planner.route_costs import steps_of

    qq = BY_ID["graph_join_keys_and_having_subquery"]
    with eng._running(qq.fql, {}) as (parsed, values, sources):
        routes, catalog, _ = eng._planned(parsed, values, sources)
    prepared = routes.named(KEYED)
    candidate = next(c for c in routes.candidates if c.name == KEYED)
    assert prepared.shapes is not None and any(not s.runs for s in prepared.cut.shared)
    steps = steps_of(replace(candidate, cut=prepared.cut), prepared.shapes,
                     eng._stats.view(catalog), catalog)
    legs = [s.rows_out or 0.0 for phase in steps.phases for s in phase]
    followers = sum(1 for s in prepared.cut.shared if not s.runs)
    keyed = steps.phases[1][0].rows_out or 0.0
    assert steps.stage.rows_in == pytest.approx(sum(legs) + followers * keyed)
