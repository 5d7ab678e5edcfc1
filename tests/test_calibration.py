"""Per-workspace calibration of cold-start priors (federation.calibration) and catalog
cardinalities (row counts refreshed when a source's data changes, distinct-key estimates):
measured once per source of a workspace, kept in stats.sqlite, reloaded at reopen, predicted
from; never a write to a source; never measured without a workspace."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import apsw
import lancedb
import pyarrow as pa
import pytest

import federation as fed
from federation import calibration
from federation.sources.kuzu import driver
from federation.stats import FILE_NAME
from planner.cost import Step, predict_step, prior_for

N = 20_000


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """20 000 rows in SQLite, LanceDB (with a vector column) and a Kuzu node table."""
    root = tmp_path_factory.mktemp("calibration")
    con = apsw.Connection(str(root / "crm.db"))
    con.execute("CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT UNIQUE, team TEXT)")
    with con:
        con.executemany("INSERT INTO agents VALUES (?, ?, ?)",
                        [(i, f"agent{i}", f"t{i % 7}") for i in range(N)])
    con.close()
    vectors = pa.FixedSizeListArray.from_arrays(
        pa.array([float(i % 5) for i in range(N * 4)], pa.float32()), 4)
    lancedb.connect(str(root / "lance")).create_table(
        "docs", pa.table({"vec": vectors, "id": pa.array(range(N), pa.int64())}))
    kuzu = driver()
    db = kuzu.Database(str(root / "g.kuzu"))
    graph = kuzu.Connection(db)
    graph.execute("CREATE NODE TABLE N(id INT64 PRIMARY KEY, w DOUBLE)")
    graph.execute("UNWIND range(0, $n - 1) AS i CREATE (:N {id: i, w: i * 0.5})", {"n": N})
    graph.close()
    db.close()
    return root


def _attach_all(eng: fed.Engine, root: Path) -> None:
    eng.attach("crm", fed.SQLite(root / "crm.db"))
    eng.attach("g", fed.Kuzu(root / "g.kuzu"))
    eng.attach("docs", fed.LanceDB(root / "lance"))


def _stored(workspace: Path) -> dict[str, tuple[object, ...]]:
    con = apsw.Connection(str(workspace / FILE_NAME))
    try:
        rows = con.execute("SELECT source, kind, location, base_s, per_1k_out_s, measured_at "
                           "FROM calibrations").fetchall()
    finally:
        con.close()
    return {str(r[0]): tuple(r[1:]) for r in rows}


def _fingerprint(path: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``path`` (or the file itself): its mtime and a digest of its bytes."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(f): (f.stat().st_mtime_ns, hashlib.sha256(f.read_bytes()).hexdigest())
            for f in files}


def test_calibrated_once_per_workspace_and_reloaded(root: Path, tmp_path: Path) -> None:
    with fed.connect(tmp_path) as eng:
        _attach_all(eng, root)
        first = _stored(tmp_path)
        assert set(first) == {"crm", "g", "docs"}
        assert {name: row[0] for name, row in first.items()} == \
            {"crm": "sqlite", "g": "kuzu", "docs": "lancedb"}
        assert first["crm"][1] == str((root / "crm.db").resolve())
        for name in first:
            prior = eng._stats.prior(name)
            assert prior is not None and prior.base_s > 0 and prior.per_1k_out_s >= 0
            assert (prior.base_s, prior.per_1k_out_s) == first[name][2:4]
    with fed.connect(tmp_path) as eng:  # reopened: loaded, not measured again
        _attach_all(eng, root)
        assert _stored(tmp_path) == first
        assert eng._stats.prior("crm") is not None
        assert eng._stats.prior("crm").base_s == first["crm"][2]  # type: ignore[union-attr]


def test_a_reopened_workspace_predicts_from_its_calibration(root: Path, tmp_path: Path
                                                            ) -> None:
    with fed.connect(tmp_path) as eng:
        eng.attach("crm", fed.SQLite(root / "crm.db"))
    stored = _stored(tmp_path)["crm"]
    with fed.connect(tmp_path) as eng:
        eng.attach("crm", fed.SQLite(root / "crm.db"))
        view = eng._stats.view(eng.catalog())
        estimate = predict_step(Step("crm", "0" * 16, rows_out=1000), view)
        assert estimate.basis == "calibrated crm"
        base, per_1k = stored[2], stored[3]
        assert isinstance(base, float) and isinstance(per_1k, float)
        assert estimate.seconds == pytest.approx(base + per_1k)
        # the snapshot says the same
        assert predict_step(Step("crm", "0" * 16, rows_out=1000),
                            eng._stats.snapshot(eng.catalog())) == estimate


def test_no_workspace_no_calibration(root: Path) -> None:
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(root / "crm.db"))
        assert eng._stats.prior("crm") is None
        estimate = predict_step(Step("crm", "0" * 16, rows_out=0), eng._stats.view(eng.catalog()))
        assert estimate.basis == "prior sqlite"
        assert estimate.seconds == pytest.approx(prior_for("sqlite").base_s)


def test_calibration_never_writes_to_a_source(root: Path, tmp_path: Path) -> None:
    paths = [root / "crm.db", root / "g.kuzu", root / "lance"]
    before = [_fingerprint(p) for p in paths]
    with fed.connect(tmp_path / "ws") as eng:
        _attach_all(eng, root)
        assert set(_stored(tmp_path / "ws")) == {"crm", "g", "docs"}
    assert [_fingerprint(p) for p in paths] == before


def test_the_same_name_on_another_file_is_measured_anew(root: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    con = apsw.Connection(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.execute("INSERT INTO t VALUES (1), (2)")
    con.close()
    with fed.connect(tmp_path / "ws") as eng:
        eng.attach("crm", fed.SQLite(root / "crm.db"))
        eng.detach("crm")
        eng.attach("crm", fed.SQLite(other))
    con = apsw.Connection(str(tmp_path / "ws" / FILE_NAME))
    locations = {r[0] for r in con.execute("SELECT location FROM calibrations").fetchall()}
    con.close()
    assert locations == {str((root / "crm.db").resolve()), str(other.resolve())}


def test_a_source_without_rows_is_not_calibrated(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    con = apsw.Connection(str(empty))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with fed.connect(tmp_path / "ws") as eng:
        eng.attach("e", fed.SQLite(empty))
        assert eng._stats.prior("e") is None
        assert _stored(tmp_path / "ws") == {}


def test_a_failed_calibration_never_fails_the_attach(tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    """A text value in an INTEGER column: reading it is a SourceError, logged; the source is
    attached and predicted from its kind's prior."""
    bad = tmp_path / "bad.db"
    con = apsw.Connection(str(bad))
    con.execute("CREATE TABLE t (y INTEGER, z TEXT)")  # calibration reads y
    con.execute("INSERT INTO t VALUES ('not a number', 'a')")
    con.close()
    with caplog.at_level(logging.WARNING, logger="federation.calibration"), \
            fed.connect(tmp_path / "ws") as eng:
        eng.attach("bad", fed.SQLite(bad))
        assert "bad" in eng.sources and eng._stats.prior("bad") is None
        assert eng.query("SELECT t.z FROM bad.t AS t").to_pylist() == [{"z": "a"}]
    assert any("cannot calibrate source bad" in r.getMessage() for r in caplog.records)


