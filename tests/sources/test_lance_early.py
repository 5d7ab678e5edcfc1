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


@pytest.mark.parametrize(("tag", "keys", "tail"), [
    ("few", 5, ""),  # 5 keys of 5 000 rows: Lance's default, the other columns taken after
    ("many", 2_000, ".early()"),  # guessed to keep every row: decoded with the filter
])
def test_passed_keys_are_guessed_by_their_number(tmp_path: Path, tag: str, keys: int,
                                                 tail: str) -> None:
    """A scan given passed keys is guessed to keep ``ROWS_PER_KEY`` rows a key, not a third
    of the table: the demo's graph-constrained search decoded the text of all 200 000 notes
    for its 7 task keys (22 against 6 ms)."""
    import apsw

    table = _items()
    lancedb.connect(str(tmp_path / "lance")).create_table("items", table)
    con = apsw.Connection(str(tmp_path / "crm.db"))
    con.execute("CREATE TABLE picks (id INTEGER PRIMARY KEY, tag TEXT)")
    con.executemany("INSERT INTO picks VALUES (?, ?)",
                    [(i * 3, "few" if i < 5 else "many") for i in range(5 + 2_000)])
    con.close()
    query = ("SELECT i.id, i.name FROM crm.picks AS p JOIN shop.items AS i ON i.id = p.id "
             "WHERE p.tag = $tag ORDER BY i.id")
    with fed.connect(cache_bytes=0, key_passing_rows=0) as eng:
        eng.attach("crm", fed.SQLite(tmp_path / "crm.db"))
        eng.attach("shop", fed.LanceDB(tmp_path / "lance"))
        res = eng.query(query, {"tag": tag})
        lance = next(f for f in res.plan.fragments if f.source == "shop")
        got = res.to_pylist()
    assert any(n.startswith("applied") and n.endswith(f"({keys} keys)")
               for n in res.plan.notes), res.plan.notes
    assert lance.native.endswith(f"]){tail}"), lance.native
    ids = [i * 3 for i in range(5 + 2_000)][:5] if tag == "few" else \
        [i * 3 for i in range(5, 5 + 2_000) if i * 3 < 5_000]
    want = [{"id": i, "name": table["name"][i].as_py()} for i in sorted(ids)]
    assert got == want
