"""Wrong answers of the SQLite source found by review, now regression tests:

* A column declared ``COLLATE NOCASE`` / ``RTRIM``: comparisons, sorts and min/max pushed into
  SQLite ran under that collation while DuckDB compares bytes; text columns are now written
  ``"t"."c" COLLATE BINARY`` in every pushed fragment.
* ``sum`` over an integer column pushed into SQLite raised "integer overflow" past 2**63,
  where DuckDB's HUGEINT sum answers; integer sums are no longer pushed.
* TEXT that is not valid UTF-8 raised a raw ``UnicodeDecodeError``; now a ``SourceError``.
* A REAL stored in an INTEGER column (1.5 has no integer form, so SQLite keeps it REAL) was read
  truncated to 1; it does not fit the declared type, so it is a ``SourceError`` like text there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import apsw
import duckdb
import pyarrow as pa
import pytest

import federation as fed

VALUES = ["abc", "ABC", "Abc", "abc ", "b", "B", "a", "Z", None]


@pytest.fixture()
def engine(tmp_path: Path) -> Iterator[fed.Engine]:
    con = apsw.Connection(str(tmp_path / "c.db"))
    with con:
        con.execute("CREATE TABLE c (id INTEGER, n TEXT COLLATE NOCASE, r TEXT COLLATE RTRIM, "
                    "big INTEGER)")
        con.executemany("INSERT INTO c VALUES (?, ?, ?, ?)",
                        [(i, v, v, 2**62) for i, v in enumerate(VALUES)])
    con.close()
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(tmp_path / "c.db"))
        yield eng


def _oracle(sql: str) -> list[tuple[object, ...]]:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA crm")
    con.register("x", pa.table({"id": list(range(len(VALUES))), "n": VALUES, "r": VALUES,
                                "big": [2**62] * len(VALUES)}))
    con.execute("CREATE TABLE crm.c AS SELECT * FROM x")
    return sorted(con.sql(sql).fetchall(), key=repr)


@pytest.mark.parametrize("sql", [
    "SELECT t.id FROM crm.c t WHERE t.n = 'abc'",
    "SELECT t.id FROM crm.c t WHERE t.r = 'abc'",
    "SELECT t.id, t.n FROM crm.c t ORDER BY t.n, t.id LIMIT 4",
    "SELECT min(t.n) AS a, max(t.n) AS b FROM crm.c t",
])
def test_collated_columns_compare_as_duckdb(engine: fed.Engine, sql: str) -> None:
    rows = [tuple(r.values()) for r in engine.query(sql).to_pylist()]
    assert sorted(rows, key=repr) == _oracle(sql)


def test_integer_sum_past_int64(engine: fed.Engine) -> None:
    sql = "SELECT sum(t.big) AS s FROM crm.c t"
    rows = [tuple(r.values()) for r in engine.query(sql).to_pylist()]
    assert rows == _oracle(sql)


def test_text_that_is_not_utf8_is_a_source_error(tmp_path: Path) -> None:
    con = apsw.Connection(str(tmp_path / "u.db"))
    con.execute("CREATE TABLE x (id INTEGER, v TEXT)")
    con.execute("INSERT INTO x VALUES (1, CAST(x'ff61' AS TEXT))")
    con.close()
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(tmp_path / "u.db"))
        with pytest.raises(fed.SourceError, match="UTF-8"):
            eng.query("SELECT t.id, t.v FROM crm.x t")


@pytest.mark.parametrize("rows", [3, 5000])  # apsw below the bulk threshold, ADBC above it
@pytest.mark.parametrize("where", [0, -1])  # the REAL in the first batch, or in the last
def test_a_real_in_an_integer_column_is_never_truncated(tmp_path: Path, rows: int,
                                                        where: int) -> None:
    con = apsw.Connection(str(tmp_path / "r.db"))
    values = list(range(rows))
    with con:
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER)")
        con.executemany("INSERT INTO t VALUES (?, ?)", [(n, v) for n, v in enumerate(values)])
        con.execute("UPDATE t SET i = 1.5 WHERE id = ?", (values[where],))
    con.close()
    with fed.connect() as eng:
        eng.attach("s", fed.SQLite(tmp_path / "r.db"))
        with pytest.raises(fed.SourceError, match="does not fit"):
            eng.query("SELECT t.i FROM s.t AS t")
        # rows without the REAL still read, and a comparison SQLite makes is DuckDB's
        assert eng.query("SELECT t.i FROM s.t AS t WHERE t.id <> $x",
                         {"x": values[where]}).arrow().num_rows == rows - 1
