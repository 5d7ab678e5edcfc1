"""The caches the hot path keeps to cut its fixed cost per query: the result cache's byte-bounded
LRU, Arrow schemas built once per plan schema, and SQLite fragment texts reused across values
(``federation.sources.sqlite_templates``): each is checked for staleness as well as for reuse."""

from __future__ import annotations

import pyarrow as pa

from federation.cache import _BytesLRU
from federation.sources.base import arrow_schema
from planner.expressions import ColumnRef


def test_lru_keeps_its_byte_bound_and_drops_the_least_recently_used() -> None:
    lru: _BytesLRU[str] = _BytesLRU(100)
    lru.put("a", "A", 40)
    lru.put("b", "B", 40)
    assert lru.get("a") == "A"  # now b is the least recently used
    lru.put("c", "C", 40)
    assert (lru.get("b"), lru.get("a"), lru.get("c")) == (None, "A", "C")
    assert (lru.currsize, lru.evictions, len(lru)) == (80, 1, 2)
    lru.put("a", "A2", 10)  # replaced: its old size is given back, nothing dropped
    assert (lru.get("a"), lru.currsize, lru.evictions) == ("A2", 50, 1)
    lru.clear()
    assert (len(lru), lru.currsize, lru.get("a")) == (0, 0, None)


def test_arrow_schema_follows_the_types_of_equal_looking_schemas() -> None:
    # ColumnRef compares without its type: the cache must key on the tuple itself
    ints = (ColumnRef("t", "a", pa.int64()),)
    texts = (ColumnRef("t", "a", pa.string()),)
    assert ints == texts
    assert arrow_schema(ints).field(0).type == pa.int64()
    assert arrow_schema(texts).field(0).type == pa.string()
    assert arrow_schema(ints) is arrow_schema(ints)  # built once
