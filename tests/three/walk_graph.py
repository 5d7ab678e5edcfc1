"""The small Kuzu graph on which walk semantics are checked: a cycle, a self-loop, parallel
edges, a pair apart and an isolated node (``tests/three/test_var_length.py`` against DuckDB,
``tests/test_mirrors.py`` against its SQLite link-table mirror)."""

from __future__ import annotations

from pathlib import Path

from federation.sources.kuzu import driver

NODES = [(1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e"), (6, "f")]
# 1→2 twice (parallel), the cycle 1→2→3→1, a self-loop on 3, 4→5 apart, 6 isolated
EDGES = [(1, 2, 10), (2, 3, 11), (3, 1, 12), (3, 3, 13), (1, 2, 14), (4, 5, 15)]


def write_walk_graph(path: Path) -> None:
    """Node table N(id, name) and rel table E(FROM N TO N, w) at ``path``."""
    kuzu = driver()
    db = kuzu.Database(str(path))
    con = kuzu.Connection(db)
    con.execute("CREATE NODE TABLE N(id INT64 PRIMARY KEY, name STRING)")
    con.execute("CREATE REL TABLE E(FROM N TO N, w INT64)")
    for node_id, name in NODES:
        con.execute("CREATE (:N {id: $id, name: $name})", {"id": node_id, "name": name})
    for src, dst, w in EDGES:
        con.execute("MATCH (a:N {id: $s}), (b:N {id: $d}) CREATE (a)-[:E {w: $w}]->(b)",
                    {"s": src, "d": dst, "w": w})
    con.close()
    db.close()


def write_walk_mirror(path: Path) -> None:
    """The same graph as SQLite tables n(id, name) and e(a, b, w) at ``path``: a mirror of N
    and of E (FROM in ``a``, TO in ``b``)."""
    import apsw

    sq = apsw.Connection(str(path))
    sq.execute("CREATE TABLE n(id INTEGER PRIMARY KEY, name TEXT); "
               "CREATE TABLE e(a INTEGER, b INTEGER, w INTEGER)")
    sq.executemany("INSERT INTO n VALUES (?, ?)", NODES)
    sq.executemany("INSERT INTO e VALUES (?, ?, ?)", EDGES)
    sq.close()
