"""[NOT] EXISTS / IN subqueries that go down whole into one SQLite source answer exactly what
DuckDB answers (collations and NULLs included), and only those go down."""

from __future__ import annotations

from collections.abc import Iterator

import apsw
import duckdb
import pytest

import federation as fed
from tests.twin_sqlite import assert_ids, twin_oracle, twin_sqlite

ROWS = {"people": [(1, "Ann", 10), (2, "bob", None), (3, None, 30), (4, "ANN", 40)],
        "names": [(1, "ann"), (2, "Bob"), (3, "bob"), (4, None)]}


def _create(con: apsw.Connection | duckdb.DuckDBPyConnection, nocase: str) -> None:
    con.execute(f"CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT{nocase}, n INTEGER)")
    con.execute(f"CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT{nocase})")
    con.executemany("INSERT INTO people VALUES (?, ?, ?)", ROWS["people"])
    con.executemany("INSERT INTO names VALUES (?, ?)", ROWS["names"])


INDEXES = (
    "CREATE INDEX names_name ON names(name)",  # NOCASE: seeks no BINARY =
    "CREATE INDEX people_name ON people(name COLLATE BINARY)",
)


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Iterator[fed.Engine]:
    with twin_sqlite(tmp_path_factory.mktemp("pushed_subqueries"), _create, INDEXES) as engine:
        yield engine


@pytest.fixture(scope="module")
def oracle() -> duckdb.DuckDBPyConnection:
    return twin_oracle(_create)


CASES = [
    "SELECT p.id FROM crm.people p WHERE p.name IN (SELECT x.name FROM crm.names x)",
    "SELECT p.id FROM crm.people p WHERE p.name NOT IN (SELECT x.name FROM crm.names x "
    "WHERE x.name IS NOT NULL)",
    "SELECT p.id FROM crm.people p WHERE p.name NOT IN (SELECT x.name FROM crm.names x)",
    "SELECT p.id FROM crm.people p WHERE EXISTS (SELECT 1 FROM crm.people q "
    "WHERE q.name = p.name AND q.id <> p.id)",
    "SELECT p.id FROM crm.people p WHERE NOT EXISTS (SELECT 1 FROM crm.names x "
    "WHERE x.id = p.id AND x.name = p.name) OR p.n > 35",
    "SELECT p.id FROM crm.people p WHERE p.id IN (SELECT x.id FROM crm.names x "
    "WHERE x.name > 'a')",
]


@pytest.mark.parametrize("text", CASES)
def test_pushed_whole_answers_like_duckdb(eng: fed.Engine, oracle: duckdb.DuckDBPyConnection,
                                          text: str) -> None:
    assert_ids(eng, oracle, text, 1)  # one statement answered it all


def test_subquery_over_another_source_stays_in_duckdb(eng: fed.Engine,
                                                       oracle: duckdb.DuckDBPyConnection
                                                       ) -> None:
    assert_ids(eng, oracle, "SELECT p.id FROM crm.people p WHERE p.name IN "
               "(SELECT x.name FROM other.names x)", 2)


def test_correlated_subquery_without_an_index_stays_in_duckdb(eng: fed.Engine) -> None:
    # SQLite could scan the inner table once per outer row
    result = eng.query("SELECT p.id FROM crm.people p WHERE EXISTS (SELECT 1 FROM crm.people q "
                       "WHERE q.n = p.n + 0 AND q.id <> p.id)")
    assert len(result.plan.fragments) == 2


def test_nocase_index_does_not_seek_a_binary_equality(eng: fed.Engine,
                                                       oracle: duckdb.DuckDBPyConnection
                                                       ) -> None:
    # text is compared COLLATE BINARY, which SQLite cannot answer from a NOCASE index: it
    # would scan names once per person
    tables = eng.catalog()["crm"].tables
    assert "name" not in tables["names"].indexed and "name" in tables["people"].indexed
    text = "SELECT p.id FROM crm.people p WHERE EXISTS (SELECT 1 FROM crm.names x " \
           "WHERE x.name = p.name)"
    assert_ids(eng, oracle, text, 2)


def test_scalar_subquery_stays_in_duckdb(eng: fed.Engine) -> None:
    # SQLite answers the first of several rows where DuckDB raises
    with pytest.raises(fed.FederationError):
        eng.query("SELECT p.id FROM crm.people p WHERE p.name = (SELECT x.name FROM "
                  "crm.names x)").to_pylist()
