"""Cheap version checks still see every write: another connection, another process, a new or
dropped table. Also the streaming form (``execute_batches``) and the dataset-handle cache."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import timeit
from pathlib import Path

import lancedb
import pyarrow as pa
import pytest

from federation.sources.lance_read import LanceFragment
from federation.sources.lance_versions import RACY_NS, VersionWatch
from federation.sources.lancedb import LanceDB
from planner.expressions import ColumnRef, Const, Func
from planner.logical import Scan, TableAccess

ID = ColumnRef("t", "id", pa.int64())


def _ids(source: LanceDB, table: str = "t") -> list[int]:
    fragment = Scan("x", (TableAccess(table, "t"),), (ID,))
    out = source.execute(source.compile(fragment, {}))
    return sorted(out.column("t.id").to_pylist())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "db"
    lancedb.connect(str(path)).create_table("t", pa.table({"id": pa.array([1, 2], pa.int64())}))
    return path


@pytest.fixture
def source(db_path: Path) -> LanceDB:
    src = LanceDB(db_path)
    src.open("x")
    return src


def _versions(source: LanceDB, token: object = None) -> dict[str, int]:
    """Table versions from a token (the source's current one by default)."""
    rows = source.version() if token is None else token
    return {name: version for name, version, _ in rows}  # type: ignore[attr-defined]


def test_sees_another_connections_writes_and_new_tables(db_path: Path, source: LanceDB) -> None:
    assert _ids(source) == [1, 2]
    other = lancedb.connect(str(db_path))
    other.open_table("t").add(pa.table({"id": pa.array([3], pa.int64())}))
    source.info()  # the engine reads the catalog before compiling
    assert _ids(source) == [1, 2, 3]
    other.create_table("u", pa.table({"id": pa.array([9], pa.int64())}))
    assert "u" in source.info().tables and _ids(source, "u") == [9]
    other.drop_table("u")
    assert "u" not in source.info().tables


def test_sees_another_process_writes_after_the_stamp_settled(db_path: Path,
                                                             source: LanceDB) -> None:
    source.version()
    time.sleep(2 * RACY_NS / 1e9)
    # listed once more (the first listing's stamp was too young to trust), then remembered
    before = source.version()
    assert source.version() == before  # the cheap path
    script = ("import sys, lancedb, pyarrow as pa\n"
              "db = lancedb.connect(sys.argv[1])\n"
              "db.open_table('t').add(pa.table({'id': pa.array([7], pa.int64())}))\n"
              "db.create_table('v', pa.table({'id': pa.array([5], pa.int64())}))\n")
    subprocess.run([sys.executable, "-c", script, str(db_path)], check=True, timeout=120)
    after = _versions(source)
    assert after["t"] > _versions(source, before)["t"] and "v" in after
    source.info()
    assert _ids(source) == [1, 2, 7] and _ids(source, "v") == [5]


def test_back_to_back_writes_in_one_clock_tick_are_seen(db_path: Path, source: LanceDB) -> None:
    table = lancedb.connect(str(db_path)).open_table("t")
    seen = []
    for i in range(5):  # each write lands within RACY_NS of the check before it
        table.add(pa.table({"id": pa.array([10 + i], pa.int64())}))
        seen.append(_versions(source)["t"])
    assert seen == sorted(set(seen)) and len(seen) == 5


def test_a_stamp_read_right_after_a_write_is_not_trusted(db_path: Path) -> None:
    calls: list[str] = []
    handle = lancedb.connect(str(db_path))
    watch = VersionWatch(db_path, lambda: calls.append("list") or ["t"],
                         lambda name: calls.append(name) or handle.open_table(name).version)
    handle.open_table("t").add(pa.table({"id": pa.array([3], pa.int64())}))
    watch.versions()
    watch.versions()  # a second write in the same clock tick would leave the same stamp
    assert calls.count("t") == 2


def test_settled_check_does_not_ask_lancedb(db_path: Path) -> None:
    calls: list[str] = []
    handle = lancedb.connect(str(db_path))
    watch = VersionWatch(db_path, lambda: calls.append("list") or ["t"],
                         lambda name: calls.append(name) or handle.open_table(name).version)
    old = time.time() - 1  # age the stamps instead of sleeping
    for path in (db_path, db_path / "t.lance", db_path / "t.lance" / "_versions"):
        os.utime(path, (old, old))
    first = watch.versions()
    assert calls == ["list", "t"]
    assert watch.versions() == first and calls == ["list", "t"]
    per_call = min(timeit.repeat(watch.versions, number=200, repeat=3)) / 200
    assert per_call < 1e-3  # measured about 10 µs per table; loose for busy machines


def test_execute_batches_streams_the_declared_schema(tmp_path: Path) -> None:
    path = tmp_path / "db"
    rows = 200_000
    lancedb.connect(str(path)).create_table("t", pa.table({
        "id": pa.array(range(rows), pa.int64()),
        "name": pa.array([f"n{i % 7}" for i in range(rows)], pa.large_string())}))
    source = LanceDB(path)
    source.open("x")
    source.info()
    name = ColumnRef("t", "name", pa.string())
    scan = Scan("x", (TableAccess("t", "t"),), (name, ID),
                (Func("eq", (name, Const("n3", pa.string())), pa.bool_()),))
    compiled = source.compile(scan, {})
    assert isinstance(compiled, LanceFragment)
    assert compiled.native == "t.scan().where(\"(`name` = 'n3')\").select([name, id])"
    reader = source.execute_batches(compiled)
    assert reader.schema == pa.schema([("t.name", pa.string()), ("t.id", pa.int64())])
    streamed = reader.read_all()
    assert streamed.equals(source.execute(compiled))
    assert streamed.num_rows == len([i for i in range(rows) if i % 7 == 3])
    count_only = source.compile(Scan("x", (TableAccess("t", "t"),), ()), {})
    assert source.execute_batches(count_only).read_all().num_rows == rows
    limited = source.compile(Scan("x", (TableAccess("t", "t"),), (ID,), limit=0), {})
    assert source.execute_batches(limited).read_all().num_rows == 0


def test_dataset_handles_are_reused_per_version(db_path: Path, source: LanceDB) -> None:
    # within RACY_NS of the table's creation every check may be a recreation: settle first
    time.sleep(2 * RACY_NS / 1e9)
    source.info()
    _ids(source)
    handles = dict(source._datasets.handles["t"])  # type: ignore[attr-defined]
    _ids(source)
    assert source._datasets.handles["t"] == handles  # type: ignore[attr-defined]
    lancedb.connect(str(db_path)).open_table("t").add(pa.table({"id": pa.array([4],
                                                                                pa.int64())}))
    source.info()
    assert _ids(source) == [1, 2, 4]
    assert len(source._datasets.handles["t"]) == 2  # type: ignore[attr-defined]


def test_the_version_fragments_read_never_goes_back(db_path: Path, source: LanceDB) -> None:
    """A thread that read the versions before a commit may describe the table after a
    thread that read them after it: fragments must still read the newer version (the
    result cache files their rows under the newer token)."""
    (_, old, first), = source.version()  # type: ignore[misc]
    lancedb.connect(str(db_path)).open_table("t").add(pa.table({"id": pa.array([5],
                                                                                pa.int64())}))
    source.info()
    source._datasets.describe("t", old, first)  # the late thread, with what it read before
    assert source.planned("t")[0] == _versions(source)["t"] > old
