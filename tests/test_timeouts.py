"""``connect(timeout=...)`` stops the work inside every source, not only the DuckDB stage, and
``max_rows`` stops reading once the result is past it.

Each slow query below would run for many seconds (the untimed SQLite and Kuzu ones for
minutes); with a 0.5 s timeout each must raise ``QueryTimeoutError`` within 0.2 s after the
deadline (DESIGN §7). ``SLACK`` is added for a loaded 2-core CI machine (the measured
overshoot is 1-50 ms), and the engine must answer the next query at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import apsw
import lance
import pyarrow as pa
import pytest

import federation as fed
from tests.dense_graph import build_dense_graph

TIMEOUT = 0.5
BOUND = 0.2  # DESIGN §7 / issue 7: control returns within this after the deadline
SLACK = 0.15  # scheduling noise on a shared 2-core machine, not part of the bound
SIDE = 2000  # rows of the SQLite table; the view crosses it with itself three times

SLOW = {
    # 8e9 rows produced inside SQLite (a view of a triple cross join), none kept
    "sqlite": "SELECT v.x FROM s.slow v WHERE v.x + v.y + v.z = -5",
    # a count over the same view, pushed into SQLite as a global aggregate
    "sqlite_count": "SELECT count(*) AS n FROM s.slow v",
    # walks of up to 8 hops on a dense graph (6,600 edges over 200 nodes) inside Kuzu
    "kuzu": "SELECT count(*) AS n FROM MATCH g (a:N)-[:R*1..8]->(b:N)",
    # a filter matching nothing over 20,000 Lance fragments (about 3 s): a Lance reader
    # returns no batch until the whole table was read
    "lancedb": "SELECT b.id FROM docs.scattered b WHERE b.s LIKE '%zz%q%'",
    # the same scan streamed into the DuckDB stage
    "lancedb_streamed": "SELECT count(*) AS n FROM docs.scattered b WHERE b.s LIKE '%zz%q%'",
    # a cross-source join with a condition DuckDB cannot hash: 2e9 pairs in the stage
    "duckdb": "SELECT count(*) AS n FROM s.t a JOIN docs.big b ON a.x + b.id < 0",
}


def build(folder: Path) -> None:
    con = apsw.Connection(str(folder / "s.db"))
    con.execute("CREATE TABLE t(x INTEGER)")
    with con:
        con.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(SIDE)])
    con.execute("CREATE VIEW slow AS SELECT a.x AS x, b.x AS y, c.x AS z FROM t a, t b, t c")
    con.close()
    build_dense_graph(folder / "g.kuzu")
    rows = 1_000_000
    table = pa.table({"id": pa.array(range(rows), pa.int64()),
                      "s": pa.array([f"row {i} of the big table" for i in range(rows)])})
    lance.write_dataset(table, str(folder / "lance" / "big.lance"), max_rows_per_file=500,
                        max_rows_per_group=500)
    # read through pylance, 2,000 fragments of 1 M rows take 0.3-0.5 s: no longer slow; the
    # time of a scan is mostly per fragment, so this one has 20 rows per fragment
    lance.write_dataset(table.slice(0, 400_000), str(folder / "lance" / "scattered.lance"),
                        max_rows_per_file=20, max_rows_per_group=20)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("slow")
    build(path)
    return path


@pytest.fixture()
def eng(folder: Path) -> Iterator[fed.Engine]:
    engine = fed.connect(timeout=TIMEOUT)
    engine.attach("s", fed.SQLite(folder / "s.db"))
    engine.attach("g", fed.Kuzu(folder / "g.kuzu"))
    engine.attach("docs", fed.LanceDB(folder / "lance"))
    yield engine
    engine.close()


def still_usable(eng: fed.Engine) -> None:
    """Every source answers (under a timeout the full Lance scan fits in)."""
    timeout, eng.timeout = eng.timeout, 30
    try:
        assert eng.query("SELECT t.x FROM s.t t WHERE t.x = 3").to_pylist() == [{"x": 3}]
        assert eng.query("SELECT a.id FROM MATCH g (a:N) WHERE a.id = 7").to_pylist() == \
            [{"id": 7}]
        assert eng.query("SELECT b.id FROM docs.big b WHERE b.id = 11").to_pylist() == \
            [{"id": 11}]
    finally:
        eng.timeout = timeout


@pytest.mark.parametrize("name", list(SLOW))
def test_a_slow_fragment_stops_at_the_deadline(eng: fed.Engine, name: str) -> None:
    start = time.perf_counter()
    with pytest.raises(fed.QueryTimeoutError, match=r"0\.5 s"):
        eng.query(SLOW[name])
    elapsed = time.perf_counter() - start
    assert elapsed + 0.01 >= TIMEOUT
    assert elapsed <= TIMEOUT + BOUND + SLACK, f"{name}: {elapsed:.3f} s"
    still_usable(eng)


def test_the_work_stops_too(eng: fed.Engine) -> None:
    """Not only control: the interrupted Kuzu and SQLite calls are over, so the same
    connections answer at once (a call still running would hold them for minutes)."""
    for name in ("kuzu", "sqlite"):
        with pytest.raises(fed.QueryTimeoutError):
            eng.query(SLOW[name])
    eng.timeout = None
    start = time.perf_counter()
    assert eng.query("SELECT t.x FROM s.t t WHERE t.x = 3").to_pylist() == [{"x": 3}]
    assert eng.query("SELECT a.id FROM MATCH g (a:N) WHERE a.id = 7").to_pylist() == \
        [{"id": 7}]
    assert time.perf_counter() - start < 1


def test_timeout_is_checked_at_connect() -> None:
    for bad in (0, -1, "1", True):
        with pytest.raises(fed.ConfigurationError):
            fed.connect(timeout=bad)


def test_max_rows_stops_reading(folder: Path) -> None:
    """Results of billions of rows: the cap is found after a few batches, not after
    reading them all."""
    with fed.connect(max_rows=10) as eng:
        eng.attach("s", fed.SQLite(folder / "s.db"))
        eng.attach("docs", fed.LanceDB(folder / "lance"))
        for text in ("SELECT v.x, v.y FROM s.slow v",  # one fragment: read 11 rows at most
                     "SELECT a.x, b.id FROM s.t a JOIN docs.big b ON a.x + b.id > 0"):
            start = time.perf_counter()
            with pytest.raises(fed.ResourceLimitError, match="at most 10"):
                eng.query(text)
            assert time.perf_counter() - start < 3, text
        assert len(eng.query("SELECT v.x FROM s.slow v LIMIT 10")) == 10
        assert len(eng.query("SELECT t.x FROM s.t t WHERE t.x < 10")) == 10
