"""The two SQLite readers (apsw and ADBC) give identical Arrow tables of the declared types.

Fragments are written by hand here so that every storage-class mix SQLite allows reaches the
readers, including mixes that start after ADBC's first batch (``BATCH_ROWS`` rows).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import apsw
import pyarrow as pa
import pytest
from adbc_driver_sqlite import dbapi

import federation as fed
from federation.errors import SourceError
from federation.sources import sqlite_read as rd
from federation.sources.base import CompiledFragment
from planner.expressions import ColumnRef, Const, Func
from planner.logical import Scan, TableAccess

N = 2 * rd.BATCH_ROWS + 500  # three ADBC batches
LATE = rd.BATCH_ROWS + 100  # a row of the second batch
TYPES = {"i": pa.int64(), "r": pa.float64(), "s": pa.string(), "d": pa.date32(),
         "ts": pa.timestamp("us"), "b": pa.bool_(), "bl": pa.binary(), "a": pa.string(),
         "num": pa.float64(), "late_d": pa.date32(), "late_s": pa.string(),
         "late_r": pa.float64(), "nul": pa.string(), "num_late": pa.float64()}


def _row(k: int) -> tuple[object, ...]:
    late = k >= LATE
    typeless: object = (k, k / 4, f"t{k}", b"\x00z")[k % 4]  # every class, typed as string
    return (k, k * 10 if k % 5 else None, k / 3 if k % 6 else None,
            None if k % 7 == 0 else f"name {k} é" + ("%_" if k % 13 == 0 else ""),
            None if k % 8 == 0 else (dt.date(2020, 1, 1) + dt.timedelta(days=k % 900)).isoformat(),
            None if k % 9 == 0 else f"2021-02-03 04:05:{k % 60:02d}" + (".25" if k % 2 else ""),
            None if k % 10 == 0 else k % 2, None if k % 11 == 0 else bytes([k % 256, 0]),
            typeless, k if k % 2 else k + 0.5,  # NUMERIC affinity: integers and reals
            "2022-05-06" if late else None, f"s{k}" if late else None,
            k + 0.25 if late else None, None, k + 0.5 if late else k)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("read") / "read.db"
    con = apsw.Connection(str(path))
    con.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT, d DATE, "
                "ts TIMESTAMP, b BOOLEAN, bl BLOB, a, num NUMERIC, late_d DATE, late_s TEXT, "
                "late_r REAL, nul VARCHAR(3), num_late DECIMAL(10, 2));"
                "CREATE TABLE bad (k INTEGER PRIMARY KEY, i INTEGER);"
                "CREATE TABLE small (k INTEGER PRIMARY KEY, s TEXT)")
    with con:
        con.executemany(f"INSERT INTO t VALUES ({', '.join('?' * 15)})", map(_row, range(N)))
        con.executemany("INSERT INTO bad VALUES (?, ?)",
                        [(k, "text" if k == LATE else k) for k in range(N)])
        con.executemany("INSERT INTO small VALUES (?, ?)", [(1, "Abc"), (2, "abc"), (3, None)])
    con.close()
    return path


@pytest.fixture(scope="module")
def readers(db: Path) -> Iterator[dict[str, fed.SQLite]]:
    sources = {p: fed.SQLite(db, read_path=p) for p in ("apsw", "adbc")}
    for name, source in sources.items():
        source.open(name)
    yield sources
    for source in sources.values():
        source.close()


def fragment(sql: str, names: list[str], params: tuple[object, ...] = (),
             table: str = "t") -> CompiledFragment:
    schema = tuple(ColumnRef(table, n, TYPES.get(n, pa.int64())) for n in names)
    return CompiledFragment("src", "sqlite", sql, params, schema)


CASES = {
    "all_families": ("SELECT k, i, r, s, d, ts, b, bl, a, num FROM t",
                     ["k", "i", "r", "s", "d", "ts", "b", "bl", "a", "num"], ()),
    "late_values": ("SELECT k, late_d, late_s, late_r, nul, num_late FROM t",
                    ["k", "late_d", "late_s", "late_r", "nul", "num_late"], ()),
    "integral_floats": ("SELECT k, num_late FROM t WHERE k < ?", ["k", "num_late"], (LATE,)),
    "null_only": ("SELECT nul, late_d FROM t WHERE k < 10", ["nul", "late_d"], ()),
    "empty": ("SELECT k, r, s, d, ts, b, bl, a FROM t WHERE k < 0",
              ["k", "r", "s", "d", "ts", "b", "bl", "a"], ()),
    "like": ("SELECT k, s FROM t WHERE s LIKE ? OR s LIKE ?", ["k", "s"], ("name 1%", "%\\%_%")),
    "like_case": ("SELECT k, s FROM small WHERE s LIKE ?", ["k", "s"], ("A%",)),
    "ordered": ("SELECT k, s FROM t ORDER BY s DESC, k LIMIT ?", ["k", "s"], (5000,)),
    "params": ("SELECT k, s FROM t WHERE i = ? OR r > ? OR s = ? OR bl = ? OR b = ? OR a IS ?",
               ["k", "s"], (50, 5000.5, "name 2 é", b"\x03\x00", True, None)),
    "dates": ("SELECT k, d, ts FROM t WHERE d >= ? AND ts < ?", ["k", "d", "ts"],
              ("2021-06-01", "2021-02-03 04:05:30")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_both_readers_agree(readers: dict[str, fed.SQLite], case: str) -> None:
    sql, names, params = CASES[case]
    table = "small" if case == "like_case" else "t"
    compiled = fragment(sql, names, params, table)
    got = {p: s.execute(compiled) for p, s in readers.items()}
    expected = pa.schema([pa.field(f"{table}.{n}", TYPES.get(n, pa.int64())) for n in names])
    assert got["apsw"].schema == expected
    assert got["adbc"].equals(got["apsw"]), case
    assert readers["adbc"]._bulk.table(compiled).equals(got["apsw"])  # no fallback to apsw
    streamed = readers["adbc"].execute_batches(compiled)
    assert streamed.schema == expected
    assert streamed.read_all().equals(got["apsw"])


def test_order_survives_the_text_cast(readers: dict[str, fed.SQLite]) -> None:
    """The string cast wraps the fragment in a CTE: its ORDER BY … LIMIT still holds."""
    sql, names, params = CASES["ordered"]
    for source in readers.values():
        rows = [(r["t.s"], r["t.k"]) for r in source.execute(fragment(sql, names, params)
                                                             ).to_pylist()]
        present = [r for r in rows if r[0] is not None]
        assert present == sorted(present, key=lambda r: (r[0], -r[1]), reverse=True)
        assert len(rows) == 5000


def test_values_are_sqlites_own(readers: dict[str, fed.SQLite]) -> None:
    """A typeless column reads as SQLite's text of each value; a bool as 0/1 → false/true."""
    compiled = fragment("SELECT k, a, b, num FROM t WHERE k < 4", ["k", "a", "b", "num"])
    rows = readers["adbc"].execute(compiled).to_pylist()
    assert [r["t.a"] for r in rows] == ["0", "0.25", "t2", "\x00z"]
    assert [r["t.b"] for r in rows] == [None, True, False, True]
    assert [r["t.num"] for r in rows] == [0.5, 1.0, 2.5, 3.0]


