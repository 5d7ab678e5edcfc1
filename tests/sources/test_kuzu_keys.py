"""Keys passed into Kuzu (issue 8 item 2a): a small SQLite leg's join keys reach a graph
pattern as one list parameter tested with ``IN``, integer and string keys alike; no keys match
nothing; the answer is the one without keys."""

from __future__ import annotations

from pathlib import Path

import apsw
import pytest

import federation as fed
from federation.sources.kuzu import driver

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
