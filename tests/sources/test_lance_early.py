"""A LanceDB scan whose filter is guessed to keep many rows decodes its columns with the
filter (``late_materialization=False``), marked ``.early()`` in EXPLAIN; a selective one keeps
Lance's default. Either way the rows are DuckDB's, NULLs and several fragments included."""

from __future__ import annotations

from pathlib import Path

import duckdb
import lancedb
import pyarrow as pa
import pytest

import federation as fed


def _items() -> pa.Table:
    n = 5_000
    return pa.table({
        "id": pa.array(range(n), pa.int64()),
        "qty": pa.array([None if i % 13 == 0 else i % 50 for i in range(n)], pa.int64()),
        "name": pa.array([None if i % 7 == 0 else f"item {i}" for i in range(n)]),
        "price": pa.array([i * 0.25 for i in range(n)], pa.float64())})


@pytest.mark.parametrize(("condition", "early"), [
    ("i.qty <= 40", True),  # a range: guessed to keep a third
    ("i.qty <= 40 OR i.name LIKE '%9'", True),
    ("i.qty = 7", False),  # an equality: a tenth
    ("i.qty >= 10 AND i.qty < 12", False),  # two ranges: a ninth
])
def test_broad_filters_decode_early_and_answer_as_duckdb(tmp_path: Path, condition: str,
                                                         early: bool) -> None:
    table = _items()
    db = lancedb.connect(str(tmp_path / "lance"))
    items = db.create_table("items", table.slice(0, 2_000))
    items.add(table.slice(2_000))  # a second fragment
    query = f"SELECT i.id, i.name, i.price FROM shop.items AS i WHERE {condition}"
    with fed.connect(cache_bytes=0) as eng:
        eng.attach("shop", fed.LanceDB(tmp_path / "lance"))
        res = eng.query(query)
        native = res.plan.fragments[0].native
        got = sorted(res.to_pylist(), key=lambda r: r["id"])
    assert native.endswith(".early()") is early, native
    con = duckdb.connect()
    con.register("tbl", table)
    rows = con.sql(query.replace("shop.items", "tbl")).fetchall()
    assert got == [{"id": r[0], "name": r[1], "price": r[2]} for r in sorted(rows)] and got
