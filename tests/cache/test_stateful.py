"""Writes to SQLite (Python's sqlite3) and LanceDB (its own client) interleaved with queries
from a fixed set, as hypothesis picks them: the cached engine always answers what the engine
with the cache off answers on the same files."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from tests.cache.conftest import LANCE_AGED, docs_table, engine, make_stores, rows

QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("SELECT i.id, i.grp, i.val FROM s.items AS i WHERE i.grp = $g", {"g": "a"}),
    ("SELECT i.id, i.grp, i.val FROM s.items AS i WHERE i.grp = $g", {"g": "b"}),
    ("SELECT i.grp, count(*) AS n, sum(i.val) AS t FROM s.items AS i GROUP BY i.grp", {}),
    ("SELECT d.id, d.grp FROM v.docs AS d WHERE d.id >= $lo", {"lo": 3}),
    ("SELECT d.grp, count(*) AS n FROM v.docs AS d GROUP BY d.grp", {}),
    ("SELECT i.id, i.val, d.grp FROM s.items AS i JOIN v.docs AS d ON d.id = i.id "
     "WHERE i.val >= $m", {"m": 0}),
]
GROUPS = st.sampled_from(["a", "b", "c"])
IDS = st.integers(0, 14)
# over all examples: that the cache answered some queries
SEEN = {"examples": 0, "queries": 0, "hits": 0, "partial": 0}


class CacheAgrees(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        import lancedb

        SEEN["examples"] += 1
        self.root = Path(tempfile.mkdtemp(prefix="fed-cache-stateful-"))
        stores = make_stores(self.root, lance=True)
        # kept open for the whole run: closing a sqlite3 connection while the engine's apsw
        # connections are open drops their POSIX locks (two SQLite libraries, one process)
        self.sql = sqlite3.connect(stores.sqlite, isolation_level=None)
        self.docs = lancedb.connect(str(stores.lance)).open_table("docs")
        self.cached = engine(stores, lance=True)
        self.plain = engine(stores, lance=True, cache_bytes=0)

    @rule(i=IDS, grp=GROUPS, val=st.integers(-50, 50))
    def sqlite_upsert(self, i: int, grp: str, val: int) -> None:
        self.sql.execute("INSERT OR REPLACE INTO items VALUES (?, ?, ?)", (i, grp, val))

    @rule(grp=GROUPS, delta=st.integers(-5, 5))
    def sqlite_update(self, grp: str, delta: int) -> None:
        self.sql.execute("UPDATE items SET val = val + ? WHERE grp = ?", (delta, grp))

    @rule(i=IDS)
    def sqlite_delete(self, i: int) -> None:
        self.sql.execute("DELETE FROM items WHERE id = ?", (i,))

    @rule(i=IDS, grp=GROUPS)
    def lance_add(self, i: int, grp: str) -> None:
        self.docs.add(docs_table([i], grp))

    @rule(i=IDS)
    def lance_delete(self, i: int) -> None:
        self.docs.delete(f"id = {i}")

    @rule()
    def pause(self) -> None:
        time.sleep(LANCE_AGED)  # LanceDB's stamps age: its queries can hit again

    # three query rules to the five writing ones: reads are about half of the steps
    @rule(which=st.integers(0, len(QUERIES) - 1))
    def query(self, which: int) -> None:
        self._agree(which)

    @rule(which=st.integers(0, len(QUERIES) - 1))
    def query_again(self, which: int) -> None:
        self._agree(which)

    @rule(which=st.integers(0, len(QUERIES) - 1))
    def query_twice(self, which: int) -> None:
        self._agree(which)
        self._agree(which)

    def _agree(self, which: int) -> None:
        text, params = QUERIES[which]
        res = self.cached.query(text, params)
        assert rows(res) == rows(self.plain.query(text, params)), (text, res.plan.cache)
        SEEN["queries"] += 1
        SEEN["hits"] += res.plan.cache.startswith("hit")
        SEEN["partial"] += "partial reuse" in res.plan.cache

    def teardown(self) -> None:
        self.cached.close()
        self.plain.close()
        self.sql.close()
        shutil.rmtree(self.root, ignore_errors=True)


def test_cache_on_and_off_agree() -> None:
    SEEN.update(dict.fromkeys(SEEN, 0))
    run_state_machine_as_test(CacheAgrees, settings=settings(
        max_examples=12, stateful_step_count=20, deadline=None, database=None))
    assert SEEN["examples"] > 1 and SEEN["hits"] > 0, SEEN  # the cache answered some
