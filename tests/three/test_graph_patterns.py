"""Graph patterns of issue 10 item 5 on the small walk graph (a cycle, a self-loop, parallel
edges, a pair apart, an isolated node), against DuckDB: ``*0..n`` (zero hops: the start node
itself), the path length ``r._length``, ``OPTIONAL MATCH``; the refusals, the Cypher EXPLAIN
shows, and the SQLite mirror route offered only where it reproduces Kuzu exactly.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pyarrow as pa
import pytest

import federation as fed
from planner.mirrors import Mirrors

from .compare3 import assert_same_result
from .walk_graph import EDGES, NODES, write_walk_graph, write_walk_mirror

FORWARD = "SELECT src, dst FROM E"
BACKWARD = "SELECT dst AS src, src AS dst FROM E"
EITHER = "SELECT src, dst FROM E UNION ALL SELECT dst, src FROM E"
STEPS = {"->": FORWARD, "<-": BACKWARD, "-": EITHER}
ARROWS = {"->": ("-", "->"), "<-": ("<-", "-"), "-": ("-", "-")}

World = tuple[fed.Engine, duckdb.DuckDBPyConnection, Mirrors]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The walk graph in Kuzu (``g``) and mirrored in SQLite (``s``), and its DuckDB oracle."""
    root = tmp_path_factory.mktemp("patterns")
    write_walk_graph(root / "g.kuzu")
    write_walk_mirror(root / "s.db")
    duck = duckdb.connect()
    duck.execute("CREATE TABLE N(id BIGINT, name VARCHAR); CREATE TABLE E(src BIGINT, "
                 "dst BIGINT, w BIGINT)")
    duck.executemany("INSERT INTO N VALUES (?, ?)", NODES)
    duck.executemany("INSERT INTO E VALUES (?, ?, ?)", EDGES)
    # relationships by identity: two parallel ones are different relationships of a trail
    duck.execute("CREATE TABLE EI AS SELECT row_number() OVER () AS eid, src, dst FROM E")
    with fed.connect() as eng:
        eng.attach("g", fed.Kuzu(str(root / "g.kuzu")))
        eng.attach("s", fed.SQLite(str(root / "s.db")))
        eng.mirror("g.N", "s.n")
        eng.mirror("g.E", "s.e", source="a", target="b")
        yield eng, duck, eng._mirrors.current(eng.catalog())
    duck.close()


def walks(lo: int, hi: int, steps: str = FORWARD) -> str:
    """Every walk of ``lo``..``hi`` steps as ``(src, dst, depth)``, one row per walk; the
    walk of zero steps from each node is the node itself."""
    return (f"(WITH RECURSIVE s AS ({steps}), w(src, dst, depth) AS ("
            f"SELECT id, id, 0 FROM N UNION ALL SELECT w.src, s.dst, w.depth + 1 FROM w "
            f"JOIN s ON s.src = w.dst WHERE w.depth < {hi}) "
            f"SELECT src, dst, depth FROM w WHERE depth >= {lo})")


TRAIL_STEPS = {"->": "SELECT src, dst, eid FROM EI",
               "<-": "SELECT dst AS src, src AS dst, eid FROM EI",
               "-": "SELECT src, dst, eid FROM EI UNION ALL SELECT dst, src, eid FROM EI"}


def trails(lo: int, hi: int, arrow: str) -> str:
    """Walks that use no relationship twice (one traversed both ways counts twice)."""
    return (f"(WITH RECURSIVE s AS ({TRAIL_STEPS[arrow]}), w(src, dst, depth, used) AS ("
            "SELECT id, id, 0, []::BIGINT[] FROM N UNION ALL SELECT w.src, s.dst, w.depth + 1, "
            "list_append(w.used, s.eid) FROM w JOIN s ON s.src = w.dst "
            f"WHERE w.depth < {hi} AND NOT list_contains(w.used, s.eid)) "
            f"SELECT src, dst, depth FROM w WHERE depth >= {lo})")


def shortest(hi: int, arrow: str) -> str:
    """Kuzu's shortest paths: per pair of distinct ends, the fewest hops (1..hi)."""
    return (f"(SELECT src, dst, min(depth) AS depth FROM {walks(1, hi, STEPS[arrow])} "
            "WHERE src <> dst GROUP BY src, dst)")