def test_prior_from_measurements() -> None:
    """Per row from the difference of the two reads; what is not measured is the kind's,
    scaled by how this source compares with it (bounded)."""
    sqlite = prior_for("sqlite")
    same = calibration.prior_from(calibration.Measured(
        sqlite.base_s, sqlite.base_s + sqlite.per_1k_out_s * 9.999, 10_000, 5), "sqlite")
    assert same.base_s == pytest.approx(sqlite.base_s)
    assert same.per_1k_out_s == pytest.approx(sqlite.per_1k_out_s)
    assert same.keyed_s == pytest.approx(sqlite.keyed_s)
    slow = calibration.prior_from(calibration.Measured(1.0, 2.0, 10_000, 5), "sqlite")
    assert slow.keyed_s == pytest.approx(sqlite.keyed_s * calibration.MAX_SCALE)
    few = calibration.prior_from(calibration.Measured(2 * sqlite.base_s, 1.0, 10, 5), "sqlite")
    assert few.per_1k_out_s == pytest.approx(2 * sqlite.per_1k_out_s)  # 10 rows: no slope


# ---- catalog cardinalities
def test_sqlite_row_counts_follow_another_connections_writes(tmp_path: Path) -> None:
    path = tmp_path / "grow.db"
    con = apsw.Connection(str(path))
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    con.executemany("INSERT INTO t VALUES (?, ?)", [(i, "x") for i in range(1, 101)])
    with fed.connect() as eng:
        eng.attach("s", fed.SQLite(path))
        assert eng.catalog()["s"].tables["t"].row_count == 100
        con.executemany("INSERT INTO t VALUES (?, ?)", [(i, "y") for i in range(101, 351)])
        view = eng._stats.view(eng.catalog())
        assert view.table_rows("s", "t") == 350
        assert view.distinct("s", "t", "id") == 350  # a primary key: as many as rows
        assert view.distinct("s", "t", "v") is None
        con.execute("DELETE FROM t WHERE id > 200")
        assert eng.catalog()["s"].tables["t"].row_count == 200
        # queried from another thread (another connection of the source) too
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(lambda: eng.catalog()["s"].tables["t"].row_count).result() \
                == 200
        con.execute("INSERT INTO t VALUES (500, 'z')")  # a gap: counted, not the span
        assert eng.catalog()["s"].tables["t"].row_count == 201
    con.close()