def test_a_value_that_does_not_fit_fails_on_both(readers: dict[str, fed.SQLite]) -> None:
    compiled = fragment("SELECT k, i FROM bad", ["k", "i"], table="bad")
    for source in readers.values():
        with pytest.raises(SourceError, match="does not fit"):
            source.execute(compiled)


def test_a_late_value_that_does_not_fit_fails_the_stream(readers: dict[str, fed.SQLite]
                                                          ) -> None:
    stream = readers["adbc"].execute_batches(fragment("SELECT k, i FROM bad", ["k", "i"],
                                                      table="bad"))
    with pytest.raises(SourceError, match="does not fit"):
        stream.read_all()


def test_adbc_reader_is_read_only_and_current(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    writer = apsw.Connection(str(path))
    writer.execute("CREATE TABLE w (k INTEGER PRIMARY KEY)")
    source = fed.SQLite(path, read_path="adbc")
    source.open("w")
    count = CompiledFragment("w", "sqlite", "SELECT count(*) FROM w", (),
                             (ColumnRef("w", "n", pa.int64()),))
    try:
        assert source.execute(count).column(0).to_pylist() == [0]
        writer.execute("INSERT INTO w VALUES (1)")  # another connection commits
        assert source.execute(count).column(0).to_pylist() == [1]
        with pytest.raises(dbapi.Error, match="readonly"):
            source._bulk.reader().batches("INSERT INTO w VALUES (2)", ())
        assert source.execute(count).column(0).to_pylist() == [1]
        counts: list[int] = []
        threads = [threading.Thread(target=lambda: counts.append(
            source.execute(count).column(0)[0].as_py())) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert counts == [1] * 4
    finally:
        source.close()
        writer.close()


def test_auto_picks_adbc_for_bulk_fragments(readers: dict[str, fed.SQLite], db: Path) -> None:
    k = ColumnRef("t", "k", pa.int64())
    scan = Scan("src", (TableAccess("t", "t"),), (k,))
    source = fed.SQLite(db)
    source.open("src")
    try:
        bulk = source.compile(scan, {})
        assert bulk.estimated_rows is not None and bulk.estimated_rows >= rd.ADBC_MIN_ROWS
        assert source._use_adbc(bulk)
        lookup = source.compile(Scan("src", (TableAccess("t", "t"),), (k,), filters=(
            Func("eq", (k, Const(5, pa.int64())), pa.bool_()),), limit=10), {})
        assert lookup.estimated_rows is not None and lookup.estimated_rows <= 10
        assert not source._use_adbc(lookup)
        assert source.execute(bulk).num_rows == N
    finally:
        source.close()


def test_read_path_is_checked(db: Path) -> None:
    with pytest.raises(fed.ConfigurationError):
        fed.SQLite(db, read_path="fast")


@pytest.mark.parametrize(("case", "streams"), [("all_families", True), ("ordered", True),
                                                ("late_values", False), ("integral_floats", False)])
def test_stream_only_when_later_batches_must_fit(readers: dict[str, fed.SQLite], case: str,
                                                 streams: bool) -> None:
    """A first batch that cannot promise the type of later ones makes the read whole."""
    sql, names, params = CASES[case]
    reader = readers["adbc"]._adbc_stream(fragment(sql, names, params))
    assert (reader is not None) == streams
    if reader is not None:
        assert reader.read_all().num_rows > 0


def test_a_table_named_like_the_wrapper(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    con = apsw.Connection(str(path))
    con.execute('CREATE TABLE "_fed_q" (s TEXT); INSERT INTO "_fed_q" VALUES (\'x\'), (5)')
    con.close()
    compiled = CompiledFragment("q", "sqlite", 'SELECT s FROM "_fed_q"', (),
                                (ColumnRef("_fed_q", "s", pa.string()),))
    for read_path in ("apsw", "adbc"):
        source = fed.SQLite(path, read_path=read_path)
        source.open("q")
        try:
            assert source.execute(compiled).column(0).to_pylist() == ["x", "5"]
        finally:
            source.close()


_BULK_IN_A_NEW_PROCESS = """
import json, sys
import federation as fed
src = fed.SQLite(sys.argv[1], read_path="adbc")
src.open("crm")
eng = fed.connect()
eng.attach("crm", src)
rows = eng.query("SELECT t.k FROM crm.t AS t WHERE t.k >= $lo", {"lo": 10}).arrow().num_rows
print(json.dumps({"rows": rows, "loaded": sorted(m for m in ("adbc_driver_manager.dbapi",
                                                              "polars") if m in sys.modules)}))
"""


def test_a_bulk_read_loads_no_dataframe_library(db: Path) -> None:
    """ADBC's DB-API module imports polars when it is installed (~30 MB resident for a
    binding never used): the bulk path drives the driver's statements directly, its values
    bound as they were (one Arrow row)."""
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _BULK_IN_A_NEW_PROCESS, str(db)],
                          capture_output=True, text=True, timeout=120, check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out == {"rows": N - 10, "loaded": []}