def check(world: World, fql: str, oracle: str, every_route: bool = False) -> None:
    """The engine's answer (with ``every_route``, that of each route it considers too) is
    the oracle's."""
    eng, duck = world[0], world[1]
    expected = duck.sql(oracle).to_arrow_table()
    decision = eng.explain(fql).route if every_route else None
    routes = [c.name for c in decision.considered] if decision is not None else []
    for route in [None, *routes]:
        actual = eng.query(fql, route=route).arrow()
        assert isinstance(actual, pa.Table)
        assert_same_result(actual, expected, ordered=False, check_names=False,
                           context=f"route {route}\nFQL: {fql}\noracle: {oracle}")


ZERO = [("->", 0, 0), ("->", 0, 2), ("<-", 0, 3), ("-", 0, 1), ("-", 0, 3)]


@pytest.mark.parametrize(("arrow", "lo", "hi"), ZERO)
def test_zero_hops_are_the_start_node_and_walks_keep_their_count(
        world: World, arrow: str, lo: int, hi: int) -> None:
    left, right = ARROWS[arrow]
    check(world, f"SELECT a.id, b.name, r._length FROM MATCH g (a:N){left}[r:E*{lo}..{hi}]"
          f"{right}(b:N)",
          f"SELECT p.src, b.name, p.depth FROM {walks(lo, hi, STEPS[arrow])} p "
          "JOIN N b ON b.id = p.dst", every_route=arrow == "-")


def test_zero_hops_seeded(world: World) -> None:
    check(world, "SELECT b.id, r._length FROM MATCH g (a:N {id: 3})-[r:E*0..2]->(b:N)",
          f"SELECT dst, depth FROM {walks(0, 2)} WHERE src = 3")
    check(world, "SELECT a.id FROM MATCH g (a:N)-[:E*0..1]->(b:N {name: 'f'})",
          f"SELECT p.src FROM {walks(0, 1)} p JOIN N b ON b.id = p.dst WHERE b.name = 'f'")


def test_two_zero_hop_edges_chained(world: World) -> None:
    check(world, "SELECT a.id, c.id, r._length + q._length AS n FROM MATCH g "
          "(a:N)-[r:E*0..1]->(b:N)-[q:E*0..2]->(c:N) WHERE a.id IN (1, 4, 6)",
          f"SELECT p.src, q.dst, p.depth + q.depth FROM {walks(0, 1)} p "
          f"JOIN {walks(0, 2)} q ON q.src = p.dst WHERE p.src IN (1, 4, 6)", every_route=True)


def test_zero_hops_back_to_the_start(world: World) -> None:
    check(world, "SELECT a.id, count(*) AS n FROM MATCH g (a:N)-[:E*0..3]->(a) GROUP BY a.id",
          f"SELECT src, count(*) FROM {walks(0, 3)} WHERE src = dst GROUP BY src")


def test_path_length_filters_groups_and_orders(world: World) -> None:
    check(world, "SELECT r._length AS n, count(*) AS c FROM MATCH g (a:N)-[r:E*1..4]-(b:N) "
          "WHERE r._length >= 2 GROUP BY r._length",
          f"SELECT depth, count(*) FROM {walks(1, 4, EITHER)} WHERE depth >= 2 GROUP BY depth")
    eng, duck, _ = world
    got = eng.query("SELECT b.id, r._length FROM MATCH g (a:N {id: 1})-[r:E*1..3]->(b:N) "
                    "ORDER BY r._length DESC, b.id LIMIT 3").arrow().to_pylist()
    want = duck.sql(f"SELECT dst, depth FROM {walks(1, 3)} WHERE src = 1 "
                    "ORDER BY depth DESC, dst LIMIT 3").fetchall()
    assert [tuple(r.values()) for r in got] == want


@pytest.mark.parametrize(("arrow", "lo", "hi"), [("-", 1, 3), ("->", 2, 5), ("->", 0, 3)])
def test_trails_use_no_relationship_twice(world: World, arrow: str, lo: int, hi: int) -> None:
    left, right = ARROWS[arrow]
    check(world, f"SELECT a.id, b.id, r._length FROM MATCH g (a:N){left}[r:E* TRAIL {lo}..{hi}]"
          f"{right}(b:N)", f"SELECT * FROM {trails(lo, hi, arrow)}")


