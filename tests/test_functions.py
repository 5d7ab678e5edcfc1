"""The function registry through the public API: its errors (golden messages with positions),
the multi-argument ``count(DISTINCT a, b)``, and ``current_date`` in the result cache."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import apsw
import duckdb
import pytest

import federation as fed
from federation import answers
from planner import functions

ROWS = [(1, -5, 2.5, "a", "x"), (2, 3, -1.5, None, "x"), (3, None, None, "b", None),
        (4, -3, -0.0, "a", "x"), (5, 7, 10.25, "a", "y"), (6, -9, 1.0, "", "y")]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("functions") / "crm.db"
    con = apsw.Connection(str(path))
    con.execute("CREATE TABLE t(id INTEGER, x INTEGER, y REAL, s TEXT, g TEXT)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", ROWS)
    con.close()
    return path


@pytest.fixture(scope="module")
def eng(db: Path) -> Iterator[fed.Engine]:
    with fed.connect() as engine:
        engine.attach("crm", fed.SQLite(db))
        yield engine


@pytest.fixture(scope="module")
def oracle() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA crm")
    con.execute("CREATE TABLE crm.t(id BIGINT, x BIGINT, y DOUBLE, s VARCHAR, g VARCHAR)")
    con.executemany("INSERT INTO crm.t VALUES (?, ?, ?, ?, ?)", ROWS)
    return con


# (query, message fragment, text at the error position)
BIND_ERRORS = [
    ("SELECT lowr(t.s) FROM crm.t t", "unknown function 'lowr'; did you mean 'lower'", "lowr"),
    ("SELECT stdev(t.y) FROM crm.t t", "did you mean 'stddev'", "stdev"),
    ("SELECT replace(t.s, 'a') FROM crm.t t", "replace() takes 3 arguments, got 2", "replace"),
    ("SELECT concat() FROM crm.t t", "concat() takes 1 to any arguments, got 0", "concat"),
    ("SELECT current_date(1) FROM crm.t t", None, None),  # a syntax error: not a bind error
    ("SELECT upper(DISTINCT t.s) FROM crm.t t", "DISTINCT is only valid in an aggregate",
     "upper"),
    ("SELECT count(t.x, t.y) FROM crm.t t", "count(DISTINCT a, b) counts distinct pairs",
     "count"),
    ("SELECT quantile_cont(t.y, t.y) FROM crm.t t",
     "argument 2 of quantile_cont() must be a value or a $parameter", "quantile_cont"),
    ("SELECT date_trunc(t.s, t.y) FROM crm.t t",
     "argument 1 of date_trunc() must be a value or a $parameter", "date_trunc"),
    ("SELECT bool_and(t.y) FROM crm.t t", "bool_and() takes a boolean", "bool_and"),
    ("SELECT t.id FROM crm.t t WHERE stddev(t.y) > 1", "aggregate stddev() is not allowed here",
     "stddev"),
    ("SELECT t.g, count(*) FROM crm.t t GROUP BY rollup(t.g)",
     "GROUP BY ROLLUP is not supported", "rollup"),
    ("SELECT now() FROM crm.t t", "now() is not supported; use current_date", "now"),
    ("SELECT array_agg(t.x) FROM crm.t t", "list aggregates (array_agg, list) are not "
     "supported", "array_agg"),
    ("SELECT t.id FROM crm.t t WHERE t.s = \"a\"",
     "a string is written in single quotes, 'a'; double quotes name a column", '"a"'),
    ("SELECT t.x::BLOB2 FROM crm.t t", "cannot CAST to 'BLOB2'", "t.x"),
    ("SELECT CASE t.s WHEN 1 THEN 'one' END FROM crm.t t", "cannot compare t.s (VARCHAR) "
     "with 1", "1 THEN"),
    ("SELECT coalesce(t.x IGNORE NULLS) FROM crm.t t", "IGNORE/RESPECT NULLS is valid only in "
     "a window function", "coalesce"),
    ("SELECT sum(t.x IGNORE NULLS) OVER () FROM crm.t t", "IGNORE/RESPECT NULLS applies to "
     "first_value, lag, last_value, lead, nth_value, not sum()", "sum"),
    ("SELECT nth_value(t.x, 'a') OVER () FROM crm.t t", "nth_value() takes the row number as "
     "an integer", "nth_value"),
]


@pytest.mark.parametrize(("text", "fragment", "at"), [c for c in BIND_ERRORS if c[1]],
                         ids=[c[2] or "" for c in BIND_ERRORS if c[1]])
def test_bind_error_golden(eng: fed.Engine, text: str, fragment: str, at: str) -> None:
    with pytest.raises(fed.BindError) as info:
        eng.query(text)
    err = info.value
    assert fragment in str(err), str(err)
    assert (err.line, err.column) == (1, text.index(at) + 1), str(err)


def test_clock_call_with_arguments_is_a_syntax_error(eng: fed.Engine) -> None:
    with pytest.raises(fed.QuerySyntaxError):
        eng.query("SELECT current_date(1) FROM crm.t t")


# ---- count(DISTINCT a, b): distinct pairs of non-NULL values (DuckDB takes one argument, so
# the oracle is the same count written with a derived table)

def test_count_distinct_pairs(eng: fed.Engine, oracle: duckdb.DuckDBPyConnection) -> None:
    got = eng.query("SELECT count(DISTINCT t.s, t.g) AS n FROM crm.t t").to_pylist()
    ((want,),) = oracle.sql("SELECT count(*) FROM (SELECT DISTINCT s, g FROM crm.t "
                            "WHERE s IS NOT NULL AND g IS NOT NULL)").fetchall()
    assert got == [{"n": want}]


def test_count_distinct_pairs_grouped(eng: fed.Engine, oracle: duckdb.DuckDBPyConnection
                                      ) -> None:
    got = eng.query("SELECT t.g, count(DISTINCT t.s, t.x) AS n FROM crm.t t GROUP BY t.g")
    want = oracle.sql("SELECT g, count(*) FILTER (WHERE s IS NOT NULL AND x IS NOT NULL) FROM "
                      "(SELECT DISTINCT g, s, x FROM crm.t) GROUP BY g").fetchall()
    rows = [tuple(r.values()) for r in got.to_pylist()]
    assert sorted(rows, key=str) == sorted(want, key=str)


# ---- the clock: a query calling current_date is filed under today's date

_TODAY = answers.today


def _tomorrow() -> tuple[dt.date, dt.date]:
    local, utc = _TODAY()
    return local + dt.timedelta(days=1), utc + dt.timedelta(days=1)


def test_current_date_is_cached_per_day(eng: fed.Engine, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    text = "SELECT t.id, current_date AS d FROM crm.t t WHERE t.id = 1"
    first = eng.query(text)
    assert first.to_pylist() == [{"id": 1, "d": dt.date.today()}]
    assert eng.query(text).plan.cache == "hit"
    monkeypatch.setattr(answers, "today", _tomorrow)
    assert eng.query(text).plan.cache != "hit"  # another day: answered afresh


def test_a_query_without_the_clock_is_not_keyed_by_day(eng: fed.Engine,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    text = "SELECT t.id FROM crm.t t WHERE t.id = 2"
    eng.query(text)
    monkeypatch.setattr(answers, "today", _tomorrow)
    assert eng.query(text).plan.cache == "hit"


def test_every_function_is_documented() -> None:
    text = (Path(__file__).parents[1] / "docs" / "functions.md").read_text()
    missing = [name for name in functions.callable_names()
               if f"`{name}" not in text and f"({name}" not in text]
    assert missing == []
