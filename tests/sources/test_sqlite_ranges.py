"""Bulk single-table SQLite reads split into rowid ranges read in parallel: the same rows as
one statement, whatever the rowids (gaps, negatives, rows added after planning), and key
lookups estimated as one row (so they stay on apsw)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import apsw
import pyarrow as pa
import pytest

import federation as fed
from federation.sources import sqlite_ranges as rr
from federation.sources import sqlite_read as rd

ROWS = 6_000


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(rr, "MIN_ROWS", 1_000)  # split small tables too, so tests stay fast
    monkeypatch.setattr(rd, "ADBC_MIN_ROWS", 1_000)
    path = tmp_path / "r.db"
    con = apsw.Connection(str(path))
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, v REAL, d DATE)")
    ids = [-(2**40), *range(1, ROWS, 2), 2**50]  # gaps, a negative and a huge rowid
    with con:
        con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)",
                        [(i, f"n{i % 97}", i * 0.5, "2024-01-02") for i in ids])
    con.execute("CREATE TABLE w (k TEXT PRIMARY KEY, x INTEGER) WITHOUT ROWID")
    with con:  # one transaction: 6 000 commits took ~7 s per test
        con.executemany("INSERT INTO w VALUES (?, ?)", [(f"k{i}", i) for i in range(ROWS)])
    con.execute("CREATE VIEW v AS SELECT id, name FROM t")
    con.close()
    return path


@pytest.fixture()
def engines(db: Path) -> Iterator[tuple[fed.Engine, fed.Engine]]:
    with fed.connect() as split, fed.connect() as whole:
        split.attach("s", fed.SQLite(db))
        whole.attach("s", fed.SQLite(db, read_path="apsw"))
        yield split, whole


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by([(table.column_names[0], "ascending")])


@pytest.mark.parametrize(("text", "split_read"), [
    ("SELECT t.id, t.name, t.v, t.d FROM s.t AS t", True),
    ("SELECT t.id, t.v FROM s.t AS t WHERE t.name LIKE 'n1%' OR t.v > 1000", True),
    ("SELECT t.id FROM s.t AS t WHERE t.name > 'n1' AND t.v > 9 AND t.v < 900", False),
    ("SELECT v.id, v.name FROM s.v AS v", False),  # a view has no rowid
    ("SELECT w.k, w.x FROM s.w AS w", False),  # nor has a WITHOUT ROWID table
])
def test_ranges_read_the_same_rows(engines: tuple[fed.Engine, fed.Engine], text: str,
                                   split_read: bool) -> None:
    split, whole = engines
    res = split.query(text)
    assert _sorted(res.arrow()) == _sorted(whole.query(text).arrow())
    assert ("rowid ranges" in res.plan.fragments[0].native) is split_read


@pytest.mark.parametrize(("likes", "split_read"), [(0, False), (1, True), (2, True)])
def test_a_like_on_every_row_is_work_enough_to_split(
        engines: tuple[fed.Engine, fed.Engine], monkeypatch: pytest.MonkeyPatch,
        likes: int, split_read: bool) -> None:
    """Few rows out, but each LIKE matched on each of the table's ~3 000 rows costs more
    than reading them: over ``MIN_ROWS`` of work with one LIKE, not without."""
    monkeypatch.setattr(rr, "MIN_ROWS", 5_000)
    conditions = ["t.v > 9", "t.v < 900", "t.name NOT LIKE '%1%'", "t.name LIKE 'n%'"]
    text = "SELECT t.id FROM s.t AS t WHERE " + " AND ".join(conditions[:2 + likes])
    split, whole = engines
    res = split.query(text)
    assert _sorted(res.arrow()) == _sorted(whole.query(text).arrow())
    assert res.arrow().num_rows > 0
    assert ("rowid ranges" in res.plan.fragments[0].native) is split_read


def test_rows_added_after_planning_are_read(engines: tuple[fed.Engine, fed.Engine],
                                            db: Path) -> None:
    split, _ = engines
    text = "SELECT count(*) AS n FROM (SELECT t.id FROM s.t AS t) AS x"
    before = split.query(text).to_pylist()[0]["n"]
    con = apsw.Connection(str(db))
    con.execute("INSERT INTO t VALUES (?, 'late', 1.0, '2024-01-03')", (2**60,))
    con.close()
    assert split.query(text).to_pylist()[0]["n"] == before + 1


def test_a_commit_during_the_read_falls_back_to_one_statement(db: Path) -> None:
    source = fed.SQLite(db)
    source.open("s")
    try:
        compiled = rr.SqliteFragment("s", "sqlite", "", (), (), ranged="x", ranges=((0, 1),))
        versions = iter([1, 2])
        assert rr.read_in_ranges(compiled, lambda sql, params: pa.table({}),
                                 lambda jobs: [j() for j in jobs],
                                 lambda: next(versions)) is None
    finally:
        source.close()


def test_key_lookups_are_estimated_as_one_row(engines: tuple[fed.Engine, fed.Engine]) -> None:
    split, _ = engines
    res = split.query("SELECT t.name FROM s.t AS t WHERE t.id = $id", {"id": 5})
    assert res.to_pylist() == [{"name": "n5"}]
    assert "rowid ranges" not in res.plan.fragments[0].native
    catalog = split.catalog()["s"]
    assert catalog.tables["t"].unique == ("id",)
    assert catalog.tables["w"].unique == ("k",)
    assert catalog.tables["t"].row_count is not None


def test_a_column_named_rowid_is_read_whole(db: Path) -> None:
    """``rowid`` then names the column (NULLs here): ranges over it would drop rows."""
    con = apsw.Connection(str(db))
    with con:
        con.execute("CREATE TABLE r (rowid INTEGER, k INTEGER)")
        con.executemany("INSERT INTO r VALUES (?, ?)",
                        [(None if k % 5 == 0 else k, k) for k in range(ROWS)])
    con.close()
    with fed.connect() as eng:
        eng.attach("s", fed.SQLite(db, read_path="adbc"))
        res = eng.query("SELECT r.k FROM s.r AS r")
        assert res.arrow().num_rows == ROWS
        assert "rowid ranges" not in res.plan.fragments[0].native
