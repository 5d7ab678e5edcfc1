"""Small stores the result-cache suites write to, and engines with the cache on and off.

Every store holds the same ten ids: SQLite ``items(id, grp, val)``, Kuzu ``Person(id, name)``
with ``KNOWS`` from each id to the next, LanceDB ``docs(id, grp, vector)``. The tests write to
them with the stores' own clients and compare the cached engine's answer against the engine
with the cache off (the oracle) and against the values they wrote.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import federation as fed
from tests.cache.lance_ops import DIM, docs_table  # noqa: F401  (tests import them here)

IDS = range(10)
# within 50 ms of a LanceDB commit the source does not trust its directory's file times
# (federation.sources.lance_versions) and a lookup may miss: tests that expect hits wait this
LANCE_AGED = 0.06
SQL_ROWS = "SELECT i.id, i.grp, i.val FROM s.items AS i WHERE i.grp = $g"
LANCE_ROWS = "SELECT d.id, d.grp FROM v.docs AS d WHERE d.id >= $lo"
GRAPH_ROWS = "SELECT x.id, x.name FROM MATCH g (x:Person) WHERE x.id >= $lo"
# one leg on each store, joined in DuckDB
THREE = ("SELECT i.id, i.val, x.name, d.grp FROM s.items AS i "
         "JOIN MATCH g (x:Person)-[:KNOWS]->(y:Person) ON x.id = i.id "
         "JOIN v.docs AS d ON d.id = y.id WHERE i.val >= $m")


@dataclass(frozen=True)
class Stores:
    root: Path

    @property
    def sqlite(self) -> Path:
        return self.root / "s.db"

    @property
    def kuzu(self) -> Path:
        return self.root / "g.kuzu"

    @property
    def lance(self) -> Path:
        return self.root / "lance"


def build_sqlite(path: Path, journal: str = "delete") -> None:
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA journal_mode={journal}")
    con.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, grp TEXT, val INTEGER)")
    con.executemany("INSERT INTO items VALUES (?, ?, ?)",
                    [(i, "a" if i % 2 else "b", i * 10) for i in IDS])
    con.commit()
    con.close()


def build_kuzu(path: Path) -> None:
    import kuzu

    db = kuzu.Database(str(path))
    con = kuzu.Connection(db)
    con.execute("CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY(id))")
    con.execute("CREATE REL TABLE KNOWS(FROM Person TO Person, w DOUBLE)")
    for i in IDS:
        con.execute("CREATE (:Person {id: $id, name: $name})", {"id": i, "name": f"p{i}"})
    for i in IDS[:-1]:
        con.execute("MATCH (a:Person {id: $a}), (b:Person {id: $b}) "
                    "CREATE (a)-[:KNOWS {w: 0.5}]->(b)", {"a": i, "b": i + 1})
    con.close()
    db.close()  # the engine opens its own Database on the path


def build_lance(path: Path) -> None:
    import lancedb

    lancedb.connect(str(path)).create_table("docs", docs_table(IDS))


def make_stores(root: Path, *, sqlite: bool = True, kuzu: bool = False, lance: bool = False,
                journal: str = "delete") -> Stores:
    stores = Stores(root)
    if sqlite:
        build_sqlite(stores.sqlite, journal)
    if kuzu:
        build_kuzu(stores.kuzu)
    if lance:
        build_lance(stores.lance)
    return stores


def engine(stores: Stores, *, kuzu: bool = False, lance: bool = False,
           sqlite: bool = True, **options: Any) -> fed.Engine:
    eng = fed.connect(**options)
    if sqlite:
        eng.attach("s", fed.SQLite(stores.sqlite))
    if kuzu:
        eng.attach("g", fed.Kuzu(stores.kuzu))
    if lance:
        eng.attach("v", fed.LanceDB(stores.lance))
    return eng


def rows(res: fed.Result) -> list[str]:
    """The answer as sorted reprs: keeps types apart (1, True, 1.0, -0.0 print differently)."""
    return sorted(repr(sorted(r.items())) for r in res.to_pylist())


def same(cached: fed.Engine, plain: fed.Engine, text: str,
         params: dict[str, object] | None = None) -> fed.Result:
    """The cached engine's answer, asserted equal to the cache-off engine's (and its schema)."""
    res = cached.query(text, params)
    want = plain.query(text, params)
    assert plain.cache.info()["hits"] == 0
    assert res.arrow().schema == want.arrow().schema
    assert rows(res) == rows(want), (text, params, res.plan.cache)
    return res


@pytest.fixture()
def sqlite_stores(tmp_path: Path) -> Stores:
    return make_stores(tmp_path)


@pytest.fixture()
def sqlite_pair(sqlite_stores: Stores) -> Iterator[tuple[fed.Engine, fed.Engine]]:
    """(cache on, cache off) over one SQLite file."""
    with engine(sqlite_stores) as cached, engine(sqlite_stores, cache_bytes=0) as plain:
        yield cached, plain
