"""The caches the hot path keeps to cut its fixed cost per query: the result cache's byte-bounded
LRU, Arrow schemas built once per plan schema, and SQLite fragment texts reused across values
(``federation.sources.sqlite_templates``): each is checked for staleness as well as for reuse."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import FrameType
from typing import Any

import pyarrow as pa
import pytest

import federation as fed
from federation.cache import _BytesLRU
from federation.sources.base import arrow_schema
from federation.sources.sqlite_templates import Templates
from planner.expressions import ColumnRef
from planner.logical import Scan
from tests.cache.conftest import rows


def test_lru_keeps_its_byte_bound_and_drops_the_least_recently_used() -> None:
    lru: _BytesLRU[str] = _BytesLRU(100)
    lru.put("a", "A", 40)
    lru.put("b", "B", 40)
    assert lru.find("a") == "A"  # now b is the least recently used
    lru.put("c", "C", 40)
    assert (lru.find("b"), lru.find("a"), lru.find("c")) == (None, "A", "C")
    assert (lru.currsize, lru.evictions, len(lru)) == (80, 1, 2)
    lru.put("a", "A2", 10)  # replaced: its old size is given back, nothing dropped
    assert (lru.find("a"), lru.currsize, lru.evictions) == ("A2", 50, 1)
    lru.clear()
    assert (len(lru), lru.currsize, lru.find("a")) == (0, 0, None)


def test_lru_lookup_and_store_of_a_new_key_keep_cachetools_order_and_bytes() -> None:
    # the miss path's one-call lookup (get) and store (add) use cachetools' own dict and order
    lru: _BytesLRU[str] = _BytesLRU(100)
    lru.add("a", ("A", 60))
    lru.add("b", ("B", 30))
    assert lru.get("a") == ("A", 60)  # now b is the least recently used
    lru.add("c", ("C", 30))
    assert lru.get("b", ("none", 0)) == ("none", 0)
    assert (lru.currsize, lru.evictions, sorted(lru)) == (90, 1, ["a", "c"])
    assert (lru.find("c"), lru.pop("a")) == ("C", ("A", 60))
    assert (lru.currsize, len(lru)) == (30, 1)


def test_a_new_key_is_stored_without_an_exception() -> None:
    # cachetools' LRU stores a new key's order on a KeyError: _BytesLRU's store does without
    # (it reads the order under cachetools' private name: a rename fails here or in the LRU test)
    raised: list[type[BaseException]] = []

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "exception":
            raised.append(arg[0])
        return trace

    lru: _BytesLRU[str] = _BytesLRU(100)
    lru.put("a", "A", 10)
    before = sys.gettrace()
    sys.settrace(trace)
    try:
        lru.put("b", "B", 10)
        lru.put("a", "A2", 10)  # an existing key: moved to the end, not stored again
    finally:
        sys.settrace(before)
    assert raised == []
    assert (lru.find("a"), lru.find("b"), lru.currsize) == ("A2", "B", 20)


def test_arrow_schema_follows_the_types_of_equal_looking_schemas() -> None:
    # ColumnRef compares without its type: the cache must key on the tuple itself
    ints = (ColumnRef("t", "a", pa.int64()),)
    texts = (ColumnRef("t", "a", pa.string()),)
    assert ints == texts
    assert arrow_schema(ints).field(0).type == pa.int64()
    assert arrow_schema(texts).field(0).type == pa.string()
    assert arrow_schema(ints) is arrow_schema(ints)  # built once


# ---- SQLite fragment texts kept across runs (federation.sources.sqlite_templates)

def _fresh_answer(path: Path, text: str, params: dict[str, object],
                  oracle: fed.Engine | None = None) -> list[str]:
    """The oracle: a source attached anew compiles the fragment for the first time."""
    if oracle is None:
        with fed.connect(cache_bytes=0) as eng:
            return _fresh_answer(path, text, params, eng)
    oracle.attach("s", fed.SQLite(path))
    try:
        return rows(oracle.query(text, params))
    finally:
        oracle.detach("s")


def _people(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT, born DATE, score REAL)")
    con.executemany("INSERT INTO p VALUES (?, ?, ?, ?)",
                    [(i, f"n{i}" if i != 3 else "a\x00b", f"2024-01-{i + 1:02d}", i / 2)
                     for i in range(8)])
    con.commit()
    con.close()


# each query with values of several types and values that decide the text (a NUL in LIKE)
REUSED = [
    ("SELECT p.name FROM s.p AS p WHERE p.id = $v", [1, 2, 2.0, 2.5, 7, True]),  # LOOKUP
    ("SELECT p.id FROM s.p AS p WHERE p.born >= $v",
     [dt.date(2024, 1, 5), dt.datetime(2024, 1, 5), dt.date(2024, 1, 2),
      dt.datetime(2024, 1, 4, 12)]),
    ("SELECT p.id FROM s.p AS p WHERE p.name LIKE $v", ["n%", "a\x00%", "%b", "a_b"]),
    ("SELECT p.id FROM s.p AS p WHERE p.score > $v AND p.id < 6", [1, 0.5, Decimal("1.5"), 2]),
]


@pytest.mark.parametrize(("text", "values"), REUSED)
def test_kept_texts_answer_as_a_first_compile_does(tmp_path: Path, text: str,
                                                    values: list[object]) -> None:
    path = tmp_path / "p.db"
    _people(path)
    with fed.connect(cache_bytes=0) as eng, fed.connect(cache_bytes=0) as oracle:
        want = {i: _fresh_answer(path, text, {"v": v}, oracle) for i, v in enumerate(values)}
        eng.attach("s", fed.SQLite(path))
        for _ in range(2):  # the second pass finds every text kept
            for i, v in enumerate(values):
                assert rows(eng.query(text, {"v": v})) == want[i], v


LOOKUP = "SELECT p.name FROM s.p AS p WHERE p.id = $v"


@pytest.fixture
def people(tmp_path: Path) -> Iterator[tuple[Path, fed.Engine]]:
    """The people file and an engine on it, the cache off (every query compiles)."""
    path = tmp_path / "p.db"
    _people(path)
    with fed.connect(cache_bytes=0) as eng:
        eng.attach("s", fed.SQLite(path))
        yield path, eng


def test_kept_text_binds_the_new_value(people: tuple[Path, fed.Engine]) -> None:
    _, eng = people
    first, second = (eng.explain(LOOKUP, {"v": v}).fragments[0] for v in (1, 5))
    assert first.native == second.native and (first.params, second.params) == ((1,), (5,))
    assert rows(eng.query(LOOKUP, {"v": 5})) == [repr([("name", "n5")])]


def test_a_source_write_and_a_schema_change_are_seen(people: tuple[Path, fed.Engine]) -> None:
    path, eng = people
    assert rows(eng.query(LOOKUP, {"v": 1})) == [repr([("name", "n1")])]
    con = sqlite3.connect(path)
    con.execute("UPDATE p SET name = 'changed' WHERE id = 1")
    con.commit()
    assert rows(eng.query(LOOKUP, {"v": 1})) == [repr([("name", "changed")])]
    # the same names, other types: a new plan, hence a new text and estimate
    con.executescript("DROP TABLE p; CREATE TABLE p (id TEXT PRIMARY KEY, name INTEGER);"
                      "INSERT INTO p VALUES ('1', 10), ('2', 20);")
    con.close()
    assert rows(eng.query(LOOKUP, {"v": "2"})) == [repr([("name", 20)])]
    assert rows(eng.query(LOOKUP, {"v": "2"})) == _fresh_answer(path, LOOKUP, {"v": "2"})


def test_estimates_are_made_again_when_the_catalog_or_the_data_moved() -> None:
    kept, made = Templates(), []
    fragment = Scan("s", (), (), ())

    def make() -> int:
        made.append(1)
        return len(made)

    catalog = object()
    assert kept.estimate(fragment, (catalog, 1), make) == 1
    assert kept.estimate(fragment, (catalog, 1), make) == 1  # kept
    assert kept.estimate(fragment, (catalog, 2), make) == 2  # the data moved
    assert kept.estimate(fragment, (object(), 2), make) == 3  # another catalog
    assert kept.estimate(Scan("s", (), (), ()), (catalog, 2), make) == 4  # another fragment
