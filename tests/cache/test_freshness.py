"""Zero stale reads: an answer cached before a write by any client the store allows is never
served after it. Each test runs a query (miss), again (hit), writes with another client, and
asks again: the new rows must be there, the plan must say "miss", and the answer must equal
the cache-off engine's and the rows the test wrote."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import apsw
import pytest

import federation as fed
from tests.cache.conftest import (
    GRAPH_ROWS,
    LANCE_AGED,
    LANCE_ROWS,
    SQL_ROWS,
    THREE,
    Stores,
    build_sqlite,
    engine,
    make_stores,
    rows,
    same,
)
from tests.cache.lance_ops import Op, apply_op

Writer = Callable[[str], object]
REPO = Path(__file__).resolve().parents[2]  # the child process imports tests.cache.lance_ops


def _cycle(cached: fed.Engine, plain: fed.Engine, text: str, params: dict[str, object],
           write: Callable[[], object], expect_hit: bool = True) -> fed.Result:
    """miss/hit → write → a miss that equals the cache-off engine's answer."""
    same(cached, plain, text, params)
    again = cached.query(text, params)
    assert again.plan.cache == "hit" or not expect_hit, again.plan.cache
    write()
    res = same(cached, plain, text, params)
    assert res.plan.cache.startswith("miss"), res.plan.cache
    return res


def _sqlite_ids(path: Path, grp: str = "a") -> list[tuple[Any, ...]]:
    """The rows as a new connection reads them: apsw, the engine's own SQLite library. Python's
    sqlite3 links another one, and closing its connection drops the POSIX locks the other
    library's connections hold on the file (a WAL file then reads stale or fails)."""
    con = apsw.Connection(str(path))
    try:
        return sorted(con.execute("SELECT id, val FROM items WHERE grp = ?", (grp,)).fetchall())
    finally:
        con.close()


# ---- SQLite: writers in this process (connections kept open) and in another process
@contextmanager
def _sqlite_writer(kind: str, path: Path) -> Iterator[Writer]:
    if kind == "sqlite3":
        con3 = sqlite3.connect(path, isolation_level=None)  # autocommit: each statement commits
        yield con3.execute
        con3.close()
    elif kind == "apsw":
        cona = apsw.Connection(str(path))
        yield cona.execute
        cona.close()
    else:
        code = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); " \
               "c.execute(sys.argv[2]); c.commit()"
        yield lambda sql: subprocess.run([sys.executable, "-c", code, str(path), sql],
                                         check=True, timeout=60)


@pytest.mark.parametrize("journal", ["delete", "wal"])
@pytest.mark.parametrize("kind", ["sqlite3", "apsw", "subprocess"])
def test_sqlite_writes_by_other_clients(tmp_path: Path, journal: str, kind: str) -> None:
    stores = make_stores(tmp_path, journal=journal)
    with _sqlite_writer(kind, stores.sqlite) as write, engine(stores) as cached, \
            engine(stores, cache_bytes=0) as plain:
        for k in range(3):  # back to back: no time passes between write and read

            def insert_and_update(k: int = k) -> None:
                write(f"INSERT INTO items VALUES ({100 + k}, 'a', {1000 + k})")
                write("UPDATE items SET val = val + 1 WHERE id = 1")
            res = _cycle(cached, plain, SQL_ROWS, {"g": "a"}, insert_and_update)
            got = sorted((r["id"], r["val"]) for r in res.to_pylist())
            assert got == _sqlite_ids(stores.sqlite)
            assert (100 + k, 1000 + k) in got and (1, 11 + k) in got
    con = sqlite3.connect(stores.sqlite)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == journal
    con.close()


def test_sqlite_uncommitted_write_is_not_read_then_commit_is(sqlite_stores: Stores) -> None:
    writer = sqlite3.connect(sqlite_stores.sqlite, isolation_level=None)
    with engine(sqlite_stores) as cached, engine(sqlite_stores, cache_bytes=0) as plain:
        before = same(cached, plain, SQL_ROWS, {"g": "a"})
        writer.execute("BEGIN")
        writer.execute("INSERT INTO items VALUES (50, 'a', 500)")
        assert rows(cached.query(SQL_ROWS, {"g": "a"})) == rows(before)
        writer.execute("COMMIT")
        res = same(cached, plain, SQL_ROWS, {"g": "a"})
        assert res.plan.cache == "miss" and {"id": 50, "grp": "a", "val": 500} in res.to_pylist()
    writer.close()


