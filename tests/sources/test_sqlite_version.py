"""The SQLite version token (``federation.sources.sqlite_version``): ``PRAGMA data_version``
behind a stat of the file and its WAL, on real files written by other connections."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import apsw
import pytest

from federation.errors import SourceUnavailableError
from federation.sources.lance_versions import RACY_NS
from federation.sources.sqlite import SQLite
from federation.sources.sqlite_version import DataVersion

SETTLE = 2 * RACY_NS / 1e9


def _write(path: Path, value: int) -> None:
    con = apsw.Connection(str(path))
    con.execute("INSERT INTO t VALUES (?)", (value,))
    con.close()


@pytest.fixture(params=["delete", "wal"])
def db(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    path = tmp_path / "v.db"
    con = apsw.Connection(str(path))
    con.execute(f"PRAGMA journal_mode={request.param}")
    con.execute("CREATE TABLE t(x INTEGER)")
    con.close()
    return path


class Counted(DataVersion):
    """Counts the pragmas read (the slow path)."""

    reads = 0

    def _read(self) -> object:
        self.reads += 1
        return super()._read()


@pytest.fixture
def watch(db: Path) -> Iterator[Counted]:
    src = SQLite(db)
    src.open("s")
    stat = os.stat(db)
    versions = Counted(str(db), src._connect, (stat.st_dev, stat.st_ino), src._file_gone)
    yield versions
    versions.close()
    src.close()


def test_a_settled_stamp_skips_the_pragma(db: Path, watch: Counted) -> None:
    first = watch.token()
    time.sleep(SETTLE)
    settled = watch.token()  # read again: the first stamp was too young to trust
    reads = watch.reads
    assert watch.token() == settled == first
    # a WAL database is always asked: its commits become visible in -shm, after the stamp
    assert watch.reads == reads + os.path.exists(f"{db}-wal")


def test_a_write_after_the_stamp_settled_moves_the_token(db: Path, watch: Counted) -> None:
    watch.token()
    time.sleep(SETTLE)
    before = watch.token()
    assert watch.token() == before  # the cheap path
    _write(db, 1)
    assert watch.token() != before


def test_another_process_write_moves_the_token(db: Path, watch: Counted) -> None:
    watch.token()
    time.sleep(SETTLE)
    before = watch.token()
    script = ("import sys, sqlite3\ncon = sqlite3.connect(sys.argv[1])\n"
              "con.execute('INSERT INTO t VALUES (7)')\ncon.commit()\n")
    subprocess.run([sys.executable, "-c", script, str(db)], check=True, timeout=60)
    assert watch.token() != before


def test_back_to_back_writes_each_move_the_token(db: Path, watch: Counted) -> None:
    seen = []
    for i in range(5):  # each write within the clock tick of the check before it
        _write(db, i)
        seen.append(watch.token())
    assert len(set(seen)) == 5


def test_coarse_file_times_are_never_trusted(db: Path, watch: Counted) -> None:
    whole = (int(time.time()) - 5) * 10**9  # a file system keeping whole seconds
    os.utime(db, ns=(whole, whole))
    if os.path.exists(f"{db}-wal"):
        os.utime(f"{db}-wal", ns=(whole, whole))
    watch.token()
    reads = watch.reads
    watch.token()
    assert watch.reads == reads + 1


def test_a_replaced_file_raises(db: Path, watch: Counted, tmp_path: Path) -> None:
    watch.token()
    other = tmp_path / "other.db"
    apsw.Connection(str(other)).execute("CREATE TABLE t(x INTEGER)")
    os.replace(other, db)
    with pytest.raises(SourceUnavailableError, match="replaced"):
        watch.token()


class _SlowWalSync(apsw.VFSFile):
    """Syncs of a -wal holding frames take 0.4 s: a commit's frames are written (the file's
    stamp moved) well before the commit becomes visible."""

    def __init__(self, vfs: str, name: str | apsw.URIFilename, flags: list[int]) -> None:
        path = name.filename() if isinstance(name, apsw.URIFilename) else str(name)
        self.wal = path.endswith("-wal")
        super().__init__(vfs, name, flags)

    def xSync(self, flags: int) -> None:
        if self.wal and self.xFileSize() > 32:
            time.sleep(0.4)
        super().xSync(flags)


class _SlowWalVFS(apsw.VFS):
    def __init__(self) -> None:
        super().__init__("slow-wal-sync", "")

    def xOpen(self, name: str | apsw.URIFilename | None, flags: list[int]) -> apsw.VFSFile:
        return _SlowWalSync("", name, flags)  # type: ignore[arg-type]


def test_a_wal_commit_visible_after_a_slow_sync_is_not_missed(tmp_path: Path) -> None:
    import threading

    import federation as fed

    path = tmp_path / "slow.db"
    con = apsw.Connection(str(path))
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE t(x INTEGER)")
    con.execute("INSERT INTO t VALUES (1)")
    _vfs = _SlowWalVFS()  # registered while referenced
    writer = apsw.Connection(str(path), vfs="slow-wal-sync")
    writer.execute("PRAGMA synchronous=FULL")
    text = "SELECT t.x FROM s.t AS t ORDER BY t.x"
    with fed.connect() as eng:
        eng.attach("s", fed.SQLite(path))
        eng.query(text)
        time.sleep(SETTLE)
        assert eng.query(text).plan.cache == "hit"
        commit = threading.Thread(target=writer.execute, args=("INSERT INTO t VALUES (2)",))
        commit.start()
        time.sleep(0.15)  # the frames are written, the sync is under way
        assert eng.query(text).to_pylist() == [{"x": 1}]  # not committed yet
        commit.join()
        for _ in range(2):
            time.sleep(SETTLE)
            assert eng.query(text).to_pylist() == [{"x": 1}, {"x": 2}]
    writer.close()
    con.close()
