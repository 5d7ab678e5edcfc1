"""The result cache reads the version of every source a set operation's branches read
(i10-b): a write to the source of the second branch only, or of a source reached only
through a derived table inside a branch, makes the next run a miss with the new answer."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import federation as fed
from tests.cache.conftest import build_sqlite, rows

UNION = ("SELECT i.id, i.val FROM s.items AS i WHERE i.grp = 'a' "
         "UNION ALL SELECT o.id, o.val FROM o.items AS o WHERE o.val >= $m")
NESTED = ("SELECT i.id FROM s.items AS i EXCEPT SELECT x.id FROM (SELECT o.id FROM o.items AS o "
          "WHERE o.val > 50) AS x ORDER BY 1")


def _write(path: Path, sql: str) -> None:
    con = sqlite3.connect(path)
    con.execute(sql)
    con.commit()
    con.close()


def test_a_write_to_any_branch_source_is_seen(tmp_path: Path) -> None:
    build_sqlite(tmp_path / "s.db")
    build_sqlite(tmp_path / "o.db")
    with fed.connect() as cached, fed.connect(cache_bytes=0) as plain:
        for eng in (cached, plain):
            eng.attach("s", fed.SQLite(tmp_path / "s.db"))
            eng.attach("o", fed.SQLite(tmp_path / "o.db"))
        for text, params in ((UNION, {"m": 60}), (NESTED, {})):
            cached.query(text, params)
            assert cached.query(text, params).plan.cache == "hit"
        _write(tmp_path / "o.db", "UPDATE items SET val = val - 100 WHERE id > 7")
        for text, params in ((UNION, {"m": 60}), (NESTED, {})):
            res = cached.query(text, params)
            assert res.plan.cache.startswith("miss")  # the s fragment may be reused
            assert rows(res) == rows(plain.query(text, params))
