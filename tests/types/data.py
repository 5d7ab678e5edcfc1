"""One small table with a column of every scalar type, written into SQLite, Kuzu and LanceDB
and held in DuckDB as the oracle (built once per test module).

Values sit at the type boundaries: integers near ±2**63 and 2**53, a float that is the nearest
double of an integer it is not equal to, FLOAT values that are not doubles, text with unicode,
a quote and a NUL, dates at both ends of the calendar, NULL in every column.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pyarrow as pa

MAX = 2**63 - 1
# -2**63 itself is refused by LanceDB's filter parser (it reads the literal as a float), so the
# lowest value is one above it
ROWS = [
    # id, i, r, f32, s, d, ts, b, dec
    (1, None, None, None, None, None, None, None, None),
    (2, 0, 0.0, 0.0, "", dt.date(1970, 1, 1), dt.datetime(1970, 1, 1), False, D("0")),
    (3, 1, 0.1, 0.1, "a", dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 12), True, D("0.1")),
    (4, -1, -1.5, -1.5, "A", dt.date(2000, 2, 29), dt.datetime(2000, 2, 29, 23, 59, 59), False,
     D("-1.5")),
    (5, 2, 2.0, 0.2, "é", dt.date(1, 1, 1), dt.datetime(1, 1, 1), True, D("2")),
    (6, 9007199254740993, 9007199254740992.0, 16777217.0, "日本", dt.date(9999, 12, 31),
     dt.datetime(9999, 12, 31, 23, 59, 59), None, D("123456789012345.678")),
    (7, MAX, 1e300, 3.4e38, "it's", dt.date(2024, 1, 2), dt.datetime(2024, 1, 1, 12, 0, 1), True,
     D("999999999999999.999")),
    (8, -MAX, -1e300, -0.1, "a\x00b", dt.date(1969, 12, 31), dt.datetime(1969, 12, 31), False,
     D("-999999999999999.999")),
    (9, 3, 2.5, 2.5, "b", dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 12), True, D("2.5")),
]
COLUMNS = ["id", "i", "r", "f32", "s", "d", "ts", "b", "dec"]
ARROW = pa.schema([("id", pa.int64()), ("i", pa.int64()), ("r", pa.float64()),
                  ("f32", pa.float32()), ("s", pa.string()), ("d", pa.date32()),
                  ("ts", pa.timestamp("us")), ("b", pa.bool_()), ("dec", pa.decimal128(18, 3))])


def arrow_table() -> pa.Table:
    return pa.table({name: [row[k] for row in ROWS] for k, name in enumerate(COLUMNS)},
                    schema=ARROW)


def oracle() -> duckdb.DuckDBPyConnection:
    """DuckDB holding the same table as ``t`` (FLOAT for f32, as Kuzu and Lance store it)."""
    con = duckdb.connect()
    con.register("source_rows", arrow_table())
    con.execute("CREATE TABLE t AS SELECT * FROM source_rows")
    con.unregister("source_rows")
    return con


def build_sqlite(path: Path) -> None:
    """SQLite has no FLOAT and no exact DECIMAL: f32 and dec are left out. Dates and
    timestamps are ISO text, as the engine reads declared DATE/TIMESTAMP columns."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT, d DATE, "
                "ts TIMESTAMP, b BOOLEAN)")
    for id_, i, r, _f, s, d, ts, b, _dec in ROWS:
        con.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (id_, i, r, s, d and d.isoformat(), ts and ts.isoformat(sep=" "),
                     None if b is None else int(b)))
    con.commit()
    con.close()


def build_kuzu(path: Path) -> None:
    import kuzu

    db = kuzu.Database(str(path))
    con = kuzu.Connection(db)
    con.execute("CREATE NODE TABLE T(id INT64, i INT64, r DOUBLE, f32 FLOAT, s STRING, d DATE, "
                "ts TIMESTAMP, b BOOL, dec DECIMAL(18,3), PRIMARY KEY(id))")
    for row in ROWS:
        values = dict(zip(COLUMNS, row, strict=True))
        con.execute("CREATE (:T {id: $id, i: $i, r: $r, f32: CAST($f32 AS FLOAT), s: $s, "
                    "d: $d, ts: $ts, b: $b, dec: CAST($dec AS DECIMAL(18,3))})",
                    values | {"dec": None if values["dec"] is None else str(values["dec"])})
    con.close()
    db.close()


def build_lance(path: Path) -> None:
    import lancedb

    lancedb.connect(str(path)).create_table("t", arrow_table())
