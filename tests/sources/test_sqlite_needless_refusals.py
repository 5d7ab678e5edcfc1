"""SQLite cases that were refused or answered wrongly (issue 7, items 7, 13, 14): LIKE on
values and patterns holding NUL bytes, columns without a declared type, and IN lists longer
than SQLite's 32 766 variables. DuckDB holding the same values is the oracle."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import federation as fed
from federation.sources.sqlite_sql import JSON_LIST_MIN

VALUES = ["a\x00b", "ab", "a\x00\x00b\x00", None, "x\x00zz", "é\x00b", "\x00", "", "a_b",
          "a%b", "a\U0010ffffb", "\x00\x00", "b\x00", "abc"]
PATTERNS = ["%b", "a_b", "a%", "a__b_", "_\x00b", "%\x00%", "%\x00\x00%", "a\x00b", "\x00",
            "_", "__", "%", "", "ab", "%zz", "a\\_b", "\x00%", "%\x00", None]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("refusals") / "r.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE s(id INTEGER PRIMARY KEY, v TEXT)")
    con.executemany("INSERT INTO s VALUES (?, ?)", list(enumerate(VALUES)))
    con.execute("CREATE TABLE n(id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT)")
    con.executemany("INSERT INTO n VALUES (?, ?, ?, ?)",
                    [(k, k * 3, k / 4, f"t{k}") for k in range(50_000)])
    con.execute("CREATE TABLE typeless(a, b, c, d, e)")
    con.executemany("INSERT INTO typeless VALUES (?, ?, ?, ?, ?)",
                    [(1, 1, "x", b"\x00\x01", None), (2, 2.5, 3, b"z", None),
                     (None, None, None, None, None)])
    con.execute("CREATE VIEW v AS SELECT id, i * 2 AS dbl, r * 2 AS half, t || '!' AS bang, "
                "i AS plain FROM n")
    con.execute("CREATE TABLE cta AS SELECT id, i + 1 AS ip, r + 0.5 AS rp FROM n WHERE id < 5")
    con.commit()
    con.close()
    return path


@pytest.fixture(scope="module", params=["apsw", "adbc"])
def eng(db: Path, request: pytest.FixtureRequest) -> Iterator[fed.Engine]:
    with fed.connect() as engine:
        engine.attach("s", fed.SQLite(db, read_path=request.param))
        yield engine


@pytest.fixture(scope="module")
def oracle() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE s(id BIGINT, v VARCHAR)")
    con.executemany("INSERT INTO s VALUES (?, ?)", list(enumerate(VALUES)))
    return con


# ---- item 7: LIKE and NUL bytes
@pytest.mark.parametrize("negated", [False, True])
@pytest.mark.parametrize("pattern", PATTERNS, ids=repr)
def test_like_with_nul_bytes_matches_duckdb(eng: fed.Engine, oracle: duckdb.DuckDBPyConnection,
                                            pattern: str | None, negated: bool) -> None:
    op = "NOT LIKE" if negated else "LIKE"
    expected = [r[0] for r in oracle.execute(
        f"SELECT id FROM s WHERE v {op} ? ORDER BY id", [pattern]).fetchall()]
    got = eng.query(f"SELECT s.id FROM s.s s WHERE s.v {op} $p ORDER BY s.id",
                    {"p": pattern}).to_pylist()
    assert [r["id"] for r in got] == expected
    plan = eng.explain(f"SELECT s.id FROM s.s s WHERE s.v {op} $p", {"p": pattern})
    assert op in plan.fragments[0].native  # evaluated inside SQLite, not in the stage


def test_like_between_two_columns_with_nul_bytes(eng: fed.Engine,
                                                 oracle: duckdb.DuckDBPyConnection) -> None:
    """A pattern computed from a column goes through the same NUL mapping."""
    expected = oracle.execute("SELECT a.id, b.id FROM s a, s b WHERE a.v LIKE b.v "
                              "ORDER BY 1, 2").fetchall()
    got = eng.query("SELECT a.id AS x, b.id AS y FROM s.s a JOIN s.s b ON a.v LIKE b.v "
                    "ORDER BY x, y").to_pylist()
    assert [(r["x"], r["y"]) for r in got] == expected


# ---- item 13: columns without a declared type
def test_columns_without_declared_type_are_typed_by_their_values(eng: fed.Engine) -> None:
    tables = eng.catalog()["s"].tables
    assert dict(tables["typeless"].columns) == {
        "a": pa.int64(), "b": pa.float64(), "c": pa.string(), "d": pa.binary(),
        "e": pa.string()}
    assert dict(tables["v"].columns) == {"id": pa.int64(), "dbl": pa.int64(),
                                         "half": pa.float64(), "bang": pa.string(),
                                         "plain": pa.int64()}
    assert dict(tables["cta"].columns) == {"id": pa.int64(), "ip": pa.int64(),
                                           "rp": pa.float64()}
    rows = eng.query("SELECT t.a, t.b, t.c, t.d, t.e FROM s.typeless t ORDER BY t.a").to_pylist()
    assert rows == [{"a": 1, "b": 1.0, "c": "x", "d": b"\x00\x01", "e": None},
                    {"a": 2, "b": 2.5, "c": "3", "d": b"z", "e": None},
                    {"a": None, "b": None, "c": None, "d": None, "e": None}]
    got = eng.query("SELECT v.dbl, v.half, v.bang FROM s.v v WHERE v.dbl > 8 AND v.id < 6 "
                    "ORDER BY v.dbl").to_pylist()
    assert got == [{"dbl": 12 * k // 2, "half": k / 2, "bang": f"t{k}!"} for k in (2, 3, 4, 5)]
    assert eng.query("SELECT sum(c.ip) AS s FROM s.cta c").to_pylist() == \
        [{"s": sum(k * 3 + 1 for k in range(5))}]


def test_a_later_value_of_another_class_is_a_clear_error_then_retyped(tmp_path: Path) -> None:
    path = tmp_path / "later.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, x)")
    con.executemany("INSERT INTO t VALUES (?, ?)", [(1, 10), (2, 20)])
    con.commit()
    with fed.connect() as eng:
        eng.attach("s", fed.SQLite(path))
        assert eng.query("SELECT t.x FROM s.t t ORDER BY t.id").to_pylist() == \
            [{"x": 10}, {"x": 20}]
        con.execute("INSERT INTO t VALUES (3, 'thirty')")
        con.commit()
        with pytest.raises(fed.SourceError, match="does not fit") as err:
            eng.query("SELECT t.x FROM s.t t ORDER BY t.id")
        assert err.value.source == "s"
        assert eng.query("SELECT t.x FROM s.t t ORDER BY t.id").to_pylist() == \
            [{"x": "10"}, {"x": "20"}, {"x": "thirty"}]
    con.close()


def test_a_value_beyond_the_sample_retypes_from_every_row(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from federation.sources import sqlite_schema

    monkeypatch.setattr(sqlite_schema, "INFER_SAMPLE_ROWS", 10)
    path = tmp_path / "sampled.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, x)")
    con.executemany("INSERT INTO t VALUES (?, ?)", [(k, k) for k in range(20)] + [(20, "z")])
    con.commit()
    con.close()
    with fed.connect() as eng:
        eng.attach("s", fed.SQLite(path))
        assert dict(eng.catalog()["s"].tables["t"].columns)["x"] == pa.int64()  # sampled
        with pytest.raises(fed.SourceError, match="does not fit"):
            eng.query("SELECT t.x FROM s.t t")
        assert dict(eng.catalog()["s"].tables["t"].columns)["x"] == pa.string()
        assert eng.query("SELECT t.x FROM s.t t WHERE t.id >= 19 ORDER BY t.id").to_pylist() \
            == [{"x": "19"}, {"x": "z"}]


def test_a_late_value_in_a_stream_also_retypes(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """ADBC's batches are checked on the first one: a later batch's misfit ends the stream
    with a SourceError and, as on the other paths, the next catalog read types from every row."""
    from federation.sources import sqlite_schema
    from federation.sources.base import CompiledFragment
    from planner.expressions import ColumnRef

    monkeypatch.setattr(sqlite_schema, "INFER_SAMPLE_ROWS", 10)
    path = tmp_path / "stream.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, x)")
    con.executemany("INSERT INTO t VALUES (?, ?)",
                    [(k, k) for k in range(40_000)] + [(40_000, "late")])
    con.commit()
    con.close()
    source = fed.SQLite(path, read_path="adbc")
    source.open("s")
    try:
        assert dict(source.info().tables["t"].columns)["x"] == pa.int64()
        compiled = CompiledFragment("s", "sqlite", 'SELECT "x" FROM "t"', (),
                                    (ColumnRef("t", "x", pa.int64()),))
        with pytest.raises(fed.SourceError, match="does not fit"):
            source.execute_batches(compiled).read_all()
        assert dict(source.info().tables["t"].columns)["x"] == pa.string()
    finally:
        source.close()


# ---- item 14: IN lists longer than SQLite's variable limit
@pytest.mark.parametrize("negated", [False, True])
def test_in_with_40000_literals(eng: fed.Engine, negated: bool) -> None:
    wanted = list(range(0, 120_000, 3))  # 40 000 items, every third one an id
    op = "NOT IN" if negated else "IN"
    text = f"SELECT count(*) AS c FROM s.n n WHERE n.id {op} ({', '.join(map(str, wanted))})"
    hits = len(set(range(50_000)) & set(wanted))
    assert eng.query(text).to_pylist() == [{"c": 50_000 - hits if negated else hits}]
    fragment = eng.explain(text).fragments[0]
    assert "json_each" in fragment.native and len(fragment.params) == 1


def test_in_with_40000_parameters_and_a_null(eng: fed.Engine) -> None:
    params: dict[str, object] = {f"p{k}": f"t{k * 2}" for k in range(40_000)}
    params["p0"] = None
    marks = ", ".join(f"${name}" for name in params)
    got = eng.query(f"SELECT count(*) AS c FROM s.n n WHERE n.t IN ({marks})", params)
    assert got.to_pylist() == [{"c": 25_000 - 1}]  # t0 is NULL in the list: not matched
    none = eng.query(f"SELECT count(*) AS c FROM s.n n WHERE n.t NOT IN ({marks})", params)
    assert none.to_pylist() == [{"c": 0}]  # NOT IN with a NULL: never true


def test_short_in_lists_keep_one_placeholder_per_item(eng: fed.Engine) -> None:
    short = ", ".join(str(k) for k in range(JSON_LIST_MIN))
    fragment = eng.explain(f"SELECT n.id FROM s.n n WHERE n.id IN ({short})").fragments[0]
    assert "json_each" not in fragment.native and len(fragment.params) == JSON_LIST_MIN


# SQLite's exact (decimal vs integer) and DOUBLE modes, NULLs, big values; 4 000 items go as one
# JSON value as 40 000 do (test_in_with_40000_literals covers SQLite's variable limit)
NUMBER_LISTS = {
    "decimals_integral": [f"{k}.0" for k in range(0, 80_000, 20)],
    "decimals_fractional": [f"{k}.25" for k in range(0, 40_000, 10)],
    "decimals_halves_and_null": [f"{k}.5" for k in range(0, 40_000, 10)] + ["NULL"],
    "floats": [f"{k}e-1" for k in range(0, 400_000, 100)],
    "integers_and_a_decimal": [str(k * 7) for k in range(0, 40_000, 10)] + ["2.5"],
    "beyond_bigint": [str(k * 10**15) for k in range(300)] + ["99999999999999999999"],
}


@pytest.mark.parametrize("column", ["i", "r"])
@pytest.mark.parametrize("items", list(NUMBER_LISTS), ids=str)
def test_long_number_lists_match_duckdb(eng: fed.Engine, numbers: duckdb.DuckDBPyConnection,
                                        column: str, items: str) -> None:
    for op in ("IN", "NOT IN"):
        where = f"n.{column} {op} ({', '.join(NUMBER_LISTS[items])})"
        text = f"SELECT count(*) AS c FROM s.n n WHERE {where}"
        expected = numbers.execute(f"SELECT count(*) FROM n WHERE {where}").fetchall()[0][0]
        assert eng.query(text).to_pylist() == [{"c": expected}], op
        assert "json_each" in eng.explain(text).fragments[0].native


@pytest.fixture(scope="module")
def numbers() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE n AS SELECT k AS id, k * 3 AS i, k / 4 AS r, 't' || k AS t "
                "FROM range(50000) AS g(k)")
    return con


def test_json_doubles_round_trip() -> None:
    """Long float lists travel as JSON text: both SQLite libraries (apsw's and the ADBC
    driver's) must read every double back exactly."""
    import json
    import random
    import struct

    import apsw
    from adbc_driver_sqlite import dbapi

    rng = random.Random(7)
    doubles = [struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
               for _ in range(50_000)]
    doubles = [d for d in doubles if d == d and abs(d) != float("inf")]
    doubles += [rng.random() * 10.0 ** rng.randint(-30, 30) for _ in range(50_000)]
    doubles += [5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.1, -0.0]
    text = json.dumps(doubles)
    con = apsw.Connection(":memory:")
    assert [r[0] for r in con.execute("SELECT value FROM json_each(?)", (text,))] == doubles
    with dbapi.connect(":memory:") as adbc, adbc.cursor() as cur:
        cur.execute("SELECT value FROM json_each(?)", (text,))
        assert [r[0] for r in cur.fetchall()] == doubles


def test_like_over_an_expression_with_bound_values(oracle: duckdb.DuckDBPyConnection) -> None:
    """The NUL mapping prints its operand three times; each copy binds its own values, in
    text order (a computed left side with a parameter inside)."""
    import apsw

    from federation.sources.sqlite_sql import SqliteWriter
    from planner.expressions import ColumnRef, Func, ParamRef

    con = apsw.Connection(":memory:")
    con.execute("PRAGMA case_sensitive_like = ON")
    con.execute("CREATE TABLE s(id INTEGER PRIMARY KEY, v TEXT)")
    con.executemany("INSERT INTO s VALUES (?, ?)", list(enumerate(VALUES)))
    text = pa.string()
    for suffix, pattern in [("\x00z", "%\x00z"), ("z", "a_b_"), ("\x00", "%\x00\x00")]:
        writer = SqliteWriter({"p": suffix, "q": pattern}, lambda c: f"s.{c.name}")
        lhs = Func("concat", (ColumnRef("s", "v", text), ParamRef("p", text)), text)
        where = writer.expr(Func("like", (lhs, ParamRef("q", text)), pa.bool_()))
        got = [r[0] for r in con.execute(f"SELECT id FROM s WHERE {where} ORDER BY id",
                                         writer.values)]
        expected = [r[0] for r in oracle.execute(
            "SELECT id FROM s WHERE v || ? LIKE ? ORDER BY id", [suffix, pattern]).fetchall()]
        assert got == expected, (suffix, pattern)
