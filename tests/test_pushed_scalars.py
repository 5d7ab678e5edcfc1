"""Scalar subqueries that go down whole into one SQLite source (planner.pushed_scalars)
answer exactly what DuckDB answers (NULLs, empty inputs, collations, bound values in text
order), only those that provably return at most one row go down, and a subquery of several
rows still raises DuckDB's error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import apsw
import duckdb
import pytest

import federation as fed
from tests.twin_sqlite import assert_ids, oracle_ids, twin_oracle, twin_sqlite

ROWS = {"people": [(1, "Ann", 10, 1.5), (2, "bob", None, None), (3, None, 30, 2.5),
                   (4, "ANN", 40, -1.0), (5, "Bob", 25, 2.5)],
        "names": [(1, "ann", 1, 7), (2, "Bob", 1, None), (3, "bob", 3, 9), (4, None, 9, 2),
                  (5, "Bob", 5, 1)],
        "vacant": []}
PARAMS = {"a": 5, "i": 3, "b": 5}


def _create(con: apsw.Connection | duckdb.DuckDBPyConnection, nocase: str) -> None:
    con.execute(f"CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT{nocase}, n INTEGER, "
                "x REAL)")
    con.execute(f"CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT{nocase}, "
                "person INTEGER, k INTEGER)")
    con.execute("CREATE TABLE vacant (id INTEGER PRIMARY KEY, v INTEGER)")
    con.executemany("INSERT INTO people VALUES (?, ?, ?, ?)", ROWS["people"])
    con.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", ROWS["names"])


INDEXES = (
    "CREATE INDEX names_person ON names(person)",
)


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Iterator[fed.Engine]:
    with twin_sqlite(tmp_path_factory.mktemp("pushed_scalars"), _create, INDEXES) as engine:
        yield engine


@pytest.fixture(scope="module")
def oracle() -> duckdb.DuckDBPyConnection:
    return twin_oracle(_create)


PUSHED = [
    # uncorrelated aggregates: an integer column against a DOUBLE avg, NULLs skipped
    "SELECT p.id FROM crm.people p WHERE p.n > (SELECT avg(q.n) FROM crm.people q)",
    "SELECT p.id FROM crm.people p WHERE p.x >= (SELECT max(q.x) FROM crm.people q "
    "WHERE q.name IS NOT NULL) OR p.x < (SELECT abs(min(q.x)) FROM crm.people q)",
    # empty input: count 0, the others NULL
    "SELECT p.id FROM crm.people p WHERE p.n > (SELECT count(*) FROM crm.vacant e)",
    "SELECT p.id FROM crm.people p WHERE coalesce((SELECT max(e.v) FROM crm.vacant e), -1) "
    "< p.id",
    "SELECT p.id FROM crm.people p WHERE (SELECT min(e.v) FROM crm.vacant e) IS NULL "
    "AND p.id > 1",
    "SELECT p.id FROM crm.people p WHERE NOT (p.n > (SELECT max(e.v) FROM crm.vacant e))",
    # correlated, seeking names by the index on person
    "SELECT p.id FROM crm.people p WHERE p.id = (SELECT min(x.person) FROM crm.names x "
    "WHERE x.person = p.id)",
    "SELECT p.id FROM crm.people p WHERE (SELECT count(*) FROM crm.names x "
    "WHERE x.person = p.id) = 0",
    "SELECT p.id FROM crm.people p WHERE p.x < (SELECT avg(x.k) FROM crm.names x "
    "WHERE x.person = p.id)",
    # a lookup by a unique column: text compared BINARY although both columns are NOCASE
    "SELECT p.id FROM crm.people p WHERE p.name = (SELECT x.name FROM crm.names x "
    "WHERE x.id = p.id)",
    "SELECT p.id FROM crm.people p WHERE p.name <> (SELECT x.name FROM crm.names x "
    "WHERE x.id = 2)",
    # the first row: DuckDB's NULLS LAST, BINARY order ('Bob' < 'ann')
    "SELECT p.id FROM crm.people p WHERE p.name = (SELECT x.name FROM crm.names x "
    "ORDER BY x.name LIMIT 1)",
    "SELECT p.id FROM crm.people p WHERE p.n >= (SELECT x.k FROM crm.names x "
    "WHERE x.person = p.id ORDER BY x.k, x.id LIMIT 1)",
    "SELECT p.id FROM crm.people p WHERE p.n >= (SELECT x.k FROM crm.names x "
    "WHERE x.person = p.id ORDER BY x.k DESC, x.id LIMIT 1)",
    # bound values of both levels in text order
    "SELECT p.id FROM crm.people p WHERE p.n > $a AND p.name <> (SELECT x.name FROM "
    "crm.names x WHERE x.id = $i) AND p.id < $b",
]


@pytest.mark.parametrize("text", PUSHED)
def test_pushed_scalar_answers_like_duckdb(eng: fed.Engine, oracle: duckdb.DuckDBPyConnection,
                                           text: str) -> None:
    assert_ids(eng, oracle, text, 1, PARAMS if "$" in text else None)  # one statement


STAYS = [
    # SQLite raises past 2**63 where DuckDB's HUGEINT sum answers
    "SELECT p.id FROM crm.people p WHERE p.n < (SELECT sum(q.n) FROM crm.people q)",
    # SQLite's integer + turns REAL on overflow where DuckDB raises
    "SELECT p.id FROM crm.people p WHERE p.n < (SELECT min(q.n) + 5 FROM crm.people q)",
    # several groups: more than one row possible
    "SELECT p.id FROM crm.people p WHERE p.n > (SELECT count(*) FROM crm.names x "
    "WHERE x.person = 3 GROUP BY x.person)",
    # another source
    "SELECT p.id FROM crm.people p WHERE p.n > (SELECT avg(q.n) FROM other.people q)",
    # an integer key compared as a double could match two rows
    "SELECT p.id FROM crm.people p WHERE p.name = (SELECT x.name FROM crm.names x "
    "WHERE x.id = p.x)",
    # a first row after a skipped one
    "SELECT p.id FROM crm.people p WHERE p.name = (SELECT x.name FROM crm.names x "
    "WHERE x.person = p.id ORDER BY x.id LIMIT 1 OFFSET 1)",
    # correlated without an index to seek by
    "SELECT p.id FROM crm.people p WHERE p.n < (SELECT max(x.k) FROM crm.names x "
    "WHERE x.k = p.id)",
]


@pytest.mark.parametrize("text", STAYS)
def test_other_scalars_stay_in_duckdb(eng: fed.Engine, oracle: duckdb.DuckDBPyConnection,
                                      text: str) -> None:
    assert_ids(eng, oracle, text, 2)


@pytest.mark.parametrize("text", [
    "SELECT p.id FROM crm.people p WHERE p.name = (SELECT x.name FROM crm.names x)",
    # names 1 and 2 both belong to person 1, through the index SQLite would seek by
    "SELECT p.id FROM crm.people p WHERE p.name = (SELECT x.name FROM crm.names x "
    "WHERE x.person = p.id)",
])
def test_several_rows_raise_as_in_duckdb(eng: fed.Engine, oracle: duckdb.DuckDBPyConnection,
                                         text: str) -> None:
    # SQLite would answer the first of several rows where DuckDB raises
    several = "(?i)more than one row returned by a subquery"
    with pytest.raises(duckdb.Error, match=several):
        oracle_ids(oracle, text)
    with pytest.raises(fed.FederationError, match=several):
        eng.query(text).to_pylist()


def test_correlated_aggregate_needs_few_outer_rows(tmp_path: Path) -> None:
    # SQLite aggregates once per outer row where DuckDB decorrelates into one hash join
    con = apsw.Connection(str(tmp_path / "big.db"))
    con.execute("CREATE TABLE outer_rows (id INTEGER PRIMARY KEY, n INTEGER)")
    con.execute("CREATE TABLE inner_rows (id INTEGER PRIMARY KEY, o INTEGER, k INTEGER)")
    con.execute("CREATE INDEX inner_o ON inner_rows(o)")
    con.executemany("INSERT INTO outer_rows VALUES (?, ?)", [(i, i % 7) for i in range(3000)])
    con.executemany("INSERT INTO inner_rows VALUES (?, ?, ?)",
                    [(i, i % 3000, i % 5) for i in range(6000)])
    con.close()
    text = ("SELECT p.id FROM big.outer_rows p WHERE p.n < (SELECT count(*) FROM big.inner_rows x "
            "WHERE x.o = p.id){narrow}")
    with fed.connect(cache_bytes=0) as engine:
        engine.attach("big", fed.SQLite(tmp_path / "big.db"))
        every = engine.query(text.format(narrow=""))
        one = engine.query(text.format(narrow=" AND p.id = 7"))
        assert len(every.plan.fragments) == 2, every.plan  # 3 000 outer rows: DuckDB
        assert len(one.plan.fragments) == 1, one.plan  # one outer row: down whole
        # every outer row has two inner rows: n < 2 keeps n in {0, 1}
        assert sorted(r["id"] for r in every.to_pylist()) == [i for i in range(3000) if i % 7 < 2]
        assert one.to_pylist() == [{"id": 7}]


def _oracle_rows(oracle: duckdb.DuckDBPyConnection, text: str) -> list[tuple[object, ...]]:
    duck = text.replace("crm.", "").replace("other.", "")
    for name in PARAMS:
        duck = duck.replace(f"${name}", str(PARAMS[name]))
    return sorted(oracle.sql(duck).fetchall(), key=repr)


# scalar subqueries in the SELECT list: the source computes them as one more output column
VALUES = [
    # correlated count, 0 for a person without names; avg a DOUBLE, NULL over no rows
    "SELECT p.id, (SELECT count(*) FROM crm.names x WHERE x.person = p.id) AS v "
    "FROM crm.people p",
    "SELECT p.id, (SELECT avg(x.k) FROM crm.names x WHERE x.person = p.id) AS v "
    "FROM crm.people p",
    # uncorrelated: BINARY order ('Bob' < 'ann'), a REAL max, an empty input around coalesce
    "SELECT p.id, (SELECT min(x.name) FROM crm.names x) AS v, p.name FROM crm.people p",
    "SELECT p.id, (SELECT max(q.x) FROM crm.people q) AS v FROM crm.people p",
    "SELECT p.id, coalesce((SELECT max(e.v) FROM crm.vacant e), p.n) AS v FROM crm.people p",
    # a lookup by a unique column; the first row with DuckDB's NULLS LAST
    "SELECT p.id, (SELECT x.name FROM crm.names x WHERE x.id = p.id) AS v FROM crm.people p",
    "SELECT p.id, (SELECT x.k FROM crm.names x WHERE x.person = p.id ORDER BY x.k, x.id "
    "LIMIT 1) AS v FROM crm.people p",
    # bound values of both levels in text order (the SELECT list's first); a limited and an
    # empty outer side
    "SELECT p.id, (SELECT x.name FROM crm.names x WHERE x.id = $i) AS v FROM crm.people p "
    "WHERE p.n > $a OR p.id < $b",
    "SELECT p.id, (SELECT count(*) FROM crm.names x WHERE x.person = p.id) AS v "
    "FROM crm.people p ORDER BY p.id LIMIT 2",
    "SELECT p.id, (SELECT count(*) FROM crm.names x WHERE x.person = p.id) AS v "
    "FROM crm.people p WHERE p.id > 100",
]


@pytest.mark.parametrize("text", VALUES)
def test_pushed_select_list_scalar_answers_like_duckdb(
        eng: fed.Engine, oracle: duckdb.DuckDBPyConnection, text: str) -> None:
    result = eng.query(text, PARAMS if "$" in text else None)
    assert len(result.plan.fragments) == 1, result.plan  # one statement answered it all
    got = sorted((tuple(r.values()) for r in result.to_pylist()), key=repr)
    assert got == _oracle_rows(oracle, text)


VALUES_STAY = [
    # SQLite's integer + turns REAL on overflow where DuckDB raises: around the subquery too
    "SELECT p.id, (SELECT count(*) FROM crm.names x WHERE x.person = p.id) + p.n AS v "
    "FROM crm.people p",
    "SELECT p.id, (SELECT sum(q.n) FROM crm.people q) AS v FROM crm.people p",
    "SELECT p.id, (SELECT min(q.n) + 5 FROM crm.people q) AS v FROM crm.people p",
    "SELECT p.id, (SELECT avg(q.n) FROM other.people q) AS v FROM crm.people p",
    "SELECT p.id, (SELECT max(x.k) FROM crm.names x WHERE x.k = p.id) AS v FROM crm.people p",
]


@pytest.mark.parametrize("text", VALUES_STAY)
def test_other_select_list_scalars_stay_in_duckdb(
        eng: fed.Engine, oracle: duckdb.DuckDBPyConnection, text: str) -> None:
    result = eng.query(text)
    assert len(result.plan.fragments) == 2, result.plan
    got = sorted((tuple(r.values()) for r in result.to_pylist()), key=repr)
    assert got == _oracle_rows(oracle, text)


def test_select_list_scalar_of_several_rows_raises(eng: fed.Engine,
                                                   oracle: duckdb.DuckDBPyConnection) -> None:
    text = "SELECT p.id, (SELECT x.name FROM crm.names x WHERE x.person = p.id) FROM crm.people p"
    several = "(?i)more than one row returned by a subquery"
    with pytest.raises(duckdb.Error, match=several):
        _oracle_rows(oracle, text)
    with pytest.raises(fed.FederationError, match=several):
        eng.query(text).to_pylist()


_COUNTS = ("(SELECT p.id, (SELECT count(*) FROM crm.names x WHERE x.person = p.id) AS v "
           "FROM crm.people p)")


@pytest.mark.parametrize("text", [
    # a pushed value read by the work above its Scan: sorted (not by the source: it sorts
    # only its tables' columns), filtered, aggregated, joined
    "SELECT p.id, (SELECT count(*) FROM crm.names x WHERE x.person = p.id) AS v "
    "FROM crm.people p ORDER BY v DESC, p.id LIMIT 2",
    f"SELECT s.id, s.v FROM {_COUNTS} s WHERE s.v > 0",
    f"SELECT max(s.v) AS m, count(*) AS n FROM {_COUNTS} s",
    f"SELECT s.v, count(*) AS n FROM {_COUNTS} s GROUP BY s.v",
    f"SELECT s.id, s.v, q.name FROM {_COUNTS} s JOIN crm.people q ON q.id = s.id + 1",
])
def test_work_over_a_pushed_value(eng: fed.Engine, oracle: duckdb.DuckDBPyConnection,
                                  text: str) -> None:
    got = sorted((tuple(r.values()) for r in eng.query(text).to_pylist()), key=repr)
    assert got == _oracle_rows(oracle, text)
