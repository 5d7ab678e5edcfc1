"""Reads never write or lock a source (issue 7, item 12): every file of a source is
byte-identical after a read-only workload, another process can read a Kuzu graph while the
engine has it attached, a source deleted while attached is ``SourceUnavailableError`` (never
recreated empty), and DuckDB spills into a private directory removed at close."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import lancedb
import pyarrow as pa
import pytest

import federation as fed
from federation.sources.kuzu_db import driver

SHM_HEADER = 136  # the -shm's header and read marks: every WAL reader writes them


def _digests(root: Path) -> dict[str, str]:
    """Every file under ``root`` (or ``root`` itself) by relative path → its SHA-256."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root.parent)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files}


def _sqlite_workload(path: Path, **options: object) -> list[dict[str, object]]:
    with fed.connect() as eng:
        eng.attach("s", fed.SQLite(path, **options))  # type: ignore[arg-type]
        rows = eng.query("SELECT t.a, t.b FROM s.t t WHERE t.a < 10 ORDER BY t.a").to_pylist()
        count = eng.query("SELECT count(*) AS n FROM s.t t").to_pylist()
        done: list[object] = []
        worker = threading.Thread(  # another thread: its own connection, closed with eng
            target=lambda: done.append(eng.query("SELECT t.b FROM s.t t").arrow().num_rows))
        worker.start()
        worker.join()
        assert done == [count[0]["n"]]
    return rows + count


def _make_table(con: sqlite3.Connection, rows: int = 3000) -> None:
    con.execute("CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)")
    con.executemany("INSERT INTO t VALUES (?, ?)", [(i, f"v{i}") for i in range(rows)])
    con.commit()


@pytest.mark.parametrize("read_path", ["apsw", "adbc"])
def test_sqlite_wal_file_with_frames_is_left_as_it_was(tmp_path: Path, read_path: str) -> None:
    """A WAL database whose writer died before a checkpoint: the frames stay in the -wal.
    A read-write connection checkpoints them into the file and deletes the -wal when it
    closes; the engine's connections are read-only and must not."""
    path = tmp_path / "wal.db"
    script = (
        "import os, sqlite3, sys\n"
        "con = sqlite3.connect(sys.argv[1])\n"
        "con.execute('PRAGMA journal_mode=WAL'); con.execute('PRAGMA wal_autocheckpoint=0')\n"
        "con.execute('CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)')\n"
        "con.executemany('INSERT INTO t VALUES (?, ?)', [(i, f'v{i}') for i in range(3000)])\n"
        "con.commit()\n"
        "os._exit(0)  # no close: no checkpoint\n")
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    assert wal.stat().st_size > 0 and shm.exists()
    before = {p: p.read_bytes() for p in (path, wal, shm)}

    rows = _sqlite_workload(path, read_path=read_path)

    assert rows[0] == {"a": 0, "b": "v0"} and rows[-1] == {"n": 3000}
    assert path.read_bytes() == before[path]
    assert wal.read_bytes() == before[wal]
    # the WAL index: readers record their read marks (and rebuild the header after a crash)
    # in the shared-memory file; its hash tables, the index itself, stay as they were
    after_shm = shm.read_bytes()
    assert len(after_shm) == len(before[shm])
    assert after_shm[SHM_HEADER:] == before[shm][SHM_HEADER:]


def test_sqlite_rollback_journal_file_is_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    con = sqlite3.connect(path)
    _make_table(con)
    con.close()
    before = _digests(tmp_path)

    _sqlite_workload(path)
    _sqlite_workload(path, read_path="adbc")

    assert _digests(tmp_path) == before  # no file changed, none added or removed


def test_sqlite_hot_journal_is_left_for_a_writer_to_roll_back(tmp_path: Path) -> None:
    """A writer that died mid-transaction leaves a hot journal: only a read-write connection
    may roll it back, so a read is refused with the reason, and nothing is touched."""
    path = tmp_path / "hot.db"
    script = (
        "import os, sqlite3, sys\n"
        "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "con.execute('PRAGMA cache_size=1')  # spill pages into the file mid-transaction\n"
        "con.execute('CREATE TABLE t(a)'); con.execute('INSERT INTO t VALUES (1)')\n"
        "con.execute('BEGIN')\n"
        "for _ in range(3000): con.execute('INSERT INTO t VALUES (randomblob(1000))')\n"
        "os._exit(0)\n")
    subprocess.run([sys.executable, "-c", script, str(path)], check=True)
    assert Path(f"{path}-journal").exists()
    before = _digests(tmp_path)
    with fed.connect() as eng, pytest.raises(fed.SourceUnavailableError, match="hot journal"):
        eng.attach("s", fed.SQLite(path))
    assert _digests(tmp_path) == before


def test_sqlite_file_deleted_while_attached_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    con = sqlite3.connect(path)
    _make_table(con, rows=10)
    con.close()
    with fed.connect() as eng:
        eng.attach("s", fed.SQLite(path))
        assert eng.query("SELECT count(*) AS n FROM s.t t").to_pylist() == [{"n": 10}]
        path.unlink()
        with pytest.raises(fed.SourceUnavailableError, match="deleted or replaced"):
            eng.query("SELECT count(*) AS n FROM s.t t")  # this thread's open connection
        errors: list[BaseException] = []

        def other_thread() -> None:
            try:
                eng.query("SELECT count(*) AS n FROM s.t t")
            except fed.FederationError as err:
                errors.append(err)

        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
        assert [type(e) for e in errors] == [fed.SourceUnavailableError]
        assert not path.exists()  # never recreated empty


