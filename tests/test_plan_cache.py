"""The plan cache may only return a plan that means the same for the new query: parameter
values stay live, LIMIT values and schema changes make new plans."""

from __future__ import annotations

from pathlib import Path

import apsw
import pytest

import federation as fed


@pytest.fixture()
def eng(tmp_path: Path) -> fed.Engine:
    path = tmp_path / "c.db"
    con = apsw.Connection(str(path))
    con.execute("CREATE TABLE t (id INTEGER, name TEXT)")
    con.executemany("INSERT INTO t VALUES (?, ?)", [(i, f"n{i}") for i in range(10)])
    con.close()
    engine = fed.connect()
    engine.attach("s", fed.SQLite(path))
    engine.path = path  # type: ignore[attr-defined]
    return engine


def test_parameter_values_are_not_frozen_into_plans(eng: fed.Engine) -> None:
    text = "SELECT t.name FROM s.t AS t WHERE t.id = $id"
    assert eng.query(text, {"id": 3}).to_pylist() == [{"name": "n3"}]
    assert eng.query(text, {"id": 4}).to_pylist() == [{"name": "n4"}]
    assert eng.query(text, {"id": "4"}).to_pylist() == [{"name": "n4"}]  # DuckDB's cast


def test_limit_values_make_new_plans(eng: fed.Engine) -> None:
    text = "SELECT t.id FROM s.t AS t ORDER BY t.id LIMIT $n"
    assert len(eng.query(text, {"n": 2})) == 2
    assert len(eng.query(text, {"n": 5})) == 5
    with pytest.raises(fed.BindError):
        eng.query(text, {"n": -1})


def test_whitespace_and_comments_share_a_plan_but_schema_changes_do_not(eng: fed.Engine) -> None:
    eng.query("SELECT t.id FROM s.t AS t")
    eng.query("SELECT  t.id\nFROM s.t AS t -- same query")
    assert len(eng._plans) == 1
    con = apsw.Connection(str(eng.path))  # type: ignore[attr-defined]
    con.execute("ALTER TABLE t ADD COLUMN extra INTEGER DEFAULT 7")
    con.close()
    assert eng.query("SELECT t.extra FROM s.t AS t WHERE t.id = 1").to_pylist() == [{"extra": 7}]
    assert len(eng.query("SELECT t.* FROM s.t AS t").arrow().schema) == 3


def test_result_row_cap(tmp_path: Path) -> None:
    path = tmp_path / "cap.db"
    con = apsw.Connection(str(path))
    con.execute("CREATE TABLE t (id INTEGER)")
    con.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(10)])
    con.close()
    with fed.connect(max_rows=5) as eng:
        eng.attach("s", fed.SQLite(path))
        assert len(eng.query("SELECT t.id FROM s.t AS t LIMIT 5")) == 5
        with pytest.raises(fed.ResourceLimitError, match="at most 5"):
            eng.query("SELECT t.id FROM s.t AS t")
