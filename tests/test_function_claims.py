"""Every function a source claims to evaluate exactly (``planner.functions``: ``exact_in``) is
shown running in that source (its fragment's native text holds the call) with DuckDB's answer,
on values at the edges: NULLs, zero and negative zero, negatives, NaN (Kuzu and LanceDB store
it; SQLite does not), empty and non-ASCII text."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

import apsw
import duckdb
import kuzu
import lancedb
import pyarrow as pa
import pytest

import federation as fed
from planner import functions

D = dt.date
ROWS = [(1, -5, 2.5, "a", D(2020, 1, 1)), (2, 3, -1.5, None, None),
        (3, None, None, "", D(2021, 5, 6)),
        (4, 0, -0.0, "É", D(2020, 1, 1)), (5, 7, 0.0, "b", D(1999, 12, 31)),
        (6, -9, 10.25, "ß", None), (7, 9223372036854775807, -7.0, "a", D(2024, 2, 29))]
NAN_ROW = (8, 2, math.nan, "n", D(2022, 2, 2))  # not in SQLite, which stores NaN as NULL
SCHEMA = pa.schema([("id", pa.int64()), ("x", pa.int64()), ("y", pa.float64()),
                    ("s", pa.string()), ("d", pa.date32())])

# (function, dialect) -> conditions on ``t`` (x BIGINT, y DOUBLE, s VARCHAR, d DATE)
CLAIMS: dict[tuple[str, str], list[str]] = {
    ("abs", "sqlite"): ["abs(t.x) > 3", "abs(t.y) < 2.5", "abs(t.x) = 5 OR abs(t.y) = 0"],
    ("sign", "sqlite"): ["sign(t.x) = -1", "sign(t.y) = 0", "sign(t.y) >= 0 AND sign(t.x) <> 1"],
    ("coalesce", "sqlite"): ["coalesce(t.s, 'z') = 'z'", "coalesce(t.x, 0) = 0",
                             "coalesce(t.d, DATE '2000-01-01') < DATE '2020-06-01'"],
    ("nullif", "sqlite"): ["nullif(t.s, '') IS NULL", "nullif(t.x, -5) > 0",
                           "nullif(t.d, DATE '2020-01-01') IS NOT NULL"],
}
for _fn, _conditions in list(CLAIMS.items()):
    CLAIMS[(_fn[0], "cypher")] = _conditions
    if _fn[0] != "sign":
        CLAIMS[(_fn[0], "lance")] = [c for c in _conditions if "t.d" not in c]
CLAIMS[("sign", "cypher")] = ["sign(t.x) = -1", "sign(t.x) >= 0"]  # integers only
# SQLite only, with literal bounds (start >= 1, length >= 0: tests/test_pushed_substr.py)
CLAIMS[("substr", "sqlite")] = ["substr(t.s, 1, 1) = 'a'", "substr(t.s, 2) = ''",
                                "substring(t.s FROM 1 FOR 0) = ''", "substr(t.s, 5, 2) IS NULL"]
SOURCE = {"sqlite": "crm", "cypher": "graph", "lance": "docs"}


def test_every_claim_has_a_pushdown_test() -> None:
    claimed = {(name, dialect) for dialect in ("sqlite", "cypher", "lance")
               for name in functions.pushable(dialect)
               if functions.exact_families(name, dialect) != functions.ANY}
    assert claimed == set(CLAIMS)


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Iterator[fed.Engine]:
    root = tmp_path_factory.mktemp("claims")
    con = apsw.Connection(str(root / "crm.db"))
    con.execute("CREATE TABLE t(id INTEGER, x INTEGER, y REAL, s TEXT, d DATE)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)",
                    [(*r[:4], r[4].isoformat() if r[4] else None) for r in ROWS])
    con.close()
    graph = kuzu.Database(str(root / "graph.kuzu"))
    conn = kuzu.Connection(graph)
    conn.execute("CREATE NODE TABLE t(id INT64, x INT64, y DOUBLE, s STRING, d DATE, "
                 "PRIMARY KEY(id))")
    for row in [*ROWS, NAN_ROW]:
        conn.execute("CREATE (:t {id: $id, x: $x, y: $y, s: $s, d: $d})",
                     dict(zip(("id", "x", "y", "s", "d"), row, strict=True)))
    conn.close()
    graph.close()
    lancedb.connect(str(root / "docs")).create_table("t", _arrow([*ROWS, NAN_ROW]))
    with fed.connect(cache_bytes=0) as engine:
        engine.attach("crm", fed.SQLite(root / "crm.db"))
        engine.attach("graph", fed.Kuzu(root / "graph.kuzu"))
        engine.attach("docs", fed.LanceDB(root / "docs"))
        yield engine


def _arrow(rows: list[tuple[object, ...]]) -> pa.Table:
    return pa.Table.from_pylist([dict(zip(SCHEMA.names, r, strict=True)) for r in rows],
                                schema=SCHEMA)


@pytest.fixture(scope="module")
def oracle() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    for name, rows in (("crm", ROWS), ("graph", [*ROWS, NAN_ROW]), ("docs", [*ROWS, NAN_ROW])):
        con.execute(f"CREATE SCHEMA {name}")
        con.register("rows_in", _arrow(rows))
        con.execute(f"CREATE TABLE {name}.t AS SELECT * FROM rows_in")
        con.unregister("rows_in")
    yield con
    con.close()


CASES = [(fn, dialect, cond) for (fn, dialect), conds in sorted(CLAIMS.items()) for cond in conds]


@pytest.mark.parametrize(("fn", "dialect", "condition"), CASES,
                         ids=[f"{d}-{c}" for _, d, c in CASES])
def test_claimed_function_runs_in_the_source(eng: fed.Engine, oracle: duckdb.DuckDBPyConnection,
                                             fn: str, dialect: str, condition: str) -> None:
    text = f"SELECT t.id FROM {SOURCE[dialect]}.t AS t WHERE {condition}"
    plan = eng.explain(text)
    (fragment,) = plan.fragments
    assert f"{fn}(" in fragment.native, fragment.native  # the source runs it …
    assert f"{fn}(" not in (plan.stage_sql or ""), plan.stage_sql  # … DuckDB does not
    got = sorted(r["id"] for r in eng.query(text).to_pylist())
    assert got == sorted(r for (r,) in oracle.sql(text).fetchall()), text
