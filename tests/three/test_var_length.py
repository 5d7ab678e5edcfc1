"""Variable-length MATCH has Kuzu 0.11.3's *walk* semantics (README, "Variable-length MATCH"),
checked against a DuckDB oracle of the same semantics on a small graph with a cycle, a
self-loop, parallel relationships, a two-node component and an isolated node.

The oracle spells walks two ways: a recursive CTE over the step relation (one row per walk),
and unrolled joins of the edge table (one join per hop, no uniqueness conditions). A step of
an undirected pattern is a relationship in either direction, so a self-loop is two steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import federation as fed

from .compare3 import assert_same_result
from .walk_graph import EDGES, NODES, write_walk_graph

FORWARD = "SELECT src, dst, w FROM E"
EITHER = "SELECT src, dst, w FROM E UNION ALL SELECT dst, src, w FROM E"
BACKWARD = "SELECT dst AS src, src AS dst, w FROM E"


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[fed.Engine, Path]]:
    path = tmp_path_factory.mktemp("walks") / "g.kuzu"
    write_walk_graph(path)
    with fed.connect() as eng:
        eng.attach("g", fed.Kuzu(str(path)))
        yield eng, path


@pytest.fixture(scope="module")
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute("CREATE TABLE N(id BIGINT, name VARCHAR); CREATE TABLE E(src BIGINT, "
                "dst BIGINT, w BIGINT)")
    con.executemany("INSERT INTO N VALUES (?, ?)", NODES)
    con.executemany("INSERT INTO E VALUES (?, ?, ?)", EDGES)
    yield con
    con.close()


def walks(lo: int, hi: int, steps: str = FORWARD) -> str:
    """Every walk of ``lo``..``hi`` steps as ``(src, dst)``, one row per walk."""
    return (f"(WITH RECURSIVE s AS ({steps}), w(src, dst, depth) AS ("
            f"SELECT src, dst, 1 FROM s UNION ALL SELECT w.src, s.dst, w.depth + 1 FROM w "
            f"JOIN s ON s.src = w.dst WHERE w.depth < {hi}) "
            f"SELECT src, dst FROM w WHERE depth >= {lo})")


def unrolled(lo: int, hi: int, steps: str = FORWARD) -> str:
    """The same walks as a union of plain joins: ``n`` copies of the step relation chained,
    with no condition that steps, relationships or nodes differ."""
    arms = []
    for n in range(lo, hi + 1):
        joins = " ".join(f"JOIN ({steps}) s{i} ON s{i}.src = s{i - 1}.dst" for i in range(1, n))
        arms.append(f"SELECT s0.src, s{n - 1}.dst FROM ({steps}) s0 {joins}")
    return "(" + " UNION ALL ".join(arms) + ")"


def check(graph: tuple[fed.Engine, Path], duck: duckdb.DuckDBPyConnection, fql: str,
          oracle: str) -> None:
    actual = graph[0].query(fql).arrow()
    expected = duck.sql(oracle).to_arrow_table()
    assert isinstance(actual, pa.Table)
    assert_same_result(actual, expected, ordered=False, context=f"FQL: {fql}\noracle: {oracle}")


HOPS = [(1, 1), (1, 2), (1, 3), (2, 2), (2, 4), (3, 3), (1, 6), (5, 7)]


@pytest.mark.parametrize(("lo", "hi"), HOPS)
@pytest.mark.parametrize("spelling", [walks, unrolled])
def test_directed_walks(graph: tuple[fed.Engine, Path], duck: duckdb.DuckDBPyConnection,
                        lo: int, hi: int, spelling: object) -> None:
    oracle = (f"SELECT a.id AS a, b.name AS b FROM {spelling(lo, hi)} p "  # type: ignore[operator]
              "JOIN N a ON a.id = p.src JOIN N b ON b.id = p.dst")
    check(graph, duck, f"SELECT a.id AS a, b.name AS b FROM MATCH g (a:N)-[:E*{lo}..{hi}]->"
          "(b:N)", oracle)


@pytest.mark.parametrize(("lo", "hi"), [(1, 1), (1, 2), (2, 3), (1, 4)])
def test_undirected_walks_take_a_self_loop_both_ways(graph: tuple[fed.Engine, Path],
                                                    duck: duckdb.DuckDBPyConnection,
                                                    lo: int, hi: int) -> None:
    check(graph, duck, f"SELECT a.id AS a, b.id AS b FROM MATCH g (a:N)-[:E*{lo}..{hi}]-(b:N)",
          f"SELECT src AS a, dst AS b FROM {walks(lo, hi, EITHER)} p")


@pytest.mark.parametrize(("lo", "hi"), [(1, 2), (2, 3)])
def test_backward_walks(graph: tuple[fed.Engine, Path], duck: duckdb.DuckDBPyConnection,
                        lo: int, hi: int) -> None:
    check(graph, duck, f"SELECT a.id AS a, b.id AS b FROM MATCH g (a:N)<-[:E*{lo}..{hi}]-(b:N)",
          f"SELECT src AS a, dst AS b FROM {walks(lo, hi, BACKWARD)} p")


def test_closed_walks_repeat_nodes(graph: tuple[fed.Engine, Path],
                                   duck: duckdb.DuckDBPyConnection) -> None:
    check(graph, duck, "SELECT a.id AS a, count(*) AS n FROM MATCH g (a:N)-[:E*1..5]->(a) "
          "GROUP BY a.id",
          f"SELECT src AS a, count(*) AS n FROM {walks(1, 5)} p WHERE src = dst GROUP BY src")


def test_no_relationship_uniqueness_across_the_pattern(graph: tuple[fed.Engine, Path],
                                                       duck: duckdb.DuckDBPyConnection
                                                       ) -> None:
    """Two named relationships of one pattern may be the same relationship (the self-loop),
    and a fixed one may be walked again by a variable-length one."""
    check(graph, duck, "SELECT r1.w AS w1, r2.w AS w2, c.id AS c FROM MATCH g "
          "(a:N)-[r1:E]->(b:N)-[r2:E]->(c:N)",
          "SELECT e1.w AS w1, e2.w AS w2, e2.dst AS c FROM E e1 JOIN E e2 ON e2.src = e1.dst")
    check(graph, duck, "SELECT r.w AS w, c.id AS c FROM MATCH g "
          "(a:N {id: 3})-[r:E]->(b:N)-[:E*1..2]->(c:N)",
          f"SELECT e.w AS w, p.dst AS c FROM E e JOIN {walks(1, 2)} p ON p.src = e.dst "
          "WHERE e.src = 3")
    check(graph, duck, "SELECT r1.w AS w1, r2.w AS w2 FROM MATCH g "
          "(a:N {id: 4})-[r1:E]-(b:N)-[r2:E]-(c:N)",
          f"SELECT e1.w AS w1, e2.w AS w2 FROM ({EITHER}) e1 JOIN ({EITHER}) e2 "
          "ON e2.src = e1.dst WHERE e1.src = 4")


def test_two_patterns_may_bind_one_relationship(graph: tuple[fed.Engine, Path],
                                                duck: duckdb.DuckDBPyConnection) -> None:
    check(graph, duck, "SELECT r1.w AS w1, r2.w AS w2 FROM MATCH g "
          "(a:N {id: 4})-[r1:E]->(b:N), (c:N)-[r2:E]->(d:N {id: 5})",
          "SELECT e1.w AS w1, e2.w AS w2 FROM E e1, E e2 WHERE e1.src = 4 AND e2.dst = 5")


def test_two_variable_length_steps_chained(graph: tuple[fed.Engine, Path],
                                           duck: duckdb.DuckDBPyConnection) -> None:
    check(graph, duck, "SELECT a.id AS a, b.id AS b, c.id AS c FROM MATCH g "
          "(a:N)-[:E*1..2]->(b:N)-[:E*1..3]->(c:N) WHERE a.id <> 4",
          f"SELECT p.src AS a, p.dst AS b, q.dst AS c FROM {walks(1, 2)} p "
          f"JOIN {walks(1, 3)} q ON q.src = p.dst WHERE p.src <> 4")


def test_walk_counts_with_a_filter_and_a_join(graph: tuple[fed.Engine, Path],
                                              duck: duckdb.DuckDBPyConnection) -> None:
    check(graph, duck, "SELECT a.name AS a, b.name AS b, count(*) AS n FROM MATCH g "
          "(a:N)-[:E*2..4]->(b:N) WHERE b.id IN (1, 3) GROUP BY a.name, b.name",
          f"SELECT a.name AS a, b.name AS b, count(*) AS n FROM {walks(2, 4)} p "
          "JOIN N a ON a.id = p.src JOIN N b ON b.id = p.dst WHERE b.id IN (1, 3) "
          "GROUP BY a.name, b.name")


def test_walk_oracles_agree(duck: duckdb.DuckDBPyConnection) -> None:
    """The two spellings of the oracle agree, and walks are not trails here: a trail could
    not use the self-loop twice, yet 3→3→3 is a walk of two steps."""
    for lo, hi in HOPS:
        assert_same_result(duck.sql(f"SELECT * FROM {walks(lo, hi)}").to_arrow_table(),
                           duck.sql(f"SELECT * FROM {unrolled(lo, hi)}").to_arrow_table(),
                           ordered=False)
    loops = duck.execute(f"SELECT count(*) FROM {walks(2, 2)} WHERE src = 3 AND dst = 3").fetchone()
    assert loops == (1,)  # 3→3→3: the self-loop twice, which no trail may do
