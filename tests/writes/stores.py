"""Three small stores to write to: SQLite ``items``, Kuzu ``Item`` (with rel ``LINK``) and
LanceDB ``items``, each holding ids 1..3 (``name`` 'a'..'c', ``n`` = id * 10)."""

from __future__ import annotations

from pathlib import Path

import apsw
import pyarrow as pa

import federation as fed

IDS = (1, 2, 3)
TARGETS = {"sqlite": "s.items", "kuzu": "g.Item", "lancedb": "v.items"}


def lance_rows(ids: list[int]) -> pa.Table:
    return pa.table({"id": pa.array(ids, pa.int64()),
                     "name": pa.array([chr(96 + i % 26) for i in ids]),
                     "n": pa.array([i * 10 for i in ids], pa.int64()),
                     "vec": pa.array([[float(i), 0.0] for i in ids], pa.list_(pa.float32(), 2))})


def make_stores(root: Path) -> None:
    con = apsw.Connection(str(root / "crm.db"))
    con.execute("CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, n INTEGER)")
    con.executemany("INSERT INTO items VALUES (?, ?, ?)",
                    [(i, chr(96 + i), i * 10) for i in IDS])
    con.close()
    kuzu = fed.Kuzu(root / "g.kuzu")
    kuzu.open("g")
    kuzu.write("CREATE NODE TABLE Item(id INT64 PRIMARY KEY, name STRING, n INT64)")
    kuzu.write("CREATE REL TABLE LINK(FROM Item TO Item, w DOUBLE)")
    kuzu.write("UNWIND $rows AS r CREATE (:Item {id: r.id, name: r.name, n: r.n})",
               {"rows": [{"id": i, "name": chr(96 + i), "n": i * 10} for i in IDS]})
    kuzu.close()
    import lancedb

    lancedb.connect(str(root / "lance")).create_table("items", data=lance_rows(list(IDS)))


def attach(eng: fed.Engine, root: Path) -> fed.Engine:
    eng.attach("s", fed.SQLite(root / "crm.db"))
    eng.attach("g", fed.Kuzu(root / "g.kuzu"))
    eng.attach("v", fed.LanceDB(root / "lance"))
    return eng


def ids(eng: fed.Engine, target: str) -> list[int]:
    rows = eng.query(f"SELECT t.id FROM {target} AS t").to_pylist()
    return sorted(r["id"] for r in rows)
