"""A LanceDB scan whose filter is guessed to keep many rows decodes its columns with the
filter (``late_materialization=False``), marked ``.early()`` in EXPLAIN, but for wide columns
such as vectors, still taken afterwards; a selective one keeps Lance's default. Either way the
rows are DuckDB's, NULLs and several fragments included."""

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
        "price": pa.array([i * 0.25 for i in range(n)], pa.float64()),
        "vec": pa.array([[float(i), 1.0] for i in range(n)], pa.list_(pa.float32(), 2))})


@pytest.mark.parametrize(("condition", "columns", "tail"), [
    ("i.qty <= 40", "i.id, i.name, i.price", ".early()"),  # a range: guessed to keep a third
    ("i.qty <= 40 OR i.name LIKE '%9'", "i.id, i.name, i.price", ".early()"),
    ("i.qty <= 40", "i.id, i.vec", ".early(late=['vec'])"),  # a vector is still taken after
    ("i.qty = 7", "i.id, i.name, i.price", ""),  # an equality: a tenth
    ("i.qty >= 10 AND i.qty < 12", "i.id, i.vec", ""),  # two ranges: a ninth
])
def test_broad_filters_decode_early_and_answer_as_duckdb(tmp_path: Path, condition: str,
                                                         columns: str, tail: str) -> None:
    table = _items()
    db = lancedb.connect(str(tmp_path / "lance"))
    items = db.create_table("items", table.slice(0, 2_000))
    items.add(table.slice(2_000))  # a second fragment
    query = f"SELECT {columns} FROM shop.items AS i WHERE {condition} ORDER BY i.id"
    with fed.connect(cache_bytes=0) as eng:
        eng.attach("shop", fed.LanceDB(tmp_path / "lance"))
        res = eng.query(query)
        native = res.plan.fragments[0].native
        got = res.arrow()
    assert native.endswith(f"]){tail}"), native
    con = duckdb.connect()
    con.register("tbl", table)
    want = con.sql(query.replace("shop.items", "tbl")).to_arrow_table()
    assert got.num_rows > 0 and got.to_pylist() == want.to_pylist()
