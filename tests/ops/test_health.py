"""eng.health() on up and down sources, and the circuit breaker: open after repeated
failures, fail fast, a mirror serving meanwhile, half-open after the cool-down, closed by a
successful probe."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import lancedb
import pyarrow as pa
import pytest

import federation as fed
from federation.ops.health import CircuitOpenError


def sqlite_file(path: Path, rows: int = 3) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    con.executemany("INSERT INTO t VALUES (?, ?)", [(i, f"v{i}") for i in range(rows)])
    con.commit()
    con.close()
    return path


def test_health_of_up_sources(tmp_path: Path) -> None:
    lance = lancedb.connect(str(tmp_path / "lance"))
    lance.create_table("docs", pa.table({"id": [1, 2], "vec": [[0.0, 1.0], [1.0, 0.0]]}))
    with fed.connect() as eng:
        eng.attach("a", fed.SQLite(sqlite_file(tmp_path / "a.db")))
        eng.attach("v", fed.LanceDB(tmp_path / "lance"))
        report = eng.health()
        assert report["a"]["status"] == report["v"]["status"] == "ok"
        assert report["a"]["tables"] == {"t": 3} and report["v"]["tables"] == {"docs": 2}
        assert report["a"]["driver"].startswith("SQLite ") and report["a"]["latency_ms"] >= 0
        assert report["a"]["breaker"] == "closed"
        # a renamed LanceDB directory is down
        (tmp_path / "lance").rename(tmp_path / "moved")
        down = eng.health()["v"]
        assert down["status"] == "down" and down["error"]
        (tmp_path / "moved").rename(tmp_path / "lance")
        assert eng.health()["v"]["status"] == "ok"


def test_health_of_a_kuzu_file_that_is_gone(tmp_path: Path) -> None:
    with fed.connect() as eng:
        eng.attach("g", fed.Kuzu(tmp_path / "g.kuzu"))
        eng.sources["g"].write("CREATE NODE TABLE P(id INT64, PRIMARY KEY (id))")  # type: ignore[attr-defined]
        eng.sources["g"].write("CREATE (:P {id: 1})")  # type: ignore[attr-defined]
        assert eng.health()["g"]["tables"] == {"P": 1}
        (tmp_path / "g.kuzu").rename(tmp_path / "away.kuzu")
        assert eng.health()["g"]["status"] == "down"
        assert eng.metrics()["pools"]["g"]["capacity"] == 8  # listed though never queried


def test_breaker_opens_fails_fast_and_closes_after_a_probe(tmp_path: Path) -> None:
    path = sqlite_file(tmp_path / "a.db")
    with fed.connect(breaker_failures=2, breaker_cooldown=60) as eng:
        eng.attach("a", fed.SQLite(path))
        query = "SELECT t.v FROM a.t t WHERE t.id = $id"
        assert eng.query(query, {"id": 1}).to_pylist() == [{"v": "v1"}]
        path.rename(tmp_path / "away.db")
        for _ in range(2):
            with pytest.raises(fed.SourceUnavailableError) as info:
                eng.query(query, {"id": 2})
            assert not isinstance(info.value, CircuitOpenError)
        assert eng.metrics()["breakers"] == {"a": "open"}
        start = time.perf_counter()
        with pytest.raises(CircuitOpenError, match="marked down after 2 failures"):
            eng.query(query, {"id": 2})
        assert time.perf_counter() - start < 0.05
        assert eng.health()["a"]["status"] == "down"  # probes still reach the source
        (tmp_path / "away.db").rename(path)
        probed = eng.health()["a"]
        assert (probed["status"], probed["breaker"]) == ("ok", "closed")
        assert eng.query(query, {"id": 2}).to_pylist() == [{"v": "v2"}]
        errors = eng.metrics()["errors_by_type"]
        assert errors == {"SourceUnavailableError": 2, "CircuitOpenError": 1}


def test_half_open_after_the_cool_down(tmp_path: Path) -> None:
    path = sqlite_file(tmp_path / "a.db")
    with fed.connect(breaker_failures=1, breaker_cooldown=0.2) as eng:
        eng.attach("a", fed.SQLite(path))
        path.rename(tmp_path / "away.db")
        with pytest.raises(fed.SourceUnavailableError):
            eng.query("SELECT t.v FROM a.t t")
        with pytest.raises(CircuitOpenError):
            eng.query("SELECT t.v FROM a.t t")
        time.sleep(0.25)
        assert eng.metrics()["breakers"] == {"a": "half-open"}
        (tmp_path / "away.db").rename(path)
        assert len(eng.query("SELECT t.v FROM a.t t")) == 3  # the trial query closes it
        assert eng.metrics()["breakers"] == {"a": "closed"}


def test_a_mirror_serves_while_the_breaker_is_open(tmp_path: Path) -> None:
    primary = sqlite_file(tmp_path / "a.db")
    with fed.connect(breaker_failures=1, breaker_cooldown=60) as eng:
        eng.attach("a", fed.SQLite(primary))
        eng.attach("b", fed.SQLite(sqlite_file(tmp_path / "b.db")))
        eng.mirror("a.t", "b.t")
        query = "SELECT t.v FROM a.t t WHERE t.id = 1"
        assert eng.query(query).to_pylist() == [{"v": "v1"}]
        primary.rename(tmp_path / "away.db")
        eng.health()  # the failed probe opens the breaker
        assert eng.metrics()["breakers"]["a"] == "open"
        res = eng.query(query)
        assert res.to_pylist() == [{"v": "v1"}]
        assert {f.source for f in res.plan.fragments} == {"b"}
        # a route that must read the primary fails fast
        with pytest.raises(fed.SourceUnavailableError, match="'a'"):
            eng.query(query, route="#0 primary a.t")
        assert eng.metrics()["breakers"]["a"] == "open"


@pytest.mark.parametrize("option", [{"breaker_failures": 0}, {"breaker_failures": True},
                                    {"breaker_cooldown": -1}, {"pool_size": "4"}])
def test_bad_operations_options(option: dict[str, Any]) -> None:
    with pytest.raises(fed.ConfigurationError, match=next(iter(option))):
        fed.connect(**option)


def test_a_source_too_busy_to_probe_is_down_unprobed(tmp_path: Path) -> None:
    from federation.ops import engine_ops

    with fed.connect(pool_size=1) as eng:
        eng.attach("a", fed.SQLite(sqlite_file(tmp_path / "a.db")))
        gate = eng._gates.gate("a")
        gate.acquire()
        wait, engine_ops.PROBE_WAIT_S = engine_ops.PROBE_WAIT_S, 0.05
        try:
            report = eng.health()["a"]
        finally:
            engine_ops.PROBE_WAIT_S = wait
            gate.release()
        assert report["status"] == "down" and report["error"].startswith("busy")
        assert report["breaker"] == "closed" and eng.health()["a"]["status"] == "ok"
