"""With the cache on, a query plans on each source's catalog at the version token its cache key
holds (``Source.info_at``: the version is read once per query). A schema changed by another
client since the last query is seen by the next one, as with the cache off."""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

import lancedb

import federation as fed
from tests.cache.conftest import LANCE_AGED, LANCE_ROWS, engine, make_stores, same


def test_lance_new_column_and_table_are_planned_on(tmp_path: Path) -> None:
    stores = make_stores(tmp_path, sqlite=False, lance=True)
    with engine(stores, sqlite=False, lance=True) as cached, \
            engine(stores, sqlite=False, lance=True, cache_bytes=0) as plain:
        for pause in (0.0, LANCE_AGED):  # a new listing, then directory stamps trusted
            same(cached, plain, LANCE_ROWS, {"lo": 0})
            time.sleep(pause)
        db = lancedb.connect(str(stores.lance))
        db.open_table("docs").add_columns({"note": "concat('n', cast(id AS string))"})
        res = same(cached, plain, "SELECT d.id, d.note FROM v.docs AS d WHERE d.id >= $lo",
                   {"lo": 8})
        assert sorted(r["note"] for r in res.to_pylist()) == ["n8", "n9"]
        db.create_table("extra", data=[{"k": 1}, {"k": 2}])
        res = same(cached, plain, "SELECT e.k FROM v.extra AS e WHERE e.k >= $lo", {"lo": 2})
        assert res.to_pylist() == [{"k": 2}]


def test_kuzu_new_node_table_is_planned_on(tmp_path: Path) -> None:
    stores = make_stores(tmp_path, sqlite=False, kuzu=True)
    with engine(stores, sqlite=False, kuzu=True) as cached, \
            engine(stores, sqlite=False, kuzu=True, cache_bytes=0) as plain:
        same(cached, plain, "SELECT x.id FROM MATCH g (x:Person) WHERE x.id >= $lo", {"lo": 8})
        graph = cast(fed.Kuzu, cached.sources["g"])
        graph.write("CREATE NODE TABLE City(id INT64, name STRING, PRIMARY KEY(id))")
        graph.write("CREATE (:City {id: 1, name: 'Oslo'})")
        res = same(cached, plain, "SELECT c.name FROM MATCH g (c:City) WHERE c.id >= $lo",
                   {"lo": 1})
        assert res.to_pylist() == [{"name": "Oslo"}]