@pytest.mark.parametrize("arrow", ["->", "-"])
def test_shortest_paths(world: World, arrow: str) -> None:
    left, right = ARROWS[arrow]
    check(world, f"SELECT a.id, b.id, r._length FROM MATCH g (a:N){left}[r:E* SHORTEST 1..4]"
          f"{right}(b:N)", f"SELECT * FROM {shortest(4, arrow)}")
    check(world, f"SELECT a.id, b.name, r._length FROM MATCH g (a:N){left}"
          f"[r:E* ALL SHORTEST 1..4]{right}(b:N)",
          f"SELECT w.src, b.name, w.depth FROM {walks(1, 4, STEPS[arrow])} w "
          f"JOIN {shortest(4, arrow)} m ON m.src = w.src AND m.dst = w.dst "
          "AND m.depth = w.depth JOIN N b ON b.id = w.dst")


def test_unlabelled_ends_take_the_relationship_s_table(world: World) -> None:
    check(world, "SELECT a.name, b.id, r._length FROM MATCH g (a)-[r:E*0..2]->(b {id: 1})",
          f"SELECT a.name, p.dst, p.depth FROM {walks(0, 2)} p JOIN N a ON a.id = p.src "
          "WHERE p.dst = 1")


def test_optional_match_on_the_walk_graph(world: World) -> None:
    check(world, "SELECT a.id, b.id, r.w FROM MATCH g (a:N) OPTIONAL MATCH (a)-[r:E]->(b:N)",
          "SELECT a.id, b.id, e.w FROM N a LEFT JOIN (E e JOIN N b ON b.id = e.dst) "
          "ON e.src = a.id")
    check(world, "SELECT a.id, b.id, p._length FROM MATCH g (a:N) "
          "OPTIONAL MATCH (a)-[p:E*1..2]-(b:N {id: 5})",
          f"SELECT a.id, w.dst, w.depth FROM N a LEFT JOIN {walks(1, 2, EITHER)} w "
          "ON w.src = a.id AND w.dst = 5")


def test_explain_shows_the_cypher_pushed(world: World) -> None:
    text = str(world[0].explain("SELECT a.id, b.id FROM MATCH g (a:N {id: 3}) "
                                "OPTIONAL MATCH (a)-[:E]->(b:N {name: 'a'}) WHERE b.id > 0 "
                                "OR b.id IS NULL"))
    assert "MATCH (n0:`N`) WHERE (n0.`id` = $p0) OPTIONAL MATCH (n0)-[e0:`E`]->(n1:`N`) " \
           "WHERE (n1.`name` = $p1) WITH * WHERE " in text
    text = str(world[0].explain("SELECT b.id, r._length FROM MATCH g (a:N {id: 3})"
                                "-[r:E*0..2]->(b:N)"))
    assert "[e0:`E`*1..2]" in text and "length(e0)" in text and "*0.." not in text


ONLY_KUZU = [
    # trails and shortest paths: the mirror's recursive CTE counts walks
    "SELECT a.id, b.id FROM MATCH g (a:N)-[:E* TRAIL 1..2]->(b:N)",
    "SELECT a.id, b.id FROM MATCH g (a:N)-[:E* SHORTEST 1..2]->(b:N)",
    # OPTIONAL MATCH has no SQL form on the mirror
    "SELECT a.id, b.id FROM MATCH g (a:N) OPTIONAL MATCH (a)-[:E]->(b:N)",
    # a walk's length is Kuzu's length(); the mirror's recursive CTE does not offer it
    "SELECT b.id, r._length FROM MATCH g (a:N)-[r:E*1..2]->(b:N)",
]


def _mirror_routes(eng: fed.Engine, fql: str) -> list[str]:
    decision = eng.explain(fql).route
    considered = decision.considered if decision is not None else ()
    return [c.name for c in considered if "mirror" in c.name]


