"""Boundary values in every source: a ``nums`` table in SQLite, a ``Num`` node table in Kuzu
and a ``nums`` table in LanceDB (and the same rows in the oracle), holding integers around
2**31, 2**53 and 2**63, doubles and FLOATs that do not round-trip, -0.0, empty and non-ASCII
strings, NULLs and dates far apart. The domain's own data never reaches these edges."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import apsw
import duckdb
import pyarrow as pa

from federation.sources.kuzu import driver

D = dt.date
IDS = list(range(1, 13))
INTS = [0, 1, -1, 2147483647, 2147483648, 9007199254740992, 9007199254740993,
        9223372036854775807, -9223372036854775808, None, 42, 3]
REALS = [0.0, -0.0, 0.1, 0.30000000000000004, 9007199254740992.0, 9007199254740994.0, 1e308,
         -1e-300, None, 2.5, 42.0, 3.0]
FLOATS = [0.1, 0.2, 0.5, 1.5, -0.0, 3.4e38, 1e-30, None, 42.0, 2.5, 0.3, 7.0]
STRINGS = ["", "a", "A", "Zoë", "zoe", "日本", "🚀", "O'Brien", "100%", None, "a_b", "ab"]
DATES = [D(1970, 1, 1), D(1969, 12, 31), D(2000, 2, 29), D(2024, 2, 29), D(2099, 12, 31), None,
         D(1900, 1, 1), D(2023, 6, 15), D(2024, 1, 1), D(1999, 12, 31), D(2038, 1, 19),
         D(2262, 4, 11)]

SQLITE_DDL = "CREATE TABLE nums(id INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT, d DATE)"
KUZU_DDL = ("CREATE NODE TABLE Num(id INT64 PRIMARY KEY, i INT64, f FLOAT, r DOUBLE, s STRING, "
            "d DATE)")


def table() -> pa.Table:
    return pa.table({"id": pa.array(IDS, pa.int64()), "i": pa.array(INTS, pa.int64()),
                     "f": pa.array(FLOATS, pa.float32()), "r": pa.array(REALS, pa.float64()),
                     "s": pa.array(STRINGS, pa.string()), "d": pa.array(DATES, pa.date32())})


def write(root: Path, duck: duckdb.DuckDBPyConnection) -> None:
    """Add the boundary tables to the sources under ``root`` and to the oracle."""
    nums = table()
    con = apsw.Connection(str(root / "crm.db"))
    try:
        with con:
            con.execute(SQLITE_DDL)
            rows = zip(IDS, INTS, REALS, STRINGS, [d.isoformat() if d else None for d in DATES],
                       strict=True)
            con.executemany("INSERT INTO nums VALUES (?, ?, ?, ?, ?)", rows)
    finally:
        con.close()
    kuzu = driver()
    db = kuzu.Database(str(root / "graph.kuzu"))
    try:
        kcon = kuzu.Connection(db)
        kcon.execute(KUZU_DDL)
        frame = nums  # noqa: F841 - Kuzu's COPY reads the Arrow table by this name
        kcon.execute("COPY Num FROM frame")
        kcon.close()
    finally:
        db.close()
    import lancedb

    lancedb.connect(str(root / "lance")).create_table("nums", data=nums)
    duck.register("_nums", nums)
    try:
        duck.execute("CREATE TABLE crm.nums AS SELECT id, i, r, s, d FROM _nums; "
                     "CREATE TABLE graph.Num AS SELECT * FROM _nums; "
                     "CREATE TABLE docs.nums AS SELECT * FROM _nums")
    finally:
        duck.unregister("_nums")