@pytest.mark.parametrize("change", [
    "ALTER TABLE items ADD COLUMN extra INTEGER DEFAULT 7",
    "DROP TABLE items; CREATE TABLE items (id INTEGER PRIMARY KEY, grp TEXT, val INTEGER); "
    "INSERT INTO items VALUES (1, 'x', 1)",
    "DROP TABLE items; CREATE TABLE items (id INTEGER PRIMARY KEY, grp TEXT, val TEXT); "
    "INSERT INTO items VALUES (1, 'a', 'one')",
])
def test_sqlite_schema_changes(sqlite_stores: Stores, change: str) -> None:
    text = "SELECT * FROM s.items AS i WHERE i.id < $n"
    with engine(sqlite_stores) as cached, engine(sqlite_stores, cache_bytes=0) as plain:
        con = sqlite3.connect(sqlite_stores.sqlite, isolation_level=None)
        res = _cycle(cached, plain, text, {"n": 5}, lambda: con.executescript(change) and None)
        con.close()
        if "ADD COLUMN" in change:
            assert all(r["extra"] == 7 for r in res.to_pylist())
        else:
            assert len(res.to_pylist()) == 1


def test_sqlite_file_replaced_is_never_served_stale(sqlite_stores: Stores,
                                                    tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    build_sqlite(other)
    con = sqlite3.connect(other)
    con.execute("UPDATE items SET val = -1")
    con.commit()
    con.close()
    with engine(sqlite_stores) as cached:
        old = rows(cached.query(SQL_ROWS, {"g": "a"}))
        assert cached.query(SQL_ROWS, {"g": "a"}).plan.cache == "hit"
        os.replace(other, sqlite_stores.sqlite)
        for _ in range(2):
            try:
                res = cached.query(SQL_ROWS, {"g": "a"})
            except fed.SourceUnavailableError:
                continue
            assert rows(res) != old and {r["val"] for r in res.to_pylist()} == {-1}


# ---- LanceDB: writes by an open table in this process and by a child process
_LANCE_CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[2])
import lancedb
from tests.cache.lance_ops import apply_op
db = lancedb.connect(sys.argv[1])
for line in sys.stdin:
    apply_op(db, json.loads(line))
    print("ok", flush=True)
