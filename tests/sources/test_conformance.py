"""One conformance suite that every source runs, through the public API.

The same small table (``items``: ints, strings, floats, dates, bools, with NULLs) is stored in
each source; every test body runs against all of them and compares with DuckDB holding the
same rows. Known gaps are data (``GAPS``): a gap is an ``xfail(strict=True)``, so it fails the
suite the day the source starts doing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import apsw
import duckdb
import lancedb
import pyarrow as pa
import pytest

import federation as fed
from federation.sources.kuzu import driver
from tests.differential.compare import assert_same_result

ROWS = 40
SOURCES = ("sqlite", "kuzu", "lancedb")
# (source, feature) pairs a source does not do, with the reason
GAPS: dict[tuple[str, str], str] = {
    ("lancedb", "join_pushdown"): "LanceDB cannot join two tables",
}


def items_table() -> pa.Table:
    ids = list(range(1, ROWS + 1))
    names = [None if i % 7 == 0 else f"item {i}" + ("'q" if i % 11 == 0 else "") for i in ids]
    prices = [None if i % 5 == 0 else round(i * 1.25 - 10, 2) for i in ids]
    days = [None if i % 9 == 0 else dt.date(2024, 1, 1) + dt.timedelta(days=i * 3) for i in ids]
    flags = [i % 3 == 0 for i in ids]
    return pa.table({"id": pa.array(ids, pa.int64()), "name": pa.array(names, pa.string()),
                     "price": pa.array(prices, pa.float64()),
                     "day": pa.array(days, pa.date32()), "flag": pa.array(flags, pa.bool_())})


def store(kind: str, table: pa.Table, folder: Path) -> fed.Engine:
    eng = fed.connect()
    if kind == "sqlite":
        path = folder / "items.db"
        con = apsw.Connection(str(path))
        con.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price REAL, "
                    "day DATE, flag BOOLEAN)")
        with con:
            con.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?)",
                            [(r["id"], r["name"], r["price"],
                              r["day"].isoformat() if r["day"] else None, r["flag"])
                             for r in table.to_pylist()])
        con.close()
        eng.attach("src", fed.SQLite(path))
    elif kind == "kuzu":
        path = folder / "items.kuzu"
        kuzu = driver()
        db = kuzu.Database(str(path), buffer_pool_size=64 * 1024**2, max_num_threads=1)
        con = kuzu.Connection(db)
        con.execute("CREATE NODE TABLE items(id INT64 PRIMARY KEY, name STRING, price DOUBLE, "
                    "day DATE, flag BOOLEAN)")
        frame = table  # noqa: F841 - read by name by Kuzu's COPY
        con.execute("COPY items FROM frame")
        con.close()
        db.close()
        eng.attach("src", fed.Kuzu(path))
    else:
        path = folder / "lance"
        lancedb.connect(path).create_table("items", table)
        eng.attach("src", fed.LanceDB(path))
    return eng


@pytest.fixture(scope="module")
def oracle() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA src")
    items = items_table()  # noqa: F841 - read by name by DuckDB
    con.execute("CREATE TABLE src.items AS SELECT * FROM items")
    yield con
    con.close()


@pytest.fixture(scope="module", params=SOURCES)
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[str, fed.Engine]]:
    kind = request.param
    eng = store(kind, items_table(), tmp_path_factory.mktemp(kind))
    yield kind, eng
    eng.close()


def expect(kind: str, feature: str, ok: bool, detail: str) -> None:
    """Assert ``ok`` unless (kind, feature) is a known gap, which must then still be one."""
    reason = GAPS.get((kind, feature))
    if reason is None:
        assert ok, detail
    elif ok:
        pytest.fail(f"{kind} now does {feature}: remove it from GAPS")
    else:
        pytest.xfail(reason)


def check(eng: fed.Engine, oracle: duckdb.DuckDBPyConnection, text: str,
          params: dict[str, object] | None = None, ordered: bool = False) -> fed.Result:
    result = eng.query(text, params or {})
    expected = oracle.cursor().sql(text, params=params or None).to_arrow_table()
    assert_same_result(result.arrow(), expected, ordered=ordered, check_names=True)
    return result


def fragments(result: fed.Result) -> list[str]:
    return [f.native for f in result.plan.fragments]


def test_scan_returns_every_row_and_type(engine: tuple[str, fed.Engine],
                                         oracle: duckdb.DuckDBPyConnection) -> None:
    _, eng = engine
    result = check(eng, oracle, "SELECT i.* FROM src.items AS i")
    assert result.arrow().num_rows == ROWS
    assert result.arrow().schema.types == items_table().schema.types


FILTERS = {
    "eq": "i.name = 'item 3'",
    "ne_int": "i.id <> 4",
    "lt_float": "i.price < 5.5",
    "ge_date": "i.day >= DATE '2024-02-15'",
    "bool": "i.flag",
    "not_bool": "NOT i.flag",
    "in": "i.id IN (1, 2, 3, 35)",
    "not_in_null": "i.id NOT IN (1, NULL)",
    "between": "i.price BETWEEN 0 AND 20",
    "is_null": "i.name IS NULL",
    "is_not_null": "i.day IS NOT NULL",
    "or_and": "(i.id < 5 OR i.id > 35) AND i.price IS NOT NULL",
    "quote": "i.name = 'item 11''q'",
    "param": "i.name = $name",
}


@pytest.mark.parametrize("name", FILTERS)
def test_filter_matches_duckdb_and_is_pushed(name: str, engine: tuple[str, fed.Engine],
                                             oracle: duckdb.DuckDBPyConnection) -> None:
    _, eng = engine
    params = {"name": "item 2"} if name == "param" else None
    result = check(eng, oracle, f"SELECT i.id, i.name FROM src.items AS i WHERE {FILTERS[name]}",
                   params)
    stage = str(result.plan).split("== Fragment")[0]
    assert "Filter" not in stage, f"{name} was not pushed into the source:\n{result.plan}"


def test_like_is_pushed(engine: tuple[str, fed.Engine],
                        oracle: duckdb.DuckDBPyConnection) -> None:
    kind, eng = engine
    # a prefix: every source runs it natively (a pattern Kuzu could only write as a regex,
    # such as 'item 1_', stays in DuckDB: Kuzu compiles a bound regex for every row)
    result = check(eng, oracle, "SELECT i.id FROM src.items AS i WHERE i.name LIKE 'item 1%'")
    pushed = "Filter" not in str(result.plan).split("== Fragment")[0]
    expect(kind, "like_pushdown", pushed, str(result.plan))


def test_projection_reads_only_used_columns(engine: tuple[str, fed.Engine],
                                            oracle: duckdb.DuckDBPyConnection) -> None:
    _, eng = engine
    result = check(eng, oracle, "SELECT i.name FROM src.items AS i WHERE i.id > 30")
    native = fragments(result)[0]
    assert "price" not in native and "flag" not in native


def test_limit_is_pushed(engine: tuple[str, fed.Engine]) -> None:
    _, eng = engine
    result = eng.query("SELECT i.id FROM src.items AS i LIMIT 3")
    assert result.arrow().num_rows == 3
    assert result.plan.fragments[0].rows == 3


def test_empty_result_keeps_schema(engine: tuple[str, fed.Engine],
                                   oracle: duckdb.DuckDBPyConnection) -> None:
    _, eng = engine
    result = check(eng, oracle, "SELECT i.id, i.day, i.flag FROM src.items AS i WHERE i.id < 0")
    assert result.arrow().num_rows == 0
    assert result.arrow().schema.types == [pa.int64(), pa.date32(), pa.bool_()]


def test_nulls_and_aggregates(engine: tuple[str, fed.Engine],
                              oracle: duckdb.DuckDBPyConnection) -> None:
    _, eng = engine
    check(eng, oracle, "SELECT count(*) AS n, count(i.name) AS names, sum(i.price) AS total, "
                       "min(i.day) AS first, max(i.day) AS last FROM src.items AS i")


def test_self_join_in_source(engine: tuple[str, fed.Engine],
                             oracle: duckdb.DuckDBPyConnection) -> None:
    kind, eng = engine
    result = check(eng, oracle, "SELECT a.id, b.id AS next FROM src.items AS a "
                                "JOIN src.items AS b ON b.id = a.id + 1 WHERE a.id < 10")
    check(eng, oracle, "SELECT a.id, b.name FROM src.items AS a JOIN src.items AS b "
                       "ON b.id = a.id WHERE a.price > 20")
    result = eng.query("SELECT a.id, b.name FROM src.items AS a JOIN src.items AS b "
                       "ON b.id = a.id")
    expect(kind, "join_pushdown", len(result.plan.fragments) == 1, str(result.plan))


def test_unknown_table_and_column(engine: tuple[str, fed.Engine]) -> None:
    _, eng = engine
    with pytest.raises(fed.BindError, match="did you mean 'items'"):
        eng.query("SELECT x.id FROM src.itemz AS x")
    with pytest.raises(fed.BindError, match="did you mean 'name'"):
        eng.query("SELECT i.nmae FROM src.items AS i")


def test_hostile_values_come_back_as_data(engine: tuple[str, fed.Engine],
                                          oracle: duckdb.DuckDBPyConnection) -> None:
    _, eng = engine
    for value in ["x' OR '1'='1", "') RETURN 1 //", "\" OR 1=1 --", "item 11'q", "%", "\\"]:
        check(eng, oracle, "SELECT i.id FROM src.items AS i WHERE i.name = $v", {"v": value})
    check(eng, oracle, "SELECT count(*) AS n FROM src.items AS i")


def test_gaps_are_still_gaps() -> None:
    """Every listed gap names a real source and feature tested above."""
    features = {"like_pushdown", "join_pushdown"}
    assert all(kind in SOURCES and feature in features for kind, feature in GAPS)
