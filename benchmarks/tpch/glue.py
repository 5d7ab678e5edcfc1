"""System *glue*: each query by hand with the best native reader of every store.

Per query, every table it reads is fetched once with the fastest client for its store, with
the projection (the columns of that table the query names, found in the text: TPC-H column
names are unique) and the single-table filters written by hand below pushed down:

* SQLite: ADBC ``cursor.execute(sql).fetch_arrow_table()``; ISO text dates → ``date32``;
* LanceDB: ``lance.dataset(uri).to_table(columns=…, filter=…)`` (datasets opened once);
* Kuzu: ``conn.execute("MATCH (x:t) WHERE … RETURN x.c AS c, …").get_as_arrow()``.

The fetches run in parallel (a pool of 4 threads, as the engine's, each with its own
connections), then the query itself, with the source qualifiers removed, runs in an in-memory
DuckDB (the main venv's, 2 threads) over the registered Arrow tables. A filter is only pushed
when it holds for every use of the table in the query (the query applies it again anyway).
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyarrow as pa

from benchmarks.tpch.data import Paths
from benchmarks.tpch.placement import COLUMNS, PLACEMENT

THREADS = 2
QUALIFIER = re.compile(r"\b(?:crm|lake|graph)\.(?=[a-z])")
WORD = re.compile(r"\b[a-z_]+\b")

# query -> table -> filter in the dialect of the table's store (SQLite SQL, Lance SQL, Cypher
# over the node variable ``x``); dates are ISO text in SQLite, DATE values in Lance.
FILTERS: dict[str, dict[str, str]] = {
    "q01": {"lineitem": "l_shipdate <= date '1998-09-02'"},
    "q02": {"part": "p_size = 15 AND p_type LIKE '%BRASS'", "region": "r_name = 'EUROPE'"},
    "q03": {"customer": "c_mktsegment = 'BUILDING'", "orders": "o_orderdate < '1995-03-15'",
            "lineitem": "l_shipdate > date '1995-03-15'"},
    "q04": {"orders": "o_orderdate >= '1993-07-01' AND o_orderdate < '1993-10-01'",
            "lineitem": "l_commitdate < l_receiptdate"},
    "q05": {"region": "r_name = 'ASIA'",
            "orders": "o_orderdate >= '1994-01-01' AND o_orderdate < '1995-01-01'"},
    "q06": {"lineitem": "l_shipdate >= date '1994-01-01' AND l_shipdate < date '1995-01-01'"
                        " AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24"},
    "q07": {"nation": "n_name IN ('FRANCE', 'GERMANY')",
            "lineitem": "l_shipdate BETWEEN date '1995-01-01' AND date '1996-12-31'"},
    "q08": {"region": "r_name = 'AMERICA'",
            "orders": "o_orderdate BETWEEN '1995-01-01' AND '1996-12-31'",
            "part": "p_type = 'ECONOMY ANODIZED STEEL'"},
    "q09": {"part": "p_name LIKE '%green%'"},
    "q10": {"orders": "o_orderdate >= '1993-10-01' AND o_orderdate < '1994-01-01'",
            "lineitem": "l_returnflag = 'R'"},
    "q11": {"nation": "n_name = 'GERMANY'"},
    "q12": {"lineitem": "l_shipmode IN ('MAIL', 'SHIP') AND l_commitdate < l_receiptdate"
                        " AND l_shipdate < l_commitdate AND l_receiptdate >= date '1994-01-01'"
                        " AND l_receiptdate < date '1995-01-01'"},
    "q13": {"orders": "o_comment NOT LIKE '%special%requests%'"},
    "q14": {"lineitem": "l_shipdate >= date '1995-09-01' AND l_shipdate < date '1995-10-01'"},
    "q15": {"lineitem": "l_shipdate >= date '1996-01-01' AND l_shipdate < date '1996-04-01'"},
    "q16": {"part": "p_brand <> 'Brand#45' AND p_type NOT LIKE 'MEDIUM POLISHED%'"
                    " AND p_size IN (49, 14, 23, 45, 19, 3, 36, 9)",
            "supplier": "x.s_comment =~ '.*Customer.*Complaints.*'"},
    "q17": {"part": "p_brand = 'Brand#23' AND p_container = 'MED BOX'"},
    "q19": {"lineitem": "l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = "
                        "'DELIVER IN PERSON' AND l_quantity BETWEEN 1 AND 30",
            "part": "p_brand IN ('Brand#12', 'Brand#23', 'Brand#34')"
                    " AND p_size BETWEEN 1 AND 15"},
    "q20": {"part": "p_name LIKE 'forest%'", "nation": "n_name = 'CANADA'",
            "lineitem": "l_shipdate >= date '1994-01-01' AND l_shipdate < date '1995-01-01'"},
    "q21": {"orders": "o_orderstatus = 'F'", "nation": "n_name = 'SAUDI ARABIA'"},
    "q22": {"customer": "substr(c_phone, 1, 2) IN ('13', '31', '23', '29', '30', '18', '17')"},
}


def columns_used(text: str) -> dict[str, list[str]]:
    """Table -> the columns of it the query names, in table order."""
    words = set(WORD.findall(text.lower()))
    used = {t: [c for c in cols if c in words] for t, cols in COLUMNS.items()}
    return {t: cols for t, cols in used.items() if cols and f"{PLACEMENT[t]}.{t}" in text}


class Glue:
    def __init__(self, paths: Paths) -> None:
        import duckdb
        import lance

        self.paths = paths
        self.lance = {t: lance.dataset(str(paths.lance_table(t)))
                      for t, s in PLACEMENT.items() if s == "lake"}
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="glue")
        self.duck = duckdb.connect(":memory:", config={"threads": THREADS})
        self.plans: dict[str, tuple[str, dict[str, list[str]]]] = {}
        from federation.sources.kuzu import driver

        self.kuzu = driver()
        self.kuzu_db = self.kuzu.Database(str(paths.kuzu), read_only=True,
                                          max_num_threads=THREADS)

    def _sqlite(self) -> Any:
        if not hasattr(self.local, "sqlite"):
            import adbc_driver_sqlite.dbapi as adbc

            self.local.sqlite = adbc.connect(f"file:{self.paths.sqlite}?mode=ro")
        return self.local.sqlite

    def _kuzu(self) -> Any:
        if not hasattr(self.local, "kuzu"):
            self.local.kuzu = self.kuzu.Connection(self.kuzu_db, num_threads=THREADS)
        return self.local.kuzu

    def fetch(self, table: str, cols: list[str], where: str | None) -> pa.Table:
        source = PLACEMENT[table]
        if source == "lake":
            return self.lance[table].to_table(columns=cols, filter=where)
        if source == "graph":
            ret = ", ".join(f"x.{c} AS {c}" for c in cols)
            cond = f" WHERE {where}" if where else ""
            res = self._kuzu().execute(f"MATCH (x:{table}){cond} RETURN {ret}")
            try:
                return res.get_as_arrow()
            finally:
                res.close()
        cur = self._sqlite().cursor()
        try:
            cond = f" WHERE {where}" if where else ""
            cur.execute(f"SELECT {', '.join(cols)} FROM {table}{cond}")
            got: pa.Table = cur.fetch_arrow_table()
        finally:
            cur.close()
        for i, name in enumerate(got.column_names):
            if COLUMNS[table][name] == "DATE":
                got = got.set_column(i, name, got.column(i).cast(pa.date32()))
        return got

    def run(self, qid: str, text: str) -> pa.Table:
        if qid not in self.plans:
            self.plans[qid] = (QUALIFIER.sub("", text), columns_used(text))
        sql, used = self.plans[qid]
        filters = FILTERS.get(qid, {})
        futures = {t: self.pool.submit(self.fetch, t, cols, filters.get(t))
                   for t, cols in used.items()}
        tables = {t: f.result() for t, f in futures.items()}
        for name, table in tables.items():
            self.duck.register(name, table)
        try:
            result: pa.Table = self.duck.sql(sql).to_arrow_table()
        finally:
            for name in tables:
                self.duck.unregister(name)
        return result