@pytest.mark.parametrize("fql", ONLY_KUZU)
def test_no_mirror_route_where_it_cannot_reproduce_kuzu(world: World, fql: str) -> None:
    eng = world[0]
    assert _mirror_routes(eng, fql) == []
    plain = "SELECT a.id, b.id FROM MATCH g (a:N)-[:E*1..2]->(b:N)"
    assert _mirror_routes(eng, plain)  # the same walk without them: offered


def test_zero_hop_branches_run_on_the_mirror_too(world: World) -> None:
    """Each branch of a *0.. pattern is an exact pattern the mirror reproduces: offered."""
    assert _mirror_routes(world[0], "SELECT a.id, b.id FROM MATCH g (a:N)-[:E*0..2]-(b:N)")


REFUSED = [
    ("SELECT b.id FROM MATCH g (a:N)-[:E*]->(b:N)", "needs an upper bound", "-[:E*]"),
    ("SELECT b.id FROM MATCH g (a:N)-[:E*2..1]->(b:N)", "0 <= min <= max", "-[:E*2"),
    ("SELECT b.id FROM MATCH g (a:N)-[*0..2]->(b:N)", "*0.. needs a relationship type", "-[*0"),
    ("SELECT b.id FROM MATCH g (a:N) OPTIONAL MATCH (a)-[:E*0..2]->(b:N)",
     "not supported together with OPTIONAL MATCH", "MATCH g"),
    ("SELECT a.id FROM MATCH g (a:N) OPTIONAL MATCH (a)", "OPTIONAL MATCH adds no node",
     "OPTIONAL"),
    ("SELECT r.w FROM MATCH g (a:N)-[r:E*1..2]->(b:N)", "no column 'w'", "r.w"),
    ("SELECT x.nope FROM MATCH g (x)-[:E]->(y)",
     "relation 'x' (a node labelled N) has no column 'nope'", "x.nope"),
    ("SELECT b.id FROM MATCH g (a:N)-[:E* ACYCLIC 1..2]->(b:N)",
     "ACYCLIC paths are not supported", "-[:E* A"),
    ("SELECT b.id FROM MATCH g (a:N)-[:E* SHORTEST 2..3]->(b:N)",
     "SHORTEST paths start at one hop", "-[:E* S"),
    ("SELECT b.id FROM MATCH g (a:N)-[:E* ALL SHORTEST 0..3]->(b:N)",
     "ALL SHORTEST paths start at one hop", "-[:E* A"),
]


@pytest.mark.parametrize(("fql", "message", "at"), REFUSED)
def test_refusals_name_the_problem_at_its_place(world: World, fql: str, message: str,
                                                at: str) -> None:
    with pytest.raises(fed.FederationError) as info:
        world[0].query(fql)
    err = info.value
    assert message in str(err)
    assert (getattr(err, "line", None), getattr(err, "column", None)) == (1, fql.index(at) + 1)
    assert f"line 1, column {fql.index(at) + 1}" in str(err)


def test_optional_parts_are_validated_when_built() -> None:
    from planner.errors import PlanError
    from planner.graph_optional import OptionalPart
    from planner.graph_pattern import GraphEdge, GraphNode
    from planner.logical import GraphMatch

    nodes = (GraphNode("a", "N"), GraphNode("b", "N"), GraphNode("c", "N"))
    edges = (GraphEdge("e", "E", 0, 1, "right"), GraphEdge("f", "E", 1, 2, "right"))
    GraphMatch("g", nodes, edges, (), optional=(OptionalPart((1,), (0,)), OptionalPart((2,), (1,))))
    bad = [
        (OptionalPart((0, 1, 2), (0, 1)),),  # the first node
        (OptionalPart((2,), (1,)), OptionalPart((1,), (0,))),  # edge 1 ends at a later node
        (OptionalPart((1, 2), (0, 1)), OptionalPart((), ())),  # a part owning nothing
        (OptionalPart((1, 2, 3), (0, 1)),),  # a node outside the pattern
    ]
    for parts in bad:
        with pytest.raises(PlanError):
            GraphMatch("g", nodes, edges, (), optional=parts)
    with pytest.raises(PlanError, match="unknown path mode"):
        GraphEdge("e", "E", 0, 1, "right", 1, 2, "acyclic")
