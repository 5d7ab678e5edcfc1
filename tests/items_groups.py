"""A LanceDB ``docs.items`` table grouped by a SQLite ``crm.grp`` table: the smallest
cross-source join, shared by the stream and stage-lift tests."""

from __future__ import annotations

from pathlib import Path

import apsw
import lancedb
import pyarrow as pa

import federation as fed


def items_and_groups(root: Path, rows: int, groups: int, *, score: bool = False) -> fed.Engine:
    columns = {"id": pa.array(range(rows), pa.int64()),
               "grp": pa.array([i % groups for i in range(rows)], pa.int64())}
    if score:
        columns["score"] = pa.array([i * 0.5 for i in range(rows)])
    lancedb.connect(str(root / "lance")).create_table("items", pa.table(columns))
    con = apsw.Connection(str(root / "crm.db"))
    con.execute("CREATE TABLE grp (id INTEGER, name TEXT)")
    con.executemany("INSERT INTO grp VALUES (?, ?)", [(i, f"g{i}") for i in range(groups)])
    con.close()
    engine = fed.connect()
    engine.attach("docs", fed.LanceDB(root / "lance"))
    engine.attach("crm", fed.SQLite(root / "crm.db"))
    return engine
