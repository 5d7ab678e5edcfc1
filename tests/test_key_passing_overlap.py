"""A receiver of keys starts once its senders are read, while the query's other fragments are
still running (federation.executor): it does not wait for the slowest leg of the first phase.

The slow leg is a real SQLite source whose read first waits (up to a few seconds) for the
LanceDB receiver to have run: the receiver can run first only if it does not wait for that leg."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import apsw
import lancedb
import pyarrow as pa
import pytest

import federation as fed
from federation.sources.base import CompiledFragment
from federation.sources.lancedb import LanceDB
from federation.sources.sqlite import SQLite
from tests.test_key_passing import agents_db

# the scalar subquery's fragment neither sends nor receives keys
QUERY = """SELECT a.name, count(*) AS n FROM crm.agents AS a
           JOIN docs.events AS e ON e.agent_id = a.id
           WHERE a.team = 'core' AND e.weight < (SELECT max(t.cap) FROM slow.caps AS t)
           GROUP BY a.name"""
WAIT_S = 5.0


class Receiver(LanceDB):
    def __init__(self, path: Path, read: threading.Event) -> None:
        super().__init__(path)
        self.read = read

    def execute(self, compiled: CompiledFragment) -> Any:
        try:
            return super().execute(compiled)
        finally:
            self.read.set()


class Slow(SQLite):
    """Reads only once the receiver has read, or after ``WAIT_S``."""

    def __init__(self, path: Path, read: threading.Event) -> None:
        super().__init__(path)
        self.read = read
        self.saw_receiver: list[bool] = []

    def execute(self, compiled: CompiledFragment) -> Any:
        self.saw_receiver.append(self.read.wait(WAIT_S))
        return super().execute(compiled)


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    agents_db(tmp_path / "crm.db")
    con = apsw.Connection(str(tmp_path / "slow.db"))
    con.execute("CREATE TABLE caps (cap REAL)")
    con.executemany("INSERT INTO caps VALUES (?)", [(3.0,), (5.0,)])
    con.close()
    events = pa.table({"agent_id": pa.array([i % 600 for i in range(20_000)], pa.int64()),
                       "weight": pa.array([float(i % 7) for i in range(20_000)])})
    lancedb.connect(str(tmp_path / "lance")).create_table("events", events)
    return tmp_path


def _engine(root: Path, read: threading.Event, **options: object) -> tuple[fed.Engine, Slow]:
    eng = fed.connect(cache_bytes=0, **options)
    slow = Slow(root / "slow.db", read)
    eng.attach("crm", fed.SQLite(root / "crm.db"))
    eng.attach("docs", Receiver(root / "lance", read))
    eng.attach("slow", slow)
    return eng, slow


def test_a_receiver_does_not_wait_for_the_slowest_leg(root: Path) -> None:
    read = threading.Event()
    eng, slow = _engine(root, read, key_passing_rows=0)
    plain, _ = _engine(root, threading.Event(), key_passing_rows=None)
    with eng, plain:
        for _ in range(2):
            read.clear()
            res = eng.query(QUERY)
            assert any(n.startswith("applied") for n in res.plan.notes)  # keys were passed
            assert sorted(res.to_pylist(), key=str) == \
                sorted(plain.query(QUERY).to_pylist(), key=str)
        assert slow.saw_receiver == [True, True]
