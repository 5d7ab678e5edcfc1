"""The conjuncts of a LanceDB filter reach Lance cheapest first (``lance_filter.cheap_first``):
numbers and dates, then strings, then LIKE; the answer is DuckDB's whatever the order."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import lancedb
import pyarrow as pa

import federation as fed

QUERY = ("SELECT o.id FROM docs.orders AS o WHERE o.mode IN ('MAIL', 'SHIP') "
         "AND o.note LIKE '%x%' AND o.shipped < o.received AND o.received >= DATE '2020-03-01'")


def _orders() -> pa.Table:
    n = 3_000
    day = dt.date(2020, 1, 1)
    return pa.table({
        "id": pa.array(range(n), pa.int64()),
        "mode": pa.array([("MAIL", "SHIP", "AIR", None)[i % 4] for i in range(n)]),
        "note": pa.array([("ax", "b", "xx", None, "c")[i % 5] for i in range(n)]),
        "shipped": pa.array([day + dt.timedelta(days=i % 97) for i in range(n)]),
        "received": pa.array([None if i % 11 == 0 else day + dt.timedelta(days=i % 89)
                              for i in range(n)])})


def test_cheap_conjuncts_go_first_and_the_answer_is_duckdbs(tmp_path: Path) -> None:
    table = _orders()
    lancedb.connect(str(tmp_path / "lance")).create_table("orders", table)
    with fed.connect() as eng:
        eng.attach("docs", fed.LanceDB(tmp_path / "lance"))
        res = eng.query(QUERY)
        native = next(f.native for f in res.plan.fragments if f.source == "docs")
        got = sorted(r["id"] for r in res.to_pylist())
    dates, strings, like = ([native.index(text) for text in group] for group in (
        ("`received` >=", "`shipped` <"), ("`mode` IN",), ("`note` LIKE",)))
    assert max(dates) < min(strings) and max(strings) < min(like), native
    orders = table  # noqa: F841 — read by DuckDB's replacement scan below
    want = duckdb.sql(QUERY.replace("docs.orders", "orders")).fetchall()
    assert got == sorted(r[0] for r in want) and got
