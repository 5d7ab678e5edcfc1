"""The plan cache may only return a plan that means the same for the new query: parameter
values stay live, LIMIT values and schema changes make new plans."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import apsw
import pyarrow as pa
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


def test_literals_of_different_types_are_different_queries(eng: fed.Engine) -> None:
    """``1 == True == 1.0`` in Python, and ``Decimal('0.1') == Decimal('0.10')``; as FQL
    literals they give different result types, so they must not share a plan."""
    def typed(literal: str) -> tuple[object, pa.DataType]:
        res = eng.query(f"SELECT {literal} AS v FROM s.t AS t LIMIT 1").arrow()
        return res.column("v")[0].as_py(), res.schema.field("v").type

    one, true, one_point_zero = typed("1"), typed("TRUE"), typed("1.0")
    assert true == (True, pa.bool_())
    assert len({one[1], true[1], one_point_zero[1]}) == 3
    tenths = eng.query("SELECT 0.1 AS v FROM s.t AS t LIMIT 1").arrow().schema.field("v").type
    hundredths = eng.query("SELECT 0.10 AS v FROM s.t AS t LIMIT 1").arrow().schema.field(
        "v").type
    assert tenths != hundredths


def test_parameter_types_are_kept_apart(eng: fed.Engine) -> None:
    text = "SELECT $x AS v FROM s.t AS t LIMIT 1"
    assert eng.query(text, {"x": 1}).to_pylist() == [{"v": 1}]
    assert eng.query(text, {"x": True}).to_pylist() == [{"v": True}]
    assert eng.query(text, {"x": 1.5}).to_pylist() == [{"v": 1.5}]
    assert pa.types.is_decimal(eng.query(text, {"x": Decimal("0.10")}).arrow().schema.field(
        "v").type)


def test_new_filter_values_reuse_the_plan(eng: fed.Engine) -> None:
    text = "SELECT t.name FROM s.t AS t WHERE t.id = $id"
    for i in range(5):
        assert eng.query(text, {"id": i}).to_pylist() == [{"name": f"n{i}"}]
    assert len(eng._plans) == 1
    eng.query("SELECT t.id FROM s.t AS t ORDER BY t.id LIMIT $n", {"n": 1})
    eng.query("SELECT t.id FROM s.t AS t ORDER BY t.id LIMIT $n", {"n": 2})
    assert len(eng._plans) == 3  # a LIMIT value is part of the plan


def test_every_schema_change_is_seen(eng: fed.Engine) -> None:
    """The plan key holds a digest of the catalog, not ``id()`` of objects Python reuses."""
    path = eng.path  # type: ignore[attr-defined]
    for extra in range(1, 6):
        con = apsw.Connection(str(path))
        con.execute(f"ALTER TABLE t ADD COLUMN c{extra} INTEGER DEFAULT {extra}")
        con.close()
        assert eng.query("SELECT t.* FROM s.t AS t").arrow().num_columns == 2 + extra


def test_a_projection_only_stage_runs_in_arrow_with_duckdbs_types(eng: fed.Engine) -> None:
    text = "SELECT t.name AS label, t.id FROM s.t AS t WHERE t.id < $n LIMIT 3"
    res = eng.query(text, {"n": 5})
    assert res.plan.stage_sql.startswith("Arrow:")
    assert "no DuckDB" in str(eng.explain(text, {"n": 5}))
    oracle = eng.query("SELECT t.name AS label, t.id FROM s.t AS t WHERE t.id < $n "
                       "ORDER BY t.id LIMIT 3", {"n": 5})
    assert not oracle.plan.stage_sql.startswith("Arrow:")
    assert res.arrow().schema == oracle.arrow().schema
    assert sorted(r["id"] for r in res.to_pylist()) == [0, 1, 2]
