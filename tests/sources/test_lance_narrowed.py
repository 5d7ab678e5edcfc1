"""A LanceDB scan that receives a few keys and whose other conjuncts read text columns is
read in two steps (``lance_read.NARROW_SHARE``): the keys' row ids, then those rows with the
rest of the filter. The rows are DuckDB's whichever way they were read: keys that keep few
rows (two steps), keys that keep many (the first step gives up: one scan), and a rest that
reads numbers only (one scan: nothing costly to decode)."""

from __future__ import annotations

from pathlib import Path

import apsw
import duckdb
import lancedb
import pyarrow as pa
import pytest

import federation as fed
from federation.sources import lance_compile, lance_read

N = 30_000


def _items() -> pa.Table:
    return pa.table({
        "id": pa.array(range(N), pa.int64()),
        "grp": pa.array([i % 3_000 for i in range(N)], pa.int64()),
        "mode": pa.array([None if i % 11 == 0 else ("AIR", "RAIL", "SHIP")[i % 3]
                          for i in range(N)]),
        "qty": pa.array([i % 50 for i in range(N)], pa.int64()),
        "note": pa.array([f"note {i}" if i % 5 else None for i in range(N)])})


QUERY = ("SELECT i.id, i.mode, i.qty FROM crm.picks AS p JOIN shop.items AS i "
         "ON i.grp = p.k WHERE p.k >= 0 AND {} ORDER BY i.id")


@pytest.mark.parametrize(("picks", "condition", "two_steps"), [
    (range(0, 3_000, 300), "i.mode = 'AIR' AND i.qty < 40", True),  # 10 keys: 100 rows
    (range(7, 3_000, 300), "(i.mode IN ('AIR', 'SHIP') OR i.note LIKE '%7') AND i.qty > 3",
     True),
    (range(0, 3_000, 5), "i.mode = 'RAIL'", True),  # 600 keys: 6 000 rows, over 1%
    (range(0, 3_000, 300), "i.qty < 40", False),  # numbers only
])
def test_keys_first_then_the_rest_answers_as_duckdb(tmp_path: Path, picks: range,
                                                   condition: str, two_steps: bool,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lance_compile, "NARROW_MIN_ROWS", N)  # these 30 000 rows are enough
    table = _items()
    db = lancedb.connect(str(tmp_path / "lance"))
    items = db.create_table("items", table.slice(0, 10_000))
    items.add(table.slice(10_000, 10_000))  # three fragments
    items.add(table.slice(20_000))
    con = apsw.Connection(str(tmp_path / "crm.db"))
    con.execute("CREATE TABLE picks (k INTEGER)")
    con.executemany("INSERT INTO picks VALUES (?)", [(k,) for k in picks])
    con.close()
    query = QUERY.format(condition)
    with fed.connect(cache_bytes=0, route="always-keys") as eng:
        eng.attach("crm", fed.SQLite(tmp_path / "crm.db"))
        eng.attach("shop", fed.LanceDB(tmp_path / "lance"))
        res = eng.query(query)
        got = res.arrow()
    native = next(f for f in res.plan.fragments if f.source == "shop").native
    assert "passed keys" in native or " IN (" in native, native
    assert ("narrowed(" in native) is two_steps, native
    duck = duckdb.connect()
    duck.register("items", table)
    duck.register("picks", pa.table({"k": pa.array(list(picks), pa.int64())}))
    want = duck.sql(query.replace("crm.picks", "picks").replace("shop.items", "items"))
    assert got.num_rows > 0 and got.to_pylist() == want.to_arrow_table().to_pylist()


def test_the_second_step_reads_only_the_keys_rows(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows the first step found are read by id, in chunks of ``NARROW_IDS``; past
    ``NARROW_SHARE`` of the table no id is read and the scan runs in one step."""
    monkeypatch.setattr(lance_read, "NARROW_IDS", 7)
    monkeypatch.setattr(lance_compile, "NARROW_MIN_ROWS", N)
    lancedb.connect(str(tmp_path / "lance")).create_table("items", _items())
    con = apsw.Connection(str(tmp_path / "crm.db"))
    con.execute("CREATE TABLE picks (k INTEGER)")
    con.executemany("INSERT INTO picks VALUES (?)", [(5,), (6,)])  # 20 rows
    con.close()
    seen: list[int] = []
    real = lance_read._rows_by_id

    def rows_by_id(ds, c, ids, token):  # type: ignore[no-untyped-def]
        seen.append(len(ids))
        return real(ds, c, ids, token)
    monkeypatch.setattr(lance_read, "_rows_by_id", rows_by_id)
    with fed.connect(cache_bytes=0, route="always-keys") as eng:
        eng.attach("crm", fed.SQLite(tmp_path / "crm.db"))
        eng.attach("shop", fed.LanceDB(tmp_path / "lance"))
        rows = eng.query(QUERY.format("i.mode <> 'SHIP'")).to_pylist()
        assert seen == [20]
        assert sorted(r["id"] for r in rows) == [i for i in range(N) if i % 3_000 in (5, 6)
                                                  and i % 11 and i % 3 != 2]
        monkeypatch.setattr(lance_read, "NARROW_SHARE", 10 / N)  # 20 rows are too many
        again = eng.query(QUERY.format("i.mode <> 'SHIP' AND i.qty >= 0")).to_pylist()
        assert seen == [20] and len(again) == len(rows)


def test_a_small_table_is_read_in_one_step(tmp_path: Path) -> None:
    """Under ``NARROW_MIN_ROWS`` the second scan call costs what decoding saves."""
    lancedb.connect(str(tmp_path / "lance")).create_table("items", _items())
    con = apsw.Connection(str(tmp_path / "crm.db"))
    con.execute("CREATE TABLE picks (k INTEGER)")
    con.executemany("INSERT INTO picks VALUES (?)", [(5,), (6,)])
    con.close()
    with fed.connect(cache_bytes=0, route="always-keys") as eng:
        eng.attach("crm", fed.SQLite(tmp_path / "crm.db"))
        eng.attach("shop", fed.LanceDB(tmp_path / "lance"))
        res = eng.query(QUERY.format("i.mode <> 'SHIP'"))
        assert [r["id"] for r in res.to_pylist()] == [
            i for i in range(N) if i % 3_000 in (5, 6) and i % 11 and i % 3 != 2]
    native = next(f for f in res.plan.fragments if f.source == "shop").native
    assert " IN (" in native and "narrowed(" not in native, native
