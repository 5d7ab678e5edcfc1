"""Keys passed into Kuzu (issue 8 item 2a): a small SQLite leg's join keys reach a graph
pattern as one list parameter tested with ``IN``, integer and string keys alike; no keys match
nothing; the answer is the one without keys."""

from __future__ import annotations

from pathlib import Path

import apsw
import pyarrow as pa
import pytest

import federation as fed
from federation.key_passing import with_keys
from federation.sources.kuzu import driver
from planner.expressions import ColumnRef
from planner.fragments import Fragment, KeyPass
from planner.logical import GraphMatch, GraphNode

BY_ID = """SELECT a.name, t.title FROM crm.agents AS a
           JOIN MATCH graph (x:Agent)-[:OWNS]->(t:Task) ON x.id = a.id
           WHERE a.team = $team"""
BY_NAME = """SELECT a.id, t.title FROM crm.agents AS a
             JOIN MATCH graph (x:Agent)-[:OWNS]->(t:Task) ON x.name = a.name
             WHERE a.team = $team"""


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kuzu_keys")
    con = apsw.Connection(str(root / "crm.db"))
    with con:
        con.execute("CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT, team TEXT)")
        con.executemany("INSERT INTO agents VALUES (?, ?, ?)",
                        [(i, f"a{i}", "core" if i % 50 == 0 else "edge") for i in range(2000)])
    con.close()
    kuzu = driver()
    db = kuzu.Database(str(root / "g.kuzu"))
    graph = kuzu.Connection(db)
    graph.execute("CREATE NODE TABLE Agent(id INT64 PRIMARY KEY, name STRING)")
    graph.execute("CREATE NODE TABLE Task(id INT64 PRIMARY KEY, title STRING)")
    graph.execute("CREATE REL TABLE OWNS(FROM Agent TO Task)")
    graph.execute("UNWIND range(0, 1999) AS i "
                  "CREATE (:Agent {id: i, name: 'a' + CAST(i AS STRING)})")
    graph.execute("UNWIND range(0, 5999) AS i "
                  "CREATE (:Task {id: i, title: 't' + CAST(i AS STRING)})")
    graph.execute("MATCH (a:Agent), (t:Task) WHERE t.id % 2000 = a.id CREATE (a)-[:OWNS]->(t)")
    graph.close()
    db.close()
    return root


def _engine(root: Path, **options: object) -> fed.Engine:
    eng = fed.connect(**options)
    eng.attach("crm", fed.SQLite(root / "crm.db"))
    eng.attach("graph", fed.Kuzu(root / "g.kuzu"))
    return eng


@pytest.mark.parametrize(("text", "team", "keys"), [
    (BY_ID, "core", 40), (BY_NAME, "core", 40), (BY_ID, "nobody", 0)])
def test_keys_reach_kuzu_as_one_list_parameter(root: Path, text: str, team: str,
                                               keys: int) -> None:
    with _engine(root, key_passing_rows=0) as passing, \
            _engine(root, key_passing_rows=None) as whole:
        res = passing.query(text, {"team": team})
        expected = whole.query(text, {"team": team})
        assert sorted(map(str, res.to_pylist())) == sorted(map(str, expected.to_pylist()))
        assert len(res) == 3 * keys
        assert any(n.startswith("applied") and n.endswith(f"({keys} keys)")
                   for n in res.plan.notes), res.plan.notes
        graph = next(f for f in res.plan.fragments if f.source == "graph")
        assert (" IN $p" in graph.native) if keys else ("false" in graph.native)
        assert graph.rows == 3 * keys


def test_many_integer_keys_go_sorted_in_range_guarded_chunks(root: Path) -> None:
    """Past the source's chunk of keys (100), integer keys are sorted and each chunk tests
    its list only between its smallest and largest key; the chunks' rows, together, are
    the answer without keys."""
    text = BY_ID.replace("a.team = $team", "a.team = $team AND a.id < $below")
    values = {"team": "edge", "below": 300}  # 294 keys: three chunks
    with _engine(root, key_passing_rows=0) as passing, \
            _engine(root, key_passing_rows=None) as whole:
        res = passing.query(text, values)
        expected = whole.query(text, values)
        assert sorted(map(str, res.to_pylist())) == sorted(map(str, expected.to_pylist()))
        assert len(res) == 3 * 294
        assert "fragment #1 read in 3 chunks of at most 100 keys" in res.plan.notes
        graph = next(f for f in res.plan.fragments if f.source == "graph")
        assert ">= $p1 AND" in graph.native and "<= $p2 AND" in graph.native, graph.native
        assert graph.rows == 3 * 294


def test_chunks_of_keys_are_disjoint_ranges(root: Path) -> None:
    """The keys a sender returns in any order are passed sorted: chunk after chunk covers
    a range of its own, so a row meets one chunk's list at most."""

    key = ColumnRef("x", "id", pa.int64())
    leaf = GraphMatch("graph", (GraphNode("x", "Agent"),), (), (key,), available=(key,))
    sent = ColumnRef("a", "id", pa.int64())
    kp = KeyPass(0, sent, 1, key, 1000, 100)
    shuffled = [(i * 7919) % 1000 for i in range(1000)] + [None, 5]
    with _engine(root) as eng:
        source = eng.sources["graph"]
        planned = source.compile(leaf, {})
        chunks, notes, count = with_keys(Fragment(1, "graph", leaf), (kp,),
                                         {0: pa.table({sent.key: shuffled})}, source, {},
                                         planned)
    assert count == 1000 and len(chunks) == 10, notes
    bound = [dict(c.params) for c in chunks]  # p0: the chunk's keys, p1/p2: its range
    assert [(b["p1"], b["p2"]) for b in bound] == [(100 * i, 100 * i + 99) for i in range(10)]
    assert [len(b["p0"]) for b in bound] == [100] * 10  # type: ignore[arg-type]
