"""Lifecycle under concurrency (issue 7, items 8, 10, 11): closing the engine or detaching a
source while other threads query it, attaching meanwhile, closing from another thread, a
locked SQLite file, and connections of short-lived threads.

A Kuzu connection destroyed under a running call crashes the whole process (the test run
would die, not fail); every wait in these tests is bounded, so a hang fails too.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import apsw
import lancedb
import pyarrow as pa
import pytest

import federation as fed
from federation.sources.connections import IDLE
from tests.dense_graph import build_dense_graph

JOIN_S = 30.0  # no thread may outlive a close() by this much

FAST = [
    "SELECT t.x FROM s.t t WHERE t.x = 3",
    "SELECT count(*) AS n FROM s.t t",
    "SELECT a.id FROM MATCH g (a:N) WHERE a.id = 7",
    "SELECT d.id FROM docs.items d WHERE d.id < 5",
    "SELECT t.x, d.id FROM s.t t JOIN docs.items d ON d.id = t.x WHERE t.x < 20",
]
# seconds to minutes inside Kuzu: running when close()/detach() come
SLOW_KUZU = "SELECT count(*) AS n FROM MATCH g (a:N)-[:R*1..8]->(b:N)"


def build(folder: Path) -> None:
    con = apsw.Connection(str(folder / "s.db"))
    con.execute("CREATE TABLE t(x INTEGER PRIMARY KEY, name TEXT)")
    with con:
        con.executemany("INSERT INTO t VALUES (?, ?)", [(i, f"n{i}") for i in range(5000)])
    con.close()
    build_dense_graph(folder / "g.kuzu")
    ldb = lancedb.connect(str(folder / "lance"))
    ldb.create_table("items", pa.table({"id": pa.array(range(1000), pa.int64())}))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lifecycle")
    build(path)
    return path


def engine(folder: Path, **options: object) -> fed.Engine:
    eng = fed.connect(**options)
    eng.attach("s", fed.SQLite(folder / "s.db"))
    eng.attach("g", fed.Kuzu(folder / "g.kuzu"))
    eng.attach("docs", fed.LanceDB(folder / "lance"))
    return eng


@pytest.fixture()
def eng(folder: Path) -> Iterator[fed.Engine]:
    e = engine(folder)
    yield e
    e.close()


class Workers:
    """Threads running ``job`` until told to stop; every exception is kept."""

    def __init__(self, count: int, job: Callable[[int], None]) -> None:
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.done = 0
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._loop, args=(i, job), daemon=True)
                        for i in range(count)]
        for t in self.threads:
            t.start()

    def _loop(self, i: int, job: Callable[[int], None]) -> None:
        n = 0
        while not self.stop.is_set():
            try:
                job(i + n)
                with self._lock:
                    self.done += 1
            except BaseException as err:  # every error is judged by the test
                with self._lock:
                    self.errors.append(err)
                if isinstance(err, fed.ConfigurationError) and "closed" in str(err):
                    return
            n += 1

    def join(self) -> None:
        self.stop.set()
        deadline = time.monotonic() + JOIN_S
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in self.threads if t.is_alive()]
        assert not alive, f"threads still running {JOIN_S} s after the end: {alive}"

    def raw(self) -> list[BaseException]:
        return [e for e in self.errors if not isinstance(e, fed.FederationError)]


def test_close_while_16_threads_query_and_others_attach_and_detach(folder: Path) -> None:
    eng = engine(folder)

    def query(n: int) -> None:
        if n % 7 == 0:
            eng.query(SLOW_KUZU if n % 14 == 0 else
                      "SELECT a.id FROM MATCH g2 (a:N) WHERE a.id = 3")
        else:
            eng.query(FAST[n % len(FAST)])

    def churn(n: int) -> None:  # another name on the same Kuzu file, attached and detached
        try:
            eng.attach("g2", fed.Kuzu(folder / "g.kuzu"))
            time.sleep(0.02)
            eng.detach("g2")
        except fed.ConfigurationError:
            if not eng.sources:  # closed meanwhile
                raise

    queries = Workers(16, query)
    churners = Workers(2, churn)
    time.sleep(2.0)
    assert queries.done > 0
    start = time.monotonic()
    eng.close()
    closed_in = time.monotonic() - start
    queries.join()
    churners.join()
    assert closed_in < 10, f"close() took {closed_in:.1f} s"
    assert queries.raw() == [], queries.raw()[:3]
    assert churners.raw() == [], churners.raw()[:3]
    with pytest.raises(fed.ConfigurationError, match="closed"):
        eng.query(FAST[0])
    with pytest.raises(fed.ConfigurationError, match="closed"):
        eng.explain(FAST[0])
    with pytest.raises(fed.ConfigurationError, match="closed"):
        eng.attach("x", fed.SQLite(folder / "s.db"))


def test_detach_kuzu_while_a_query_runs(eng: fed.Engine, folder: Path) -> None:
    outcome: list[BaseException | object] = []
    runner = threading.Thread(target=lambda: outcome.append(_run(eng, SLOW_KUZU)), daemon=True)
    runner.start()
    time.sleep(0.5)  # the walk is running inside Kuzu now
    start = time.monotonic()
    eng.detach("g")
    runner.join(JOIN_S)
    assert not runner.is_alive()
    assert time.monotonic() - start < 5
    assert len(outcome) == 1 and isinstance(outcome[0], fed.SourceUnavailableError), outcome
    assert outcome[0].source == "g"
    eng.attach("g", fed.Kuzu(folder / "g.kuzu"))  # the file and the engine are fine
    assert eng.query("SELECT a.id FROM MATCH g (a:N) WHERE a.id = 7").to_pylist() == \
        [{"id": 7}]


def _run(eng: fed.Engine, text: str) -> BaseException | object:
    try:
        return eng.query(text)
    except BaseException as err:  # returned to the test
        return err


def test_close_cancels_a_running_kuzu_query(folder: Path) -> None:
    eng = engine(folder)
    outcome: list[BaseException | object] = []
    runner = threading.Thread(target=lambda: outcome.append(_run(eng, SLOW_KUZU)), daemon=True)
    runner.start()
    time.sleep(0.5)
    eng.close()
    runner.join(JOIN_S)
    assert not runner.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], fed.ConfigurationError), outcome


def test_attach_is_safe_while_16_threads_query(eng: fed.Engine, folder: Path) -> None:
    queries = Workers(16, lambda n: eng.query(FAST[n % len(FAST)]))
    for i in range(30):
        eng.attach(f"extra{i}", fed.SQLite(folder / "s.db"))
        eng.attach(f"more{i}", fed.LanceDB(folder / "lance"))
        if i % 2:
            eng.detach(f"extra{i}")
    queries.join()
    assert queries.errors == [], queries.errors[:3]
    assert queries.done > 0


def test_close_from_another_thread(eng: fed.Engine) -> None:
    for text in FAST:  # this thread's connections are open and idle
        eng.query(text)
    closer = threading.Thread(target=eng.close)
    errors: list[BaseException] = []
    closer.run = _keeping(closer.run, errors)  # type: ignore[method-assign]
    closer.start()
    closer.join(JOIN_S)
    assert not closer.is_alive() and errors == []
    with pytest.raises(fed.ConfigurationError, match="closed"):
        eng.query(FAST[0])
    eng.close()  # twice is fine


def _keeping(run: Callable[[], None], errors: list[BaseException]) -> Callable[[], None]:
    def wrapped() -> None:
        try:
            run()
        except BaseException as err:  # returned to the test
            errors.append(err)
    return wrapped


def test_a_locked_sqlite_file_is_a_source_error(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "locked.db"
    writer = apsw.Connection(str(path))
    writer.execute("CREATE TABLE t(x INTEGER)")
    writer.execute("INSERT INTO t VALUES (1)")
    # no result cache: it would answer the last committed rows without touching the lock
    with fed.connect(cache_bytes=0) as eng:
        eng.attach("s", fed.SQLite(path))
        assert eng.query("SELECT t.x FROM s.t t").to_pylist() == [{"x": 1}]
        writer.execute("BEGIN EXCLUSIVE")
        writer.execute("INSERT INTO t VALUES (2)")
        try:
            start = time.monotonic()
            with pytest.raises(fed.SourceError, match="locked") as info:
                eng.query("SELECT t.x FROM s.t t")
            assert info.value.source == "s"
            assert time.monotonic() - start < 10  # the 5 s busy timeout, then the error
            eng.timeout = 0.3  # a deadline ends the wait for the lock too
            start = time.monotonic()
            with pytest.raises(fed.QueryTimeoutError):
                eng.query("SELECT t.x FROM s.t t")
            assert time.monotonic() - start < 0.3 + 0.2 + 0.15
        finally:
            writer.execute("COMMIT")
        eng.timeout = None
        assert eng.query("SELECT t.x FROM s.t t ORDER BY t.x").to_pylist() == \
            [{"x": 1}, {"x": 2}]
    writer.close()


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts /proc/self/fd")
def test_no_fd_growth_after_1000_short_lived_threads(eng: fed.Engine) -> None:
    wave = 8

    def burst(threads: int) -> None:
        errors: list[BaseException] = []
        for start in range(0, threads, wave):
            batch = [threading.Thread(target=_keeping(
                lambda n=n: _query_all(eng, n), errors)) for n in range(start, start + wave)]
            for t in batch:
                t.start()
            for t in batch:
                t.join(JOIN_S)
                assert not t.is_alive()
        assert errors == [], errors[:3]

    burst(3 * wave)  # the idle connections every source keeps for new threads
    before = open_fds()
    burst(1000)
    after = open_fds()
    assert after - before <= 2, (before, after)
    for name in ("s", "g"):
        opened = eng.sources[name]._cons.opened()  # type: ignore[attr-defined]
        assert opened <= IDLE + 1, (name, opened)


def _query_all(eng: fed.Engine, n: int) -> None:
    for text in FAST[n % 2::2]:
        eng.query(text)