"""

LANCE_OPS: list[Op] = [
    {"op": "add", "ids": [20, 21]},
    {"op": "delete", "where": "id = 20 OR id = 3"},
    {"op": "update", "where": "id = 5", "grp": "z"},
    {"op": "overwrite", "ids": [30, 31, 32], "grp": "o"},
    {"op": "add", "ids": [33]},
    {"op": "recreate", "ids": [40, 41], "grp": "r"},  # versions start at 1 again
    {"op": "add", "ids": [42]},
]


def _lance_in_process(path: Path) -> Callable[[Op], None]:
    import lancedb

    db = lancedb.connect(str(path))
    return lambda op: apply_op(db, op)


@contextmanager
def _lance_writer(where: str, path: Path) -> Iterator[Callable[[Op], None]]:
    """Writes by a table opened in this process, or by one child process that stays up
    (importing lancedb takes about 2 s: one child for all writes of a test)."""
    if where == "process":
        yield _lance_in_process(path)
        return
    child = subprocess.Popen([sys.executable, "-c", _LANCE_CHILD, str(path), str(REPO)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    stdin, stdout = child.stdin, child.stdout

    def write(op: Op) -> None:
        stdin.write(json.dumps(op) + "\n")
        stdin.flush()
        assert stdout.readline().strip() == "ok"
    try:
        yield write
    finally:
        child.communicate(timeout=60)


def _expected(before: dict[int, str], op: Op) -> dict[int, str]:
    ids = list(op.get("ids", []))
    if op["op"] in ("overwrite", "recreate"):
        return dict.fromkeys(ids, str(op["grp"]))
    after = dict(before)
    if op["op"] == "add":
        after.update(dict.fromkeys(ids, str(op.get("grp", "c"))))
    elif op["op"] == "delete":
        for i in (20, 3):
            after.pop(i, None)
    else:
        after[5] = str(op["grp"])
    return after


# LANCE_AGED: the stamps read before the write had aged (trusted); 0: they had not
@pytest.mark.parametrize(("where", "pause"), [("process", 0.0), ("process", LANCE_AGED),
                                              ("subprocess", 0.0)])
def test_lance_writes_by_other_clients(tmp_path: Path, where: str, pause: float) -> None:
    stores = make_stores(tmp_path, sqlite=False, lance=True)
    time.sleep(LANCE_AGED)
    expected = {i: "a" if i % 2 else "b" for i in range(10)}
    with _lance_writer(where, stores.lance) as write, \
            engine(stores, sqlite=False, lance=True) as cached, \
            engine(stores, sqlite=False, lance=True, cache_bytes=0) as plain:
        for op in LANCE_OPS:
            time.sleep(pause)
            # within 50 ms of a commit the directory's stamps are not trusted yet (a lookup
            # may miss): a hit is asked for after the pause only
            res = _cycle(cached, plain, LANCE_ROWS, {"lo": 0},
                         lambda op=op: write(op), expect_hit=pause > 0)  # type: ignore[misc]
            expected = _expected(expected, op)
            assert {r["id"]: r["grp"] for r in res.to_pylist()} == expected, op


def _versions_inode(stores: Stores) -> int:
    return os.stat(stores.lance / "docs.lance" / "_versions").st_ino


def test_lance_recreated_table_is_never_stale(tmp_path: Path) -> None:
    """Drop and recreate back to back (versions restart at 1) with a read in between, with and
    without the stamps having aged: the answer is the new table's rows (another process
    recreates it in ``test_lance_writes_by_other_clients``)."""
    stores = make_stores(tmp_path, sqlite=False, lance=True)
    with _lance_writer("process", stores.lance) as write, \
            engine(stores, sqlite=False, lance=True) as cached, \
            engine(stores, sqlite=False, lance=True, cache_bytes=0) as plain:
        for k in range(4):
            op = {"op": "recreate", "ids": [k, k + 100], "grp": f"g{k}"}
            write(op)
            for eng in (cached, plain, cached):
                res = eng.query(LANCE_ROWS, {"lo": 0})
                assert {r["id"]: r["grp"] for r in res.to_pylist()} == _expected({}, op)
            time.sleep(LANCE_AGED if k % 2 else 0.0)


def test_lance_recreated_table_with_a_reused_inode_is_readable(tmp_path: Path) -> None:
    """The file system soon hands a dropped table's ``_versions`` inode to the next one made
    (with version 1 again): the new table is read, not the dropped one's cached dataset (this
    failed with 'Not found' before tables had an incarnation number)."""
    stores = make_stores(tmp_path, sqlite=False, lance=True)
    write = _lance_in_process(stores.lance)
    seen: set[int] = set()
    reused = 0
    with engine(stores, sqlite=False, lance=True, cache_bytes=0) as plain:
        for k in range(40):
            op = {"op": "recreate", "ids": [k, k + 100], "grp": f"g{k}"}
            write(op)
            inode = _versions_inode(stores)
            reused += inode in seen
            seen.add(inode)
            res = plain.query(LANCE_ROWS, {"lo": 0})
            assert {r["id"]: r["grp"] for r in res.to_pylist()} == _expected({}, op)
            if reused >= 3:
                return
    pytest.skip("the file system never reused the inode of a dropped table's _versions")


# ---- Kuzu: writes through the engine; other processes are locked out while it holds the file
_KUZU_CHILD = r"""
import sys, kuzu
try:
    db = kuzu.Database(sys.argv[1], read_only=sys.argv[2] == "ro")
    con = kuzu.Connection(db)
    if sys.argv[2] == "rw":
        con.execute("CREATE (:Person {id: 777, name: 'child'})")
    print("opened")
except Exception as err:
    print("refused:", err)
