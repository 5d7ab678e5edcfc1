"""A table read only inside a subquery or a CTE counts for the result cache like any other:
its source's version is part of the answer's key, so a write there is seen at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import apsw
import pytest

import federation as fed
from grammar.ast_relations import sources_of
from grammar.parser import parse
from tests.cache.conftest import build_sqlite, same

# the outer query reads source ``s``; source ``t`` (another file) is read only inside
INNER_ONLY = [
    "SELECT i.id FROM s.items AS i WHERE i.id IN (SELECT j.id FROM t.items AS j "
    "WHERE j.val >= $m)",
    "SELECT i.id, (SELECT count(*) FROM t.items AS j WHERE j.grp = i.grp AND j.val >= $m) "
    "AS n FROM s.items AS i",
    "SELECT i.id FROM s.items AS i WHERE EXISTS (SELECT 1 FROM (SELECT j.id FROM t.items AS j "
    "WHERE j.val >= $m) AS d WHERE d.id = i.id)",
    "WITH big AS (SELECT j.id FROM t.items AS j WHERE j.val >= $m) "
    "SELECT i.id FROM s.items AS i JOIN big AS b ON b.id = i.id",
    "SELECT i.id FROM s.items AS i WHERE i.val > ALL (SELECT j.val - 1000 FROM t.items AS j "
    "WHERE j.val >= $m)",
]


@pytest.fixture()
def engines(tmp_path: Path) -> Iterator[tuple[fed.Engine, fed.Engine, Path]]:
    build_sqlite(tmp_path / "s.db")
    build_sqlite(tmp_path / "t.db")
    cached, plain = fed.connect(), fed.connect(cache_bytes=0)
    for eng in (cached, plain):
        eng.attach("s", fed.SQLite(tmp_path / "s.db"))
        eng.attach("t", fed.SQLite(tmp_path / "t.db"))
    yield cached, plain, tmp_path / "t.db"
    cached.close()
    plain.close()


@pytest.mark.parametrize("text", INNER_ONLY)
def test_sources_of_sees_inside_subqueries_and_ctes(text: str) -> None:
    assert sources_of(parse(text)) == {"s", "t"}


@pytest.mark.parametrize("text", INNER_ONLY)
def test_write_to_a_table_read_only_inside_is_seen(
        engines: tuple[fed.Engine, fed.Engine, Path], text: str) -> None:
    cached, plain, inner = engines
    params = {"m": 50}
    before = same(cached, plain, text, params)
    assert cached.query(text, params).plan.cache == "hit"
    con = apsw.Connection(str(inner))
    con.execute("UPDATE items SET val = val + 1000 WHERE id IN (1, 2)")
    con.close()
    after = same(cached, plain, text, params)
    assert after.plan.cache.startswith("miss"), after.plan.cache
    assert after.to_pylist() != before.to_pylist()
