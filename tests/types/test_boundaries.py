"""Issue 7 reproductions at type boundaries (items 3, 4, 5, 10, 14): each answer equals DuckDB's
over the same data, or the engine refuses with a typed error that says where."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

import federation as fed
from tests.types.matrix import TABLE

Stores = tuple[Any, duckdb.DuckDBPyConnection]


def _ids(eng: Any, fql: str, params: dict[str, object] | None = None) -> list[int]:
    return sorted(r["id"] for r in eng.query(fql, params).to_pylist())


def _oracle_ids(con: duckdb.DuckDBPyConnection, sql: str,
                params: dict[str, object] | None = None) -> list[int]:
    return sorted(r[0] for r in con.execute(sql, params or {}).fetchall())


@pytest.mark.parametrize("where,params", [
    ("t.r = 9007199254740993", None),             # item 3: BIGINT = DOUBLE compares as DOUBLE
    ("t.i = 9007199254740993.0", None),           # BIGINT = DECIMAL compares exactly
    ("t.i = t.r", None),                          # a column pair: DOUBLE
    ("t.i = $v", {"v": Decimal("9007199254740993.0")}),  # a Decimal is never a float
    ("t.i > 9223372036854775806.5", None),        # item 4 (Kuzu): exact against INT64 max
    ("t.i = 99999999999999999999999", None),      # item 10: a literal beyond BIGINT
    ("t.i < 99999999999999999999999", None),
    ("t.i IN (2.5, 9007199254740993.0)", None),
    ("t.i NOT IN (2.5)", None),
    # BIGINT's least value, which no filter text spells as a bare literal (its digits
    # overflow before the minus applies): found by the random differential run
    ("coalesce(t.i, -9223372036854775808) <> 96", None),
    ("t.i > -9223372036854775808", None),
    ("t.i = $v", {"v": -9223372036854775808}),
])
@pytest.mark.parametrize("source", list(TABLE))
def test_integers_against_reals_and_decimals(stores: Stores, source: str, where: str,
                                             params: dict[str, object] | None) -> None:
    eng, con = stores
    assert _ids(eng, f"SELECT t.id FROM {TABLE[source]} AS t WHERE {where}", params) \
        == _oracle_ids(con, f"SELECT t.id FROM t WHERE {where}", params)


@pytest.mark.parametrize("where", ["t.f32 = 0.1", "t.f32 > 0.1", "t.f32 IN (0.1, 0.2)",
                                   "t.f32 BETWEEN 0.1 AND 0.2", "t.f32 * 2 = 0.2",
                                   # DataFusion compared these in DOUBLE under NOT only
                                   "NOT (t.f32 <= 0.1)", "NOT (t.f32 = 0.1)",
                                   "NOT (t.f32 < 1)"])
@pytest.mark.parametrize("source", ["kuzu", "lance"])
def test_float_columns_compare_as_float(stores: Stores, source: str, where: str) -> None:
    """Item 5: a FLOAT property is a FLOAT, so 0.1 is the FLOAT 0.1, as in DuckDB."""
    eng, con = stores
    expected = _oracle_ids(con, f"SELECT t.id FROM t WHERE {where}")
    assert expected  # the query means something on this data
    assert _ids(eng, f"SELECT t.id FROM {TABLE[source]} AS t WHERE {where}") == expected


def test_float_property_casts_to_its_shortest_text(stores: Stores) -> None:
    eng, _ = stores
    rows = eng.query("SELECT CAST(t.f32 AS VARCHAR) AS v FROM g.T AS t WHERE t.id = 5")
    assert rows.to_pylist() == [{"v": "0.2"}]


def test_sqlite_join_on_integer_and_real_keys(tmp_path: Path) -> None:
    """Item 3: a join of INTEGER = REAL keys pushed into SQLite compares as DOUBLE."""
    path = tmp_path / "j.db"
    con = sqlite3.connect(path)
    con.executescript("CREATE TABLE a (id INTEGER, k INTEGER); CREATE TABLE b (id INTEGER, k REAL);"
                      "INSERT INTO a VALUES (1, 9007199254740993), (2, 3);"
                      "INSERT INTO b VALUES (10, 9007199254740992.0), (20, 3.0);")
    con.commit()
    con.close()
    with fed.connect() as eng:
        eng.attach("s", fed.SQLite(path))
        rows = eng.query("SELECT a.id AS x, b.id AS y FROM s.a JOIN s.b ON a.k = b.k").to_pylist()
        assert "CAST" in str(eng.explain("SELECT a.id FROM s.a JOIN s.b ON a.k = b.k"))
    assert sorted((r["x"], r["y"]) for r in rows) == [(1, 10), (2, 20)]


@pytest.mark.parametrize("source", list(TABLE))
def test_a_bare_integer_is_a_condition_as_in_duckdb(stores: Stores, source: str) -> None:
    """Item 14: ``WHERE t.i`` is ``t.i <> 0`` in DuckDB; no source is asked to evaluate it."""
    eng, con = stores
    assert _ids(eng, f"SELECT t.id FROM {TABLE[source]} AS t WHERE t.i") \
        == _oracle_ids(con, "SELECT t.id FROM t WHERE t.i::BOOLEAN")
    assert _ids(eng, f"SELECT t.id FROM {TABLE[source]} AS t WHERE t.i AND t.b") \
        == _oracle_ids(con, "SELECT t.id FROM t WHERE t.i::BOOLEAN AND t.b")


@pytest.mark.parametrize("value", [np.int64(2), np.int32(2), np.float64(2.0), np.bool_(True)])
def test_numpy_scalars_are_their_python_values(stores: Stores, value: object) -> None:
    eng, con = stores
    where = "t.b = $v" if isinstance(value, np.bool_) else "t.i = $v"
    expected = _oracle_ids(con, f"SELECT t.id FROM t WHERE {where}",
                           {"v": value.item()})  # type: ignore[attr-defined]
    for source in TABLE:
        assert _ids(eng, f"SELECT t.id FROM {TABLE[source]} AS t WHERE {where}",
                    {"v": value}) == expected


def test_aware_datetime_is_a_utc_instant(stores: Stores) -> None:
    """Item 14: DuckDB binds an aware datetime as TIMESTAMP WITH TIME ZONE; so does FQL."""
    eng, _ = stores
    zone = dt.timezone(dt.timedelta(hours=2))
    value = eng.query("SELECT $t AS t FROM sq.t AS t WHERE t.id = 1",
                      {"t": dt.datetime(2024, 1, 1, 12, tzinfo=zone)}).arrow()
    assert value.schema.field("t").type.tz is not None
    assert value.column("t")[0].as_py() == dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC)


@pytest.mark.parametrize("fql,params", [
    ("SELECT t.id FROM sq.t AS t LIMIT 1 OFFSET 9223372036854775807", None),
    ("SELECT t.id FROM g.T AS t LIMIT 9223372036854775807 OFFSET 9223372036854775807", None),
    ("SELECT t.id FROM l.t AS t LIMIT 1 OFFSET 9223372036854775807", None),
])
def test_huge_offsets_return_nothing(stores: Stores, fql: str, params: Any) -> None:
    eng, _ = stores
    assert eng.query(fql, params).to_pylist() == []


@pytest.mark.parametrize("fql,params,column", [
    ("SELECT t.id FROM sq.t AS t WHERE t.i = 1" + "0" * 39, None, 40),
    ("SELECT t.id FROM sq.t AS t WHERE t.s = '\ud800'", None, 40),
    ("SELECT t.id FROM sq.t AS t WHERE t.s = DATE '2024-01-01'", None, 34),
    ("SELECT t.id FROM sq.t AS t WHERE t.s = $b", {"b": b"a"}, 34),
    ("SELECT t.id FROM l.t AS t WHERE t.s = 2.5", None, 33),
    ("SELECT t.id FROM g.T AS t WHERE t.i IN (t.s, 1)", None, 33),
])
def test_refusals_are_bind_errors_with_a_position(stores: Stores, fql: str, params: Any,
                                                  column: int) -> None:
    eng, _ = stores
    with pytest.raises(fed.BindError) as err:
        eng.query(fql, params)
    assert (err.value.line, err.value.column) == (1, column)
    assert "Decimal(" not in str(err.value)


def test_mismatch_message_is_fql(stores: Stores) -> None:
    eng, _ = stores
    with pytest.raises(fed.BindError, match=r"cannot compare t\.s \(VARCHAR\) with 2\.5"):
        eng.query("SELECT t.id FROM l.t AS t WHERE t.s = 2.5")


@pytest.mark.parametrize("params", [{"v": Decimal("NaN")}, {"v": Decimal("-Infinity")},
                                    {"v": "\ud800"}, {"v": "a\udfffb"}])
def test_unusable_parameter_values_are_bind_errors(stores: Stores, params: Any) -> None:
    eng, _ = stores
    with pytest.raises(fed.BindError, match=r"\$v"):
        eng.query("SELECT t.id FROM sq.t AS t WHERE t.s = CAST($v AS VARCHAR)", params)


@pytest.mark.parametrize("source", list(TABLE))
@pytest.mark.parametrize("value", [float("inf"), float("-inf")])
def test_infinite_parameters(stores: Stores, source: str, value: float) -> None:
    eng, con = stores
    for op in ("<", ">", "=", "<>"):
        where = f"t.r {op} $v"
        assert _ids(eng, f"SELECT t.id FROM {TABLE[source]} AS t WHERE {where}", {"v": value}) \
            == _oracle_ids(con, f"SELECT t.id FROM t WHERE {where}", {"v": value})


UNSIGNED = [0, 1, 2**63 - 1, 2**63, 2**64 - 1]


@pytest.mark.parametrize("where,params", [
    ("t.u > -1", None), ("t.u < 18446744073709551615", None),
    ("t.u >= 9223372036854775808", None), ("t.u = 9223372036854775807", None),
    ("t.u > $v", {"v": 2**63 - 1}), ("t.u > 2.5", None), ("t.u > $v", {"v": 1.5}),
    ("t.u IN (18446744073709551615, 1)", None), ("t.u NOT IN (18446744073709551615, 2.5)", None),
    ("t.u BETWEEN 1 AND 9223372036854775808.5", None),
])
def test_unsigned_64_bit_columns(tmp_path: Path, where: str, params: Any) -> None:
    """Kuzu UINT64 and Lance uint64 hold values past BIGINT; Kuzu's driver binds only signed
    64-bit integers, so wider bounds travel as ``CAST($p AS UINT64)``."""
    import kuzu
    import lancedb
    import pyarrow as pa

    db = kuzu.Database(str(tmp_path / "g.kuzu"))
    con = kuzu.Connection(db)
    con.execute("CREATE NODE TABLE U(id INT64, u UINT64, PRIMARY KEY(id))")
    for i, v in enumerate(UNSIGNED):
        con.execute("CREATE (:U {id: $i, u: CAST($v AS UINT64)})", {"i": i, "v": str(v)})
    con.close()
    db.close()
    table = pa.table({"id": pa.array(range(len(UNSIGNED)), pa.int64()),
                      "u": pa.array(UNSIGNED, pa.uint64())})
    lancedb.connect(str(tmp_path / "l")).create_table("u", table)
    duck = duckdb.connect()
    duck.register("rows", table)
    expected = _oracle_ids(duck, f"SELECT t.id FROM rows AS t WHERE {where}", params)
    with fed.connect() as eng:
        eng.attach("g", fed.Kuzu(tmp_path / "g.kuzu"))
        eng.attach("l", fed.LanceDB(tmp_path / "l"))
        for relation in ("g.U", "l.u"):
            assert _ids(eng, f"SELECT t.id FROM {relation} AS t WHERE {where}", params) \
                == expected, relation