"""


def _kuzu_child(path: Path, mode: str) -> str:
    return subprocess.run([sys.executable, "-c", _KUZU_CHILD, str(path), mode],
                          capture_output=True, text=True, timeout=120, check=True).stdout.strip()


def test_kuzu_writes_and_other_writers(tmp_path: Path) -> None:
    stores = make_stores(tmp_path, sqlite=False, kuzu=True)
    with engine(stores, sqlite=False, kuzu=True) as cached, \
            engine(stores, sqlite=False, kuzu=True, cache_bytes=0) as plain:
        graph = cast(fed.Kuzu, cached.sources["g"])
        same(cached, plain, GRAPH_ROWS, {"lo": 0})
        # the engine holds the file read-only: another process may read, not write
        assert "Could not set lock" in _kuzu_child(stores.kuzu, "rw")
        assert _kuzu_child(stores.kuzu, "ro") == "opened"
        for k in range(3):
            res = _cycle(cached, plain, GRAPH_ROWS, {"lo": 0}, lambda k=k: graph.write(  # type: ignore[misc]
                "CREATE (:Person {id: $id, name: 'new'})", {"id": 50 + k}))
            assert {50 + k, 0, 9} <= {r["id"] for r in res.to_pylist()}
        # now it holds it read-write: no other process opens it at all
        assert "Could not set lock" in _kuzu_child(stores.kuzu, "rw")
        assert "Could not set lock" in _kuzu_child(stores.kuzu, "ro")
        assert 777 not in {r["id"] for r in same(cached, plain, GRAPH_ROWS, {"lo": 0}).to_pylist()}


def test_kuzu_second_database_in_process_agrees_with_cache_off(tmp_path: Path) -> None:
    """A second ``kuzu.Database`` on the path in this process is outside what the engine
    supports (Kuzu does not show its writes to the first one); the cache adds nothing stale."""
    import kuzu

    stores = make_stores(tmp_path, sqlite=False, kuzu=True)
    with engine(stores, sqlite=False, kuzu=True) as cached, \
            engine(stores, sqlite=False, kuzu=True, cache_bytes=0) as plain:
        same(cached, plain, GRAPH_ROWS, {"lo": 0})
        db = kuzu.Database(str(stores.kuzu))
        con = kuzu.Connection(db)
        con.execute("CREATE (:Person {id: 300, name: 'inproc'})")
        con.close()
        db.close()
        same(cached, plain, GRAPH_ROWS, {"lo": 0})


# ---- three engines: only the changed store's leg runs again
@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[Stores, fed.Engine, fed.Engine]]:
    stores = make_stores(tmp_path_factory.mktemp("three"), kuzu=True, lance=True)
    # no key passing: every leg runs whole, so an unchanged one can be reused
    opts: dict[str, Any] = {"kuzu": True, "lance": True, "key_passing_rows": None}
    with engine(stores, **opts) as cached, engine(stores, cache_bytes=0, **opts) as plain:
        yield stores, cached, plain


@pytest.mark.parametrize(("store", "reused"), [("s", "gv"), ("v", "sg"), ("g", "sv")])
def test_three_engines_reuse_unchanged_legs(three: tuple[Stores, fed.Engine, fed.Engine],
                                            store: str, reused: str) -> None:
    stores, cached, plain = three
    import lancedb

    def write() -> None:
        if store == "s":
            con = sqlite3.connect(stores.sqlite)
            con.execute("UPDATE items SET val = val + 1000 WHERE id = 4")
            con.commit()
            con.close()
        elif store == "v":
            lancedb.connect(str(stores.lance)).open_table("docs").update(
                where="id = 5", values={"grp": "changed"})
        else:
            cast(fed.Kuzu, cached.sources["g"]).write(
                "MATCH (a:Person {id: 2}), (b:Person {id: 9}) CREATE (a)-[:KNOWS {w: 1.0}]->(b)")
    time.sleep(LANCE_AGED)  # the previous test's LanceDB write: a hit is asked for below
    before = rows(same(cached, plain, THREE, {"m": 20}))
    res = _cycle(cached, plain, THREE, {"m": 20}, write)
    assert rows(res) != before
    note = res.plan.cache
    assert note.startswith("miss, partial reuse: fragments"), note
    for name in "sgv":
        assert (f"({name})" in note) == (name in reused), note
