"""aquery with thousands of concurrent callers inside the configured bounds, the gates'
first-come-first-served order, and metrics that count what ran."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest

import federation as fed
from federation.ops.gates import FairGate, Gates
from federation.ops.metrics import metrics_text
from federation.ops.quantiles import quantile

CALLERS = 10_000
DISTINCT = 100
POOL = 4


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, grp INTEGER, v TEXT)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)",
                    [(i, i % DISTINCT, f"v{i}") for i in range(1000)])
    con.commit()
    con.close()
    return path


def warm(eng: fed.Engine) -> None:
    """A first query pays for imports and connections (a second or more on a loaded
    machine): not under a short deadline."""
    eng.query("SELECT count(*) AS n FROM a.t t WHERE t.id < 0")


def test_ten_thousand_concurrent_aquery_calls_stay_in_bounds(db: Path) -> None:
    with fed.connect(pool_size=POOL) as eng:
        eng.attach("a", fed.SQLite(db))
        query = "SELECT count(*) AS n FROM a.t t WHERE t.grp = $g"

        async def one(i: int) -> float:
            start = time.perf_counter()
            res = await eng.aquery(query, {"g": i % DISTINCT})
            assert res.to_pylist() == [{"n": 10}]
            return time.perf_counter() - start

        async def everyone() -> list[float]:
            return await asyncio.gather(*(one(i) for i in range(CALLERS)))

        latencies = sorted(asyncio.run(everyone()))
        p99 = quantile(latencies, 0.99)
        print(f"\n{CALLERS} concurrent aquery calls: p50 {quantile(latencies, 0.5):.4f} s, "
              f"p99 {p99:.4f} s")
        metrics = eng.metrics()
        pool = metrics["pools"]["a"]
        assert pool["capacity"] == POOL and 1 <= pool["peak"] <= POOL
        assert pool["in_use"] == 0 and pool["acquired"] >= CALLERS
        # one connection per query thread (POOL of them), and the attaching thread's
        assert pool["connections_open"] <= POOL + 1
        assert metrics["queries"] == CALLERS and metrics["errors"] == 0
        assert metrics["latency_seconds"]["count"] == CALLERS
        assert metrics["latency_seconds"]["p99"] > 0
        queue = metrics["aquery"]
        assert queue["workers"] == POOL and queue["calls"] == CALLERS and queue["queued"] == 0
        assert POOL < queue["peak_queued"] <= CALLERS  # they did wait, in the FIFO queue


def test_metrics_count_what_ran(db: Path) -> None:
    with fed.connect(pool_size=2) as eng:
        eng.attach("a", fed.SQLite(db))
        for i in range(30):  # 10 distinct queries: 10 computed, 20 from the cache
            eng.query("SELECT t.v FROM a.t t WHERE t.id = $id", {"id": i % 10})
        for _ in range(3):
            with pytest.raises(fed.BindError):
                eng.query("SELECT t.nope FROM a.t t")
        with pytest.raises(fed.QuerySyntaxError):
            eng.query("SELEC 1")
        m = eng.metrics()
        assert (m["queries"], m["errors"], m["answered_from_cache"]) == (34, 4, 20)
        assert m["errors_by_type"] == {"BindError": 3, "QuerySyntaxError": 1}
        assert m["source_latency_seconds"]["a"]["count"] == 10
        # the queries that failed to bind looked the cache up, and missed, too
        assert (m["cache"]["hits"], m["cache"]["misses"]) == (20, 13)
        assert m["cache"]["hit_rate"] == pytest.approx(20 / 33, abs=1e-4)
        text = eng.metrics(format="prometheus")
        assert "federation_queries_total 34" in text
        assert 'federation_errors_total{type="BindError"} 3' in text
        assert 'federation_pool_capacity{source="a"} 2' in text
        assert metrics_text(m).splitlines()[:3] == text.splitlines()[:3]
        with pytest.raises(fed.ConfigurationError):
            eng.metrics(format="xml")


def test_the_gate_serves_waiters_in_arrival_order() -> None:
    gate = FairGate(1)
    gate.acquire()
    order: list[int] = []

    def waiter(i: int) -> None:
        gate.acquire()
        order.append(i)
        gate.release()

    threads = []
    for i in range(8):
        thread = threading.Thread(target=waiter, args=(i,))
        thread.start()
        threads.append(thread)
        while gate.stats().waiting < i + 1:  # queued before the next one arrives
            time.sleep(0.001)
    gate.release()
    for thread in threads:
        thread.join()
    assert order == list(range(8))
    assert gate.stats().peak == 1 and gate.stats().peak_waiting == 8


def test_a_waiter_gives_up_at_its_deadline() -> None:
    gates = Gates(1)
    with gates.holding(["a"]):
        start = time.monotonic()
        with pytest.raises(fed.QueryTimeoutError, match="waited for a connection"), \
                gates.holding(["a"], deadline=time.monotonic() + 0.05):
            pass
        assert time.monotonic() - start < 0.5
    assert gates.stats()["a"].timeouts == 1 and gates.stats()["a"].in_use == 0
    with pytest.raises(fed.ConfigurationError):
        fed.connect(pool_size=0)


def test_aquery_times_out_while_queued(db: Path) -> None:
    with fed.connect(pool_size=1) as eng:
        eng.attach("a", fed.SQLite(db))
        warm(eng)
        eng.timeout = 0.3
        gate = eng._gates.gate("a")
        gate.acquire()  # every slot taken: the query waits, then gives up at its deadline
        try:
            with pytest.raises(fed.QueryTimeoutError):
                asyncio.run(eng.aquery("SELECT t.v FROM a.t t"))
        finally:
            gate.release()
        assert asyncio.run(eng.aquery("SELECT count(*) AS n FROM a.t t")).to_pylist() == \
            [{"n": 1000}]


def test_aquery_deadlines_count_from_the_call(db: Path) -> None:
    with fed.connect(pool_size=1) as eng:
        eng.attach("a", fed.SQLite(db))
        warm(eng)
        eng.timeout = 0.3
        gate = eng._gates.gate("a")
        gate.acquire()

        async def two() -> tuple[fed.Result | BaseException, fed.Result | BaseException]:
            return await asyncio.gather(eng.aquery("SELECT t.v FROM a.t t"),
                                        eng.aquery("SELECT t.id FROM a.t t"),
                                        return_exceptions=True)

        start = time.monotonic()
        try:
            first, second = asyncio.run(two())
        finally:
            gate.release()
        # the first waited at the gate on the only query thread; the second, queued behind
        # it, reached its deadline (0.3 s after its call) in the queue or just after: it
        # never got 0.3 s of its own on top
        assert isinstance(first, fed.QueryTimeoutError) and "0.3 s limit" in str(first)
        assert isinstance(second, fed.QueryTimeoutError)
        assert time.monotonic() - start < 0.3 + 0.2


def test_close_with_aquery_calls_queued(db: Path) -> None:
    eng = fed.connect(pool_size=1)
    eng.attach("a", fed.SQLite(db))

    async def many() -> list[object]:
        calls = [eng.aquery("SELECT t.v FROM a.t t WHERE t.id = $id", {"id": i})
                 for i in range(50)]
        await asyncio.sleep(0)
        eng.close()
        return await asyncio.gather(*calls, return_exceptions=True)

    outcomes = asyncio.run(many())
    # answered before the close, or refused by the closed engine: never hung or crashed
    assert all(isinstance(o, fed.Result | fed.ConfigurationError) for o in outcomes)
    with pytest.raises(fed.ConfigurationError):
        asyncio.run(eng.aquery("SELECT t.v FROM a.t t"))


def test_concurrent_aquery_over_three_stores_stays_in_each_bound(tmp_path: Path,
                                                                 db: Path) -> None:
    import lancedb
    import pyarrow as pa

    lancedb.connect(str(tmp_path / "lance")).create_table(
        "d", pa.table({"id": list(range(100)), "w": [f"w{i}" for i in range(100)]}))
    with fed.connect(pool_size=2, cache_bytes=0) as eng:
        eng.attach("a", fed.SQLite(db))
        eng.attach("v", fed.LanceDB(tmp_path / "lance"))
        eng.attach("g", fed.Kuzu(tmp_path / "g.kuzu"))
        graph = eng.sources["g"]
        graph.write("CREATE NODE TABLE P(id INT64, PRIMARY KEY (id))")  # type: ignore[attr-defined]
        graph.write("UNWIND range(0, 99) AS i CREATE (:P {id: i})")  # type: ignore[attr-defined]
        query = ("SELECT t.v, d.w, p.id FROM a.t t JOIN v.d d ON d.id = t.id "
                 "JOIN MATCH g (p:P) ON p.id = t.id WHERE t.id = $id")
        expected = {i: eng.query(query, {"id": i}).to_pylist() for i in range(10)}

        async def everyone() -> list[fed.Result]:
            return await asyncio.gather(*(eng.aquery(query, {"id": i % 10})
                                          for i in range(100)))

        for i, res in enumerate(asyncio.run(everyone())):
            assert res.to_pylist() == expected[i % 10] == [
                {"v": f"v{i % 10}", "w": f"w{i % 10}", "id": i % 10}]
        pools = eng.metrics()["pools"]
        peaks = {name: pools[name]["peak"] for name in "agv"}
        assert max(peaks.values()) == 2 and min(peaks.values()) >= 1, peaks  # never over 2
        assert eng.metrics()["errors"] == 0


def test_detach_stops_a_query_waiting_for_a_connection(db: Path) -> None:
    with fed.connect(pool_size=1) as eng:
        eng.attach("a", fed.SQLite(db))
        gate = eng._gates.gate("a")
        gate.acquire()  # the only slot is taken: the query below waits for it
        errors: list[BaseException] = []

        def waiting() -> None:
            try:
                eng.query("SELECT t.v FROM a.t t")
            except fed.FederationError as err:
                errors.append(err)

        thread = threading.Thread(target=waiting)
        thread.start()
        while gate.stats().waiting == 0:
            time.sleep(0.001)
        start = time.monotonic()
        eng.detach("a")  # cancels the queries using it, and waits for them to leave
        assert time.monotonic() - start < 1.0
        thread.join()
        gate.release()
        assert len(errors) == 1 and isinstance(errors[0], fed.SourceUnavailableError)
        assert gate.stats().waiting == 0 and gate.stats().in_use == 0
