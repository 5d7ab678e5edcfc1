"""Where each TPC-H table lives (the three-engine placement) and its column types.

Decimals are DOUBLE everywhere (SQLite REAL; Federation reads declared DECIMAL as float64
anyway), so every system, the oracle included, computes in binary floating point. ``partsupp``
is a Kuzu node table and needs a primary key: a synthetic ``ps_id`` (0..n-1 in
``(ps_partkey, ps_suppkey)`` order) is added to it, in every copy of the data.
"""

from __future__ import annotations

SOURCES = ("crm", "lake", "graph")
PLACEMENT: dict[str, str] = {
    "customer": "crm", "orders": "crm", "nation": "crm", "region": "crm",   # SQLite
    "lineitem": "lake", "part": "lake",                                    # LanceDB
    "supplier": "graph", "partsupp": "graph",                              # Kuzu node tables
}
PRIMARY_KEY = {"customer": "c_custkey", "orders": "o_orderkey", "nation": "n_nationkey",
               "region": "r_regionkey", "supplier": "s_suppkey", "partsupp": "ps_id"}

# column -> logical type (INT = 64-bit integer, DOUBLE, DATE, TEXT)
COLUMNS: dict[str, dict[str, str]] = {
    "region": {"r_regionkey": "INT", "r_name": "TEXT", "r_comment": "TEXT"},
    "nation": {"n_nationkey": "INT", "n_name": "TEXT", "n_regionkey": "INT",
               "n_comment": "TEXT"},
    "customer": {"c_custkey": "INT", "c_name": "TEXT", "c_address": "TEXT",
                 "c_nationkey": "INT", "c_phone": "TEXT", "c_acctbal": "DOUBLE",
                 "c_mktsegment": "TEXT", "c_comment": "TEXT"},
    "orders": {"o_orderkey": "INT", "o_custkey": "INT", "o_orderstatus": "TEXT",
               "o_totalprice": "DOUBLE", "o_orderdate": "DATE", "o_orderpriority": "TEXT",
               "o_clerk": "TEXT", "o_shippriority": "INT", "o_comment": "TEXT"},
    "lineitem": {"l_orderkey": "INT", "l_partkey": "INT", "l_suppkey": "INT",
                 "l_linenumber": "INT", "l_quantity": "DOUBLE", "l_extendedprice": "DOUBLE",
                 "l_discount": "DOUBLE", "l_tax": "DOUBLE", "l_returnflag": "TEXT",
                 "l_linestatus": "TEXT", "l_shipdate": "DATE", "l_commitdate": "DATE",
                 "l_receiptdate": "DATE", "l_shipinstruct": "TEXT", "l_shipmode": "TEXT",
                 "l_comment": "TEXT"},
    "part": {"p_partkey": "INT", "p_name": "TEXT", "p_mfgr": "TEXT", "p_brand": "TEXT",
             "p_type": "TEXT", "p_size": "INT", "p_container": "TEXT",
             "p_retailprice": "DOUBLE", "p_comment": "TEXT"},
    "supplier": {"s_suppkey": "INT", "s_name": "TEXT", "s_address": "TEXT",
                 "s_nationkey": "INT", "s_phone": "TEXT", "s_acctbal": "DOUBLE",
                 "s_comment": "TEXT"},
    "partsupp": {"ps_id": "INT", "ps_partkey": "INT", "ps_suppkey": "INT",
                 "ps_availqty": "INT", "ps_supplycost": "DOUBLE", "ps_comment": "TEXT"},
}
SQLITE_TYPE = {"INT": "INTEGER", "DOUBLE": "REAL", "DATE": "DATE", "TEXT": "TEXT"}
DUCKDB_TYPE = {"INT": "BIGINT", "DOUBLE": "DOUBLE", "DATE": "DATE", "TEXT": "VARCHAR"}
KUZU_TYPE = {"INT": "INT64", "DOUBLE": "DOUBLE", "DATE": "DATE", "TEXT": "STRING"}


def tables_in(source: str) -> list[str]:
    return [t for t, s in PLACEMENT.items() if s == source]


def owner(column: str) -> str:
    """The table a TPC-H column belongs to (column names are unique across tables)."""
    for table, cols in COLUMNS.items():
        if column in cols:
            return table
    raise KeyError(column)


def ddl(table: str, types: dict[str, str], *, primary_key: bool = True) -> str:
    cols = []
    for name, logical in COLUMNS[table].items():
        key = " PRIMARY KEY" if primary_key and PRIMARY_KEY.get(table) == name else ""
        cols.append(f"{name} {types[logical]}{key}")
    return f"CREATE TABLE {table} ({', '.join(cols)})"