def test_sqlite_file_is_created_at_attach_only(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with fed.connect() as eng:
        eng.attach("s", fed.SQLite(path))  # DESIGN §2: created if missing
        assert path.exists()
        assert eng.catalog()["s"].tables == {}


# ---- Kuzu
@pytest.fixture
def graph(tmp_path: Path) -> Path:
    path = tmp_path / "g.kuzu"
    kz = driver()
    db = kz.Database(str(path), buffer_pool_size=64 << 20, max_num_threads=1)
    con = kz.Connection(db)
    con.execute("CREATE NODE TABLE P(id INT64 PRIMARY KEY, name STRING)")
    con.execute("CREATE REL TABLE KNOWS(FROM P TO P)")
    for i in range(20):
        con.execute("CREATE (:P {id: $i, name: $n})", {"i": i, "n": f"p{i}"})
    con.execute("MATCH (a:P), (b:P) WHERE b.id = a.id + 1 CREATE (a)-[:KNOWS]->(b)")
    con.close()
    db.close()
    return path


_OTHER_PROCESS = """
import importlib, sys
kz = importlib.import_module(sys.argv[1])
db = kz.Database(sys.argv[2], read_only=True, buffer_pool_size=64 << 20, max_num_threads=1)
con = kz.Connection(db)
print(con.execute("MATCH (p:P) RETURN count(*)").get_next()[0])
"""


def _read_in_another_process(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _OTHER_PROCESS, driver().__name__, str(path)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_kuzu_is_readable_by_another_process_and_left_as_it_was(graph: Path) -> None:
    before = _digests(graph.parent)
    with fed.connect() as eng:
        eng.attach("g", fed.Kuzu(graph, buffer_pool_bytes=64 << 20))
        text = "SELECT b.id FROM MATCH g (a:P)-[:KNOWS]->(b:P) WHERE a.id = 3"
        assert eng.query(text).to_pylist() == [{"id": 4}]
        done = _read_in_another_process(graph)  # while attached (and opened) here
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "20"
        assert eng.query(text).to_pylist() == [{"id": 4}]
    assert _digests(graph.parent) == before


def test_kuzu_write_switches_to_read_write_once(tmp_path: Path) -> None:
    """write() reopens the shared Database read-write (and every source of the path gets
    new connections); until then the file stays readable by other processes."""
    path = tmp_path / "w.kuzu"
    first = fed.Kuzu(path, buffer_pool_bytes=64 << 20)
    second = fed.Kuzu(path)
    first.open("a")
    second.open("b")
    try:
        assert first.info().tables == {} and second.info().tables == {}
        first.write("CREATE NODE TABLE P(id INT64 PRIMARY KEY, name STRING)")
        first.write("CREATE (:P {id: 1, name: 'x'})")
        assert "P" in second.info().tables
        assert _read_in_another_process(path).returncode != 0  # read-write locks others out
    finally:
        first.close()
        second.close()
    done = _read_in_another_process(path)
    assert done.returncode == 0 and done.stdout.strip() == "1", done.stderr


def test_read_only_kuzu_refuses_write(graph: Path) -> None:
    source = fed.Kuzu(graph, read_only=True)
    source.open("g")
    try:
        with pytest.raises(fed.SourceError, match="read_only"):
            source.write("CREATE (:P {id: 100, name: 'no'})")
    finally:
        source.close()


# ---- LanceDB
@pytest.fixture
def lance_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "lance"
    db = lancedb.connect(str(path))
    db.create_table("docs", pa.table({
        "id": pa.array(range(50), pa.int64()),
        "kind": [["a", "b"][i % 2] for i in range(50)],
        "vector": pa.FixedSizeListArray.from_arrays(
            pa.array([float(i % 7) for i in range(100)], pa.float32()), 2)}))
    yield path


def test_lance_directory_is_byte_identical(lance_dir: Path) -> None:
    before = _digests(lance_dir)
    with fed.connect() as eng:
        eng.attach("l", fed.LanceDB(lance_dir))
        assert eng.query("SELECT count(*) AS n FROM l.docs d WHERE d.kind = 'a'"
                         ).to_pylist() == [{"n": 25}]
        hits = eng.query("SELECT d.id FROM NEAREST l.docs TO $q K 3 AS d",
                         {"q": [1.0, 2.0]}).to_pylist()
        assert len(hits) == 3
    assert _digests(lance_dir) == before


def test_lance_directory_deleted_while_attached_is_unavailable(lance_dir: Path) -> None:
    import shutil

    with fed.connect() as eng:
        eng.attach("l", fed.LanceDB(lance_dir))
        assert eng.query("SELECT count(*) AS n FROM l.docs d").to_pylist() == [{"n": 50}]
        shutil.rmtree(lance_dir)
        with pytest.raises(fed.SourceUnavailableError):
            eng.query("SELECT count(*) AS n FROM l.docs d")
        assert not lance_dir.exists()


# ---- DuckDB
def test_duckdb_spills_into_a_private_directory(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    eng = fed.connect(memory_limit="64MB")
    stage = eng._stage._con  # the sandboxed connection itself
    spill = stage.sql("SELECT current_setting('temp_directory')").fetchall()[0][0]
    root = Path(spill).parent
    assert root.is_dir() and not Path(spill).is_relative_to(tmp_path)
    assert os.stat(root).st_mode & 0o077 == 0  # private to this user
    rows = stage.sql("SELECT count(*) FROM (SELECT i, md5(i::VARCHAR) AS s FROM range(2000000) "
                     "t(i) ORDER BY s)").fetchall()  # larger than 64 MB sorted: spills
    assert rows == [(2_000_000,)]
    eng.close()
    assert not root.exists()
    assert list(tmp_path.iterdir()) == []  # nothing in the current directory