def test_distinct_keys_in_the_snapshot(root: Path) -> None:
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(root / "crm.db"))
        eng.attach("docs", fed.LanceDB(root / "lance"))
        snapshot = eng._stats.snapshot(eng.catalog())
        # SQLite's count is its largest rowid (ids from 0 here): a key has as many values
        rows = snapshot.table_rows("crm", "agents")
        assert rows == pytest.approx(N, abs=1)
        assert snapshot.distinct("crm", "agents", "id") == rows
        assert snapshot.distinct("crm", "agents", "name") == rows  # a unique index
        assert snapshot.distinct("crm", "agents", "team") is None
        assert snapshot.distinct("docs", "docs", "id") is None  # LanceDB: no key
        assert snapshot.table_rows("docs", "docs") == N


def test_kuzu_counts_follow_a_write_and_its_key_is_distinct(tmp_path: Path) -> None:
    kuzu = driver()
    db = kuzu.Database(str(tmp_path / "g.kuzu"))
    graph = kuzu.Connection(db)
    graph.execute("CREATE NODE TABLE P(id INT64 PRIMARY KEY, w DOUBLE)")
    graph.execute("CREATE REL TABLE K(FROM P TO P)")
    graph.execute("UNWIND range(1, 40) AS i CREATE (:P {id: i, w: 1.0})")
    graph.close()
    db.close()
    with fed.connect() as eng:
        source = fed.Kuzu(tmp_path / "g.kuzu")
        eng.attach("g", source)
        view = eng._stats.view(eng.catalog())
        assert (view.table_rows("g", "P"), view.table_rows("g", "K")) == (40, 0)
        assert view.distinct("g", "P", "id") == 40  # the primary key
        assert view.distinct("g", "P", "w") is None
        source.write("UNWIND range(41, 45) AS i CREATE (:P {id: i, w: 2.0})")
        source.write("MATCH (a:P), (b:P) WHERE b.id = a.id + 1 CREATE (a)-[:K]->(b)")
        view = eng._stats.view(eng.catalog())
        assert (view.table_rows("g", "P"), view.table_rows("g", "K")) == (45, 44)
        assert view.distinct("g", "P", "id") == 45


def test_a_join_guessed_cold_reads_rows_at_the_calibrated_speed(root: Path, tmp_path: Path
                                                                ) -> None:
    """A join's work (rows it reads, at the kind's speed) is scaled by how fast the
    calibration read this source's rows, like the rows it returns."""
    with fed.connect(tmp_path) as eng:
        eng.attach("crm", fed.SQLite(root / "crm.db"))
        view = eng._stats.view(eng.catalog())
        plain = predict_step(Step("crm", "0" * 16, rows_out=1000), view)
        joined = predict_step(Step("crm", "0" * 16, rows_out=1000, work_s=0.01), view)
    per_1k = _stored(tmp_path)["crm"][3]
    assert isinstance(per_1k, float)
    scale = per_1k / prior_for("sqlite").per_1k_out_s
    assert joined.seconds - plain.seconds == pytest.approx(0.01 * scale)
