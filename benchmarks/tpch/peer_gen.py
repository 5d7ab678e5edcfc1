"""Generate TPC-H in the peer venv: ``python -m benchmarks.tpch.peer_gen <sf> <dir>``.

``CALL dbgen(sf=…)`` (tpch extension), every table to ``<dir>/parquet/<t>.parquet`` with
decimals as DOUBLE and integers as BIGINT (``partsupp`` gains ``ps_id``), and the SQLite
tables into ``<dir>/crm.db`` (declared INTEGER/REAL/DATE/TEXT, dates as ISO text) through the
sqlite extension. Runs only with DuckDB 1.5.5 and its extension wheels (``.venv-peer``).
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

from benchmarks.tpch import peer_ext
from benchmarks.tpch.placement import COLUMNS, DUCKDB_TYPE, SQLITE_TYPE, ddl, tables_in


def select_list(table: str) -> str:
    cols = []
    for name, logical in COLUMNS[table].items():
        if name == "ps_id":
            cols.append("(row_number() OVER (ORDER BY ps_partkey, ps_suppkey) - 1)::BIGINT"
                        " AS ps_id")
        else:
            cols.append(f"{name}::{DUCKDB_TYPE[logical]} AS {name}")
    return ", ".join(cols)


def main(sf: float, out: Path) -> None:
    start = time.perf_counter()
    (out / "parquet").mkdir(parents=True, exist_ok=True)
    con = peer_ext.connect(extensions=("tpch", "sqlite"))
    con.execute(f"CALL dbgen(sf={sf})")
    print(f"dbgen sf={sf}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
    for table in COLUMNS:
        path = out / "parquet" / f"{table}.parquet"
        con.execute(f"COPY (SELECT {select_list(table)} FROM {table}) TO '{path}' "
                    "(FORMAT parquet, COMPRESSION zstd)")
    db = out / "crm.db"
    db.unlink(missing_ok=True)
    lite = sqlite3.connect(db)
    for table in tables_in("crm"):
        lite.execute(ddl(table, SQLITE_TYPE))
    lite.commit()
    lite.close()
    con.execute(f"ATTACH '{db}' AS crm (TYPE sqlite)")
    for table in tables_in("crm"):
        con.execute(f"INSERT INTO crm.{table} SELECT * FROM '{out / 'parquet' / table}.parquet'")
    con.execute("DETACH crm")
    print(f"parquet + sqlite: {time.perf_counter() - start:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main(float(sys.argv[1]), Path(sys.argv[2]))
