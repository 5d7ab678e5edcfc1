"""The result cache's key, bounds and bookkeeping, checked through the engine on SQLite (and
LanceDB for vectors and forced routes): answers always equal the cache-off engine's."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from decimal import Decimal
from pathlib import Path

import apsw
import numpy as np
import pytest

import federation as fed
from tests.cache.conftest import (
    LANCE_AGED,
    SQL_ROWS,
    Stores,
    build_sqlite,
    engine,
    make_stores,
    rows,
    same,
)

ECHO = "SELECT $x AS x, i.id FROM s.items AS i WHERE i.id = 1"
# values that compare equal in Python (or print alike) but type differently
LOOKALIKES: list[object] = [1, True, 1.0, 0.0, -0.0, Decimal("1.0"), Decimal("1.00"),
                            dt.date(2024, 1, 2), dt.datetime(2024, 1, 2), "1", 0, False,
                            # vectors whose elements are equal but typed apart
                            [1, 2], [1.0, 2.0], [True, False], [1, 0]]


def test_lookalike_values_never_share_an_entry(
        sqlite_pair: tuple[fed.Engine, fed.Engine]) -> None:
    cached, plain = sqlite_pair
    for x in LOOKALIKES:
        # the SQLite leg does not read $x: its rows may come from the legs' cache
        assert same(cached, plain, ECHO, {"x": x}).plan.cache.startswith("miss"), x
    assert cached.cache.info()["entries"] == len(LOOKALIKES)
    for x in reversed(LOOKALIKES):  # each is found again under its own key
        assert same(cached, plain, ECHO, {"x": x}).plan.cache == "hit", x
    res = cached.query(ECHO, {"x": -0.0})
    assert str(res.to_pylist()[0]["x"]) == "-0.0"


def test_different_vectors_never_share_an_entry(tmp_path: Path) -> None:
    stores = make_stores(tmp_path, sqlite=False, lance=True)
    time.sleep(LANCE_AGED)
    text = "SELECT d.id, d._distance FROM NEAREST v.docs TO $q K 3 AS d"
    vectors: list[object] = [[1.0, 0.0, 1.0, 0.0], [7.0, 0.0, 1.0, 0.0], [7.0, 0.0, 1.0, 0.5],
                             np.array([3.0, 0.0, 1.0, 0.0], np.float32)]
    with engine(stores, sqlite=False, lance=True) as cached, \
            engine(stores, sqlite=False, lance=True, cache_bytes=0) as plain:
        answers = set()
        for _ in range(2):
            for q in vectors:
                answers.add(tuple(rows(same(cached, plain, text, {"q": q}))))
        assert len(answers) == len(vectors)
        assert cached.cache.info()["hits"] == len(vectors)


def test_spelling_of_the_text_does_not_matter(sqlite_pair: tuple[fed.Engine, fed.Engine]
                                              ) -> None:
    cached, plain = sqlite_pair
    assert same(cached, plain, SQL_ROWS, {"g": "a"}).plan.cache == "miss"
    respelled = "select  i.id,i.grp ,\n  i.val\tfrom s.items as i\nwhere i.grp=$g"
    assert same(cached, plain, respelled, {"g": "a"}).plan.cache == "hit"
    # a literal of another type is another query (its SQLite leg, compiled for an INTEGER
    # column, binds 10 either way and may be reused)
    ten = "SELECT i.id FROM s.items AS i WHERE i.val = 10"
    assert same(cached, plain, ten).plan.cache == "miss"
    assert same(cached, plain, ten.replace("10", "10.0")).plan.cache.startswith("miss")
    assert same(cached, plain, ten.replace("10", "11")).plan.cache == "miss"


def test_forced_route_is_keyed_apart(tmp_path: Path) -> None:
    stores = make_stores(tmp_path, lance=True)
    time.sleep(LANCE_AGED)
    text = ("SELECT i.id, d.grp FROM s.items AS i JOIN v.docs AS d ON d.id = i.id "
            "WHERE i.val > $m")
    with engine(stores, lance=True) as cached, \
            engine(stores, lance=True, cache_bytes=0) as plain:
        routes = cached.explain(text, {"m": 20}).route
        assert routes is not None and len(routes.considered) > 1
        want = rows(plain.query(text, {"m": 20}))
        assert cached.query(text, {"m": 20}).plan.cache == "miss"
        for alt in routes.considered:
            res = cached.query(text, {"m": 20}, route=alt.name)
            assert res.plan.cache.startswith("miss"), alt.name
            assert rows(res) == want
            assert cached.query(text, {"m": 20}, route=alt.name).plan.cache == "hit"
        assert cached.cache.info()["entries"] == 1 + len(routes.considered)


def test_errors_are_never_cached(sqlite_stores: Stores) -> None:
    """A failing query fails again and stores nothing; once fixed it answers. The fixes
    here move no version token (a lock released), or the failure is in the query itself."""
    with engine(sqlite_stores) as cached, engine(sqlite_stores, cache_bytes=0) as plain:
        same(cached, plain, SQL_ROWS, {"g": "b"})
        entries = cached.cache.info()["entries"]
        bad = "SELECT i.id FROM s.items AS i WHERE i.val = $d"  # DuckDB cannot cast to a date
        for _ in range(2):
            with pytest.raises(fed.SourceError):
                cached.query(bad, {"d": dt.date(2024, 1, 2)})
        with pytest.raises(fed.BindError):
            cached.query("SELECT t.a FROM s.later AS t")
        locker = apsw.Connection(str(sqlite_stores.sqlite))
        locker.execute("BEGIN EXCLUSIVE")  # readers of a rollback-journal file wait
        cached.timeout = 0.3  # seconds: the query gives up waiting
        for _ in range(2):
            with pytest.raises(fed.QueryTimeoutError):
                cached.query(SQL_ROWS, {"g": "a"})
        cached.timeout = None
        locker.execute("ROLLBACK")
        locker.close()
        assert cached.cache.info()["entries"] == entries
        assert same(cached, plain, SQL_ROWS, {"g": "a"}).plan.cache == "miss"
        con = sqlite3.connect(sqlite_stores.sqlite)
        con.execute("CREATE TABLE later (a INTEGER)")
        con.execute("INSERT INTO later VALUES (5)")
        con.commit()
        con.close()
        assert cached.query("SELECT t.a FROM s.later AS t").to_pylist() == [{"a": 5}]


def test_answers_over_the_entry_bound_are_not_stored(sqlite_stores: Stores) -> None:
    with engine(sqlite_stores, cache_entry_bytes=8) as cached, \
            engine(sqlite_stores, cache_bytes=0) as plain:
        for _ in range(2):
            assert same(cached, plain, SQL_ROWS, {"g": "a"}).plan.cache == "miss"
        info = cached.cache.info()
        assert info["entries"] == 0 and info["bytes"] == 0 and info["not_stored"] >= 2
        assert info["entry_bytes"] == 8 and info["hits"] == 0


def test_eviction_keeps_the_byte_bound(sqlite_stores: Stores) -> None:
    text = "SELECT i.id, i.grp, i.val FROM s.items AS i WHERE i.val >= $m"
    # an entry counts its Python objects too (answers.ENTRY_OVERHEAD): about 2.2 KB each
    with engine(sqlite_stores, cache_bytes=64 * 1024) as cached, \
            engine(sqlite_stores, cache_bytes=0) as plain:
        for m in range(-60, 0):  # each answer holds every row, under its own key
            same(cached, plain, text, {"m": m})
            info = cached.cache.info()
            assert info["bytes"] <= info["max_bytes"] == 64 * 1024
            assert info["fragment_bytes"] <= info["fragment_max_bytes"] == 16 * 1024
        assert info["evictions"] > 0 and 0 < info["entries"] < 60
        # the most recent answer is still there, the first long gone
        assert same(cached, plain, text, {"m": -1}).plan.cache == "hit"
        assert same(cached, plain, text, {"m": -60}).plan.cache.startswith("miss")


def test_clear_and_off(sqlite_stores: Stores) -> None:
    with engine(sqlite_stores) as cached, engine(sqlite_stores, cache_bytes=0) as off:
        same(cached, off, SQL_ROWS, {"g": "a"})
        assert cached.cache.info()["entries"] == 1
        cached.cache.clear()
        info = cached.cache.info()
        assert info["entries"] == info["bytes"] == info["fragment_entries"] == 0
        assert info["misses"] == 1  # counters stay
        assert same(cached, off, SQL_ROWS, {"g": "a"}).plan.cache == "miss"
        for _ in range(3):
            assert off.query(SQL_ROWS, {"g": "a"}).plan.cache == "off"
        info = off.cache.info()
        assert info["hits"] == info["misses"] == info["entries"] == 0
        assert "== Cache ==" in str(cached.query(SQL_ROWS, {"g": "a"}).plan)


@pytest.mark.parametrize("option", ["cache_bytes", "cache_entry_bytes", "cache_fragment_bytes"])
@pytest.mark.parametrize("value", [-1, 1.5, "1", True])
def test_invalid_options(option: str, value: object) -> None:
    with pytest.raises(fed.ConfigurationError, match=option):
        fed.connect(**{option: value})  # type: ignore[arg-type]


def test_max_rows_holds_on_a_hit(sqlite_pair: tuple[fed.Engine, fed.Engine]) -> None:
    cached, _ = sqlite_pair
    assert len(cached.query(SQL_ROWS, {"g": "a"}).to_pylist()) == 5
    cached.max_rows = 3
    with pytest.raises(fed.ResourceLimitError):
        cached.query(SQL_ROWS, {"g": "a"})
    cached.max_rows = 5
    assert cached.query(SQL_ROWS, {"g": "a"}).plan.cache == "hit"


def test_detach_and_attach_another_file(sqlite_stores: Stores, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    build_sqlite(other)
    con = sqlite3.connect(other)  # same schema and row count, other values
    con.execute("UPDATE items SET val = val + 5")
    con.commit()
    con.close()
    with engine(sqlite_stores) as cached:
        first = rows(cached.query(SQL_ROWS, {"g": "a"}))
        cached.detach("s")
        cached.attach("s", fed.SQLite(other))
        res = cached.query(SQL_ROWS, {"g": "a"})
        assert res.plan.cache == "miss" and rows(res) != first
        assert {r["val"] % 10 for r in res.to_pylist()} == {5}
        cached.detach("s")
        cached.attach("s", fed.SQLite(sqlite_stores.sqlite))  # the first file again
        res = cached.query(SQL_ROWS, {"g": "a"})
        assert res.plan.cache == "miss" and rows(res) == first


def test_stores_keep_cachetools_byte_accounting() -> None:
    """``_BytesLRU.add`` inlines cachetools' store: its running total, its sizes and its
    order stay those cachetools keeps (a drift would let the cache outgrow its bound)."""
    from federation.cache import ResultCache

    cache: ResultCache[str] = ResultCache(10_000, entry_bytes=10_000)
    sizes = {i: 100 + (i % 7) * 350 for i in range(300)}
    for i, size in sizes.items():
        assert cache.answer(("k", i), lambda i=i, size=size: (f"v{i}", size)) == (f"v{i}", "miss")
        lru = cache._results
        kept = {k: v for k, v in lru.items()}
        assert lru.currsize == sum(size for _, size in kept.values()) <= 10_000
        assert list(lru._order) == list(kept)  # least recently used first
    info = cache.info()
    assert info["evictions"] == 300 - info["entries"] > 0
    assert cache.answer(("k", 299), lambda: ("again", 1)) == ("v299", "hit")
    assert cache.answer(("k", 0), lambda: ("again", 1)) == ("again", "miss")
