"""Many threads on one cached engine: identical concurrent misses compute once, and readers
racing a writer never see a value older than a write that had committed before they asked."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import apsw
import pyarrow as pa
import pytest

import federation as fed
from tests.cache.conftest import Stores, engine, make_stores, rows


def _run_threads(n: int, work: Callable[[int], None]) -> None:
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            work(i)
        except BaseException as err:  # re-raised in the test's thread
            errors.append(err)
    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    if errors:
        raise errors[0]


@pytest.mark.parametrize("threads", [8])
def test_identical_concurrent_misses_compute_once(tmp_path: Path, threads: int) -> None:
    stores = make_stores(tmp_path)
    con = apsw.Connection(str(stores.sqlite))
    con.execute("CREATE TABLE big (k INTEGER, v INTEGER)")
    with con:
        con.executemany("INSERT INTO big VALUES (?, ?)", ((i % 97, i) for i in range(200_000)))
    con.close()
    slow = "SELECT b.k, count(*) AS n, sum(b.v) AS t FROM s.big AS b WHERE b.v > $lo GROUP BY b.k"
    with engine(stores) as cached, engine(stores, cache_bytes=0) as plain:
        want = rows(plain.query(slow, {"lo": 5}))
        cached.query("SELECT i.id FROM s.items AS i")  # connections and drivers warmed
        before = cached.cache.info()
        barrier = threading.Barrier(threads)
        got: list[fed.Result] = [None] * threads  # type: ignore[list-item]

        def ask(i: int) -> None:
            barrier.wait()
            got[i] = cached.query(slow, {"lo": 5})
        _run_threads(threads, ask)
        info = cached.cache.info()
        assert info["misses"] - before["misses"] == 1
        assert info["shared"] + info["hits"] - before["hits"] == threads - 1
        assert info["shared"] >= 1  # the computation takes long enough for some to wait
        notes = sorted(r.plan.cache for r in got)
        assert notes.count("miss") == 1
        assert all(rows(r) == want for r in got)


def _counter_stores(root: Path, journal: str) -> Stores:
    stores = make_stores(root, lance=True, journal=journal)
    con = apsw.Connection(str(stores.sqlite))
    con.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER);"
                "INSERT INTO counter VALUES (1, 0);"
                "CREATE TABLE log (n INTEGER); INSERT INTO log VALUES (0)")
    con.close()
    import lancedb

    lancedb.connect(str(stores.lance)).create_table("ticks", _tick(0))
    return stores


def _tick(n: int) -> pa.Table:
    return pa.table({"n": pa.array([n], pa.int64())})


# each query reads the newest write's number k (or k + 1 for the count of the log)
READS: list[tuple[str, str, int]] = [
    ("sqlite", "SELECT c.n FROM s.counter AS c WHERE c.id = 1", 0),
    ("sqlite", "SELECT max(l.n) AS n FROM s.log AS l", 0),
    ("sqlite", "SELECT count(*) AS n FROM s.log AS l", 1),
    ("lance", "SELECT max(t.n) AS n FROM v.ticks AS t", 0),
]


# commits the counter and the log in one transaction, then prints k
_SQLITE_CHILD = r"""
import sys, apsw
con = apsw.Connection(sys.argv[1])
con.set_busy_timeout(10_000)
for k in range(1, int(sys.argv[2]) + 1):
    with con:
        con.execute("UPDATE counter SET n = ? WHERE id = 1", (k,))
        con.execute("INSERT INTO log VALUES (?)", (k,))
    print(k, flush=True)
    sys.stdin.readline()  # the parent's LanceDB write is done: next
"""
WRITES = 40


def _sqlite_commits(path: Path, where: str) -> Iterator[int]:
    """Yields k once write k committed: by a connection of this thread, or by a child
    process (a rollback-journal file: 16 reader threads of this process starve a writer
    in it, with the cache on or off, as SQLite's in-process locks let readers in while a
    writer waits; another process is queued behind its PENDING lock)."""
    if where == "thread":
        con = apsw.Connection(str(path))
        con.set_busy_timeout(10_000)
        try:
            for k in range(1, WRITES + 1):
                with con:  # one transaction: the counter and the log move together
                    con.execute("UPDATE counter SET n = ? WHERE id = 1", (k,))
                    con.execute("INSERT INTO log VALUES (?)", (k,))
                yield k
        finally:
            con.close()
        return
    child = subprocess.Popen([sys.executable, "-c", _SQLITE_CHILD, str(path), str(WRITES)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdin is not None and child.stdout is not None
    try:
        for line in child.stdout:
            yield int(line)
            child.stdin.write("\n")
            child.stdin.flush()
    finally:
        child.communicate(timeout=60)
        assert child.returncode == 0


@pytest.mark.parametrize(("journal", "where"), [("wal", "thread"), ("delete", "process")])
def test_readers_racing_a_writer_never_read_stale(tmp_path: Path, journal: str,
                                                  where: str) -> None:
    import lancedb

    stores = _counter_stores(tmp_path, journal)
    committed = {"sqlite": 0, "lance": 0}  # the newest write each store has committed
    done = threading.Event()
    stale: list[str] = []
    with engine(stores, lance=True) as cached:
        for _, text, _ in READS:
            cached.query(text)  # warm: the first read opens connections and datasets

        def writer() -> None:
            ticks = lancedb.connect(str(stores.lance)).open_table("ticks")
            try:
                for k in _sqlite_commits(stores.sqlite, where):
                    committed["sqlite"] = k
                    ticks.add(_tick(k))
                    committed["lance"] = k
                    time.sleep(0.01)  # readers get hits between writes
            finally:
                done.set()

        def reader(i: int) -> None:
            j = i
            stop = time.monotonic() + 30  # never hangs the suite, whatever the writer did
            while not done.is_set() and time.monotonic() < stop:
                store, text, extra = READS[j % len(READS)]
                j += 1
                floor = committed[store]  # read before the query starts
                value = cached.query(text).to_pylist()[0]["n"] - extra
                if value < floor:
                    stale.append(f"{text}: read {value} after write {floor} had committed")
        # thread 0 writes, 16 read
        _run_threads(17, lambda i: writer() if i == 0 else reader(i))
        assert committed == {"sqlite": WRITES, "lance": WRITES}
        assert not stale, stale[:5]
        info = cached.cache.info()
        assert info["hits"] > 0 and info["misses"] > 0
        for store, text, extra in READS:  # and the last answers are the last writes
            assert cached.query(text).to_pylist()[0]["n"] - extra == committed[store]
