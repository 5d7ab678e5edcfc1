"""A tiny synthetic TPC-H-shaped dataset for the routing benchmark's smoke test.

dbgen lives in the peer venv (DuckDB 1.5.5 and its tpch extension); the smoke test must run
without it, so this writes every table of ``benchmarks.tpch.placement.COLUMNS`` with the same
column names, types and value domains the routing templates filter on (dates 1992-1998, ship
modes, brands, containers, quantities 1-50), at about 1/1000 of scale factor 1. Only the
shape matters here: the numbers of a real run come from dbgen's data.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.tpch.placement import COLUMNS, tables_in

ROWS = {"customer": 150, "orders": 1500, "part": 200, "supplier": 10, "nation": 25,
        "region": 5}
MODES = ["AIR", "FOB", "MAIL", "RAIL", "REG AIR", "SHIP", "TRUCK"]
INSTRUCT = ["DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"]
CONTAINERS = [f"{a} {b}" for a in ("SM", "MED", "LG", "JUMBO", "WRAP")
              for b in ("CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM")]
PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"]
SEGMENTS = ["AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY"]
D1992, D1998 = 8035, 10440  # 1992-01-01 and 1998-08-02, days since 1970-01-01


def _text(rng: np.random.Generator, words: list[str], n: int) -> pa.Array:
    return pa.array([words[i] for i in rng.integers(0, len(words), n)], pa.string())


def _filler(prefix: str, n: int) -> pa.Array:
    return pa.array([f"{prefix}{i}" for i in range(n)], pa.string())


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.date32())


def build(rng: np.random.Generator) -> dict[str, pa.Table]:
    n = ROWS
    orders_n = n["orders"]
    per_order = rng.integers(1, 8, orders_n)
    l_orderkey = np.repeat(np.arange(1, orders_n + 1), per_order)
    lines = len(l_orderkey)
    o_date = rng.integers(D1992, D1998 - 150, orders_n)
    ship = o_date[l_orderkey - 1] + rng.integers(1, 122, lines)
    part_key = np.arange(1, n["part"] + 1)
    ps_part = np.repeat(part_key, 4)
    ps_supp = (ps_part + np.tile(np.arange(4), n["part"])) % n["supplier"] + 1
    qty = rng.integers(1, 51, lines).astype(float)
    t: dict[str, dict[str, object]] = {
        "region": {"r_regionkey": np.arange(5), "r_name": ["AFRICA", "AMERICA", "ASIA",
                                                           "EUROPE", "MIDDLE EAST"]},
        "nation": {"n_nationkey": np.arange(25), "n_regionkey": np.arange(25) % 5},
        "customer": {"c_custkey": np.arange(1, n["customer"] + 1),
                     "c_nationkey": rng.integers(0, 25, n["customer"]),
                     "c_acctbal": rng.uniform(-999, 9999, n["customer"]).round(2),
                     "c_mktsegment": _text(rng, SEGMENTS, n["customer"])},
        "orders": {"o_orderkey": np.arange(1, orders_n + 1),
                   "o_custkey": rng.integers(1, n["customer"] + 1, orders_n),
                   "o_orderstatus": _text(rng, ["F", "O", "P"], orders_n),
                   "o_totalprice": rng.uniform(1000, 400000, orders_n).round(2),
                   "o_orderdate": _dates(o_date),
                   "o_orderpriority": _text(rng, PRIORITIES, orders_n),
                   "o_shippriority": np.zeros(orders_n, dtype=np.int64)},
        "lineitem": {"l_orderkey": l_orderkey,
                     "l_partkey": rng.integers(1, n["part"] + 1, lines),
                     "l_suppkey": rng.integers(1, n["supplier"] + 1, lines),
                     "l_linenumber": np.concatenate([np.arange(1, k + 1) for k in per_order]),
                     "l_quantity": qty, "l_extendedprice": (qty * rng.uniform(900, 2000, lines))
                     .round(2), "l_discount": rng.integers(0, 11, lines) / 100,
                     "l_tax": rng.integers(0, 9, lines) / 100,
                     "l_returnflag": _text(rng, ["A", "N", "R"], lines),
                     "l_linestatus": _text(rng, ["F", "O"], lines),
                     "l_shipdate": _dates(ship), "l_commitdate": _dates(ship + 10),
                     "l_receiptdate": _dates(ship + rng.integers(1, 31, lines)),
                     "l_shipinstruct": _text(rng, INSTRUCT, lines),
                     "l_shipmode": _text(rng, MODES, lines)},
        "part": {"p_partkey": part_key,
                 "p_brand": pa.array([f"Brand#{a}{b}"
                                      for a, b in rng.integers(1, 6, (n["part"], 2))]),
                 "p_type": _text(rng, ["STANDARD BRUSHED TIN", "PROMO PLATED STEEL"], n["part"]),
                 "p_size": rng.integers(1, 51, n["part"]),
                 "p_container": _text(rng, CONTAINERS, n["part"]),
                 "p_retailprice": rng.uniform(900, 2000, n["part"]).round(2)},
        "supplier": {"s_suppkey": np.arange(1, n["supplier"] + 1),
                     "s_nationkey": rng.integers(0, 25, n["supplier"]),
                     "s_acctbal": rng.uniform(-999, 9999, n["supplier"]).round(2)},
        "partsupp": {"ps_id": np.arange(len(ps_part)), "ps_partkey": ps_part,
                     "ps_suppkey": ps_supp, "ps_availqty": rng.integers(1, 9999, len(ps_part)),
                     "ps_supplycost": rng.uniform(1, 1000, len(ps_part)).round(2)},
    }
    return {name: _complete(name, cols) for name, cols in t.items()}


def _complete(table: str, given: dict[str, object]) -> pa.Table:
    """Every column of ``COLUMNS[table]`` in order: the given ones typed, the rest filler."""
    rows = len(next(iter(given.values())))  # type: ignore[arg-type]
    arrays = {}
    for name, logical in COLUMNS[table].items():
        value = given.get(name)
        if value is None:
            arrays[name] = _filler(f"{name}-", rows)
        elif isinstance(value, pa.Array):
            arrays[name] = value
        else:
            arrays[name] = pa.array(value, pa.int64() if logical == "INT" else
                                    pa.float64() if logical == "DOUBLE" else pa.string())
    return pa.table(arrays)


def tiny_tpch(root: Path) -> Path:
    """Write the tiny dataset under ``root`` (Parquet, crm.db, lake/, graph.kuzu) once."""
    from benchmarks.routing_data import write_sqlite_tables
    from benchmarks.tpch.data import Paths, _kuzu, _lance

    manifest = root / "tiny_manifest.json"
    if manifest.is_file():
        return root
    paths = Paths(root)
    paths.parquet.mkdir(parents=True, exist_ok=True)
    for name, table in build(np.random.default_rng(11)).items():
        pq.write_table(table, paths.parquet_table(name))
    write_sqlite_tables(paths.sqlite, paths.parquet, tables_in("crm"))
    _lance(paths)
    _kuzu(paths)
    manifest.write_text(json.dumps({"rows": ROWS}) + "\n")
    return root
