"""Keys passed into a LanceDB scan whose key column is narrower than the keys (an int8 column
joined with BIGINT keys): a key out of the column's range matches no row there, and is no
error."""

from __future__ import annotations

from pathlib import Path

import apsw
import lancedb
import pyarrow as pa

import federation as fed

JOIN = ("SELECT count(*) AS n, sum(b.id) AS s FROM crm.small AS k JOIN docs.big AS b ON b.{} = k.a "
        "WHERE k.a > 0")


def test_keys_out_of_a_narrow_column_range_match_nothing(tmp_path: Path) -> None:
    n = 20_000
    big = pa.table({"id": pa.array(range(n), pa.int64()),
                    "k8": pa.array([i % 100 for i in range(n)], pa.int8()),
                    "u16": pa.array([i % 50 for i in range(n)], pa.uint16())})
    lancedb.connect(str(tmp_path / "lance")).create_table("big", big)
    con = apsw.Connection(str(tmp_path / "crm.db"))
    con.execute("CREATE TABLE small (a INTEGER)")
    con.executemany("INSERT INTO small VALUES (?)", [(5,), (300,), (2**40,), (-1,), (None,)])
    con.close()
    expected = {"k8": (n // 100, sum(range(5, n, 100))), "u16": (n // 50, sum(range(5, n, 50)))}
    with fed.connect(key_passing_rows=0) as eng:
        eng.attach("crm", fed.SQLite(tmp_path / "crm.db"))
        eng.attach("docs", fed.LanceDB(tmp_path / "lance"))
        for col, (count, total) in expected.items():
            res = eng.query(JOIN.format(col))
            assert res.to_pylist() == [{"n": count, "s": total}], col
            assert "passed keys" in next(f for f in res.plan.fragments
                                         if f.source == "docs").native
