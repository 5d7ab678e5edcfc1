"""The SQLite catalog's row counts (``sqlite_schema.table_rows``): sampled rowid windows over
the rowid span, not the largest rowid, so sparse keys are not over-counted."""

from __future__ import annotations

from pathlib import Path

import apsw
import pytest

from federation.sources import sqlite_schema


@pytest.mark.parametrize(("keys", "tolerance"), [
    (range(1, 200_001, 4), 0.01),  # one key in four, as TPC-H's orders
    (range(10, 50_000, 7), 0.02),
    (range(1, 300), 0.0),  # small: counted whole
    ([i * i for i in range(1, 3_000)], 0.0),  # ever sparser: too few sampled, counted
    # a dense cluster between two far-off keys: a window in the cluster must not scale up to
    # the whole span (the file's pages bound the rows), so it is counted
    ([-(2**40), *range(1, 6_000, 2), 2**50], 0.0),
])
def test_rows_of_sparse_rowid_tables(tmp_path: Path, keys: range | list[int],
                                     tolerance: float) -> None:
    con = apsw.Connection(str(tmp_path / "t.db"))
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    with con:
        con.executemany("INSERT INTO t VALUES (?, 'x')", ((k,) for k in keys))
    exact = len(keys)
    got = sqlite_schema.table_rows(con, "t")
    assert got is not None and abs(got - exact) <= tolerance * exact, (got, exact)
    assert got < max(keys) or exact == max(keys)


def test_rows_of_empty_tables_views_and_without_rowid(tmp_path: Path) -> None:
    con = apsw.Connection(str(tmp_path / "t.db"))
    con.execute("CREATE TABLE e (id INTEGER PRIMARY KEY); CREATE VIEW v AS SELECT 1 AS x; "
                "CREATE TABLE w (k TEXT PRIMARY KEY) WITHOUT ROWID")
    assert sqlite_schema.table_rows(con, "e") == 0
    assert sqlite_schema.table_rows(con, "v") is None
    assert sqlite_schema.table_rows(con, "w") is None
