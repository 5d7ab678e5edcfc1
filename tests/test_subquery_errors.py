"""Errors of subqueries, CTEs and derived-table column lists (issue 10): each refused by name,
with the position of the construct, as a typed ``FederationError``."""

from __future__ import annotations

from collections.abc import Iterator

import apsw
import pytest

import federation as fed
from tests.test_errors import at, bind_error


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Iterator[fed.Engine]:
    path = tmp_path_factory.mktemp("subquery_errors") / "crm.db"
    con = apsw.Connection(str(path))
    con.execute("CREATE TABLE agents(id INTEGER PRIMARY KEY, name TEXT, team TEXT)")
    con.execute("CREATE TABLE tasks(id INTEGER PRIMARY KEY, agent_id INTEGER, title TEXT)")
    con.execute("INSERT INTO agents VALUES (1, 'ann', 'core'), (2, 'bob', 'edge')")
    con.execute("INSERT INTO tasks VALUES (1, 1, 't1'), (2, 1, 't2'), (3, 2, 't3')")
    con.close()
    with fed.connect() as engine:
        engine.attach("crm", fed.SQLite(path))
        yield engine


def test_table_without_source_names_both_ways(eng: fed.Engine) -> None:
    text = "SELECT a.id FROM agents a"
    err = bind_error(eng, text, where="agents")
    assert "read a table as source.table (e.g. crm.agents), or declare 'agents' in WITH" \
        in str(err)


def test_with_recursive_without_self_reference_is_a_plain_cte(eng: fed.Engine) -> None:
    text = "WITH RECURSIVE r AS (SELECT a.id FROM crm.agents a) SELECT * FROM r ORDER BY id"
    assert eng.query(text).to_pylist() == [{"id": 1}, {"id": 2}]


@pytest.mark.parametrize(("text", "where", "message"), [
    ("WITH RECURSIVE r AS (SELECT a.id FROM crm.agents a JOIN r ON r.id = a.id) "
     "SELECT * FROM r", "r AS", "recursive CTE 'r' must be written anchor UNION [ALL] step"),
    ("WITH RECURSIVE r AS (SELECT r.id FROM r UNION SELECT 1) SELECT * FROM r",
     "SELECT r.id", "the anchor (first branch) of recursive CTE 'r' cannot read the CTE"),
    ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1, n FROM r WHERE n < 3) "
     "SELECT * FROM r", "SELECT 1", "the anchor of a recursive CTE gives 1 columns and its "
     "step 2"),
    ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT 'x' FROM r WHERE n < 3) "
     "SELECT * FROM r", "SELECT 1", "column 1 of the recursive CTE's UNION ALL is"),
    ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r ORDER BY 1) "
     "SELECT * FROM r", "SELECT 1", "cannot have ORDER BY, LIMIT or WITH of its own"),
])
def test_recursive_cte_shapes_refused_by_name(eng: fed.Engine, text: str, where: str,
                                              message: str) -> None:
    err = bind_error(eng, text, where=where)
    assert message in str(err)


@pytest.mark.parametrize("text", [
    "SELECT a.id FROM crm.agents a WHERE a.id IN (SELECT t.id, t.agent_id FROM crm.tasks t)",
    "SELECT (SELECT t.id, t.title FROM crm.tasks t LIMIT 1) AS x FROM crm.agents a",
    "SELECT a.id FROM crm.agents a WHERE a.id > ALL (SELECT * FROM crm.tasks t)",
])
def test_subquery_as_a_value_has_one_column(eng: fed.Engine, text: str) -> None:
    err = bind_error(eng, text)
    assert "a subquery used as a value returns one column" in str(err)


def test_subquery_inside_an_aggregate_is_refused(eng: fed.Engine) -> None:
    text = "SELECT sum((SELECT max(t.id) FROM crm.tasks t)) FROM crm.agents a"
    err = bind_error(eng, text, where="sum")
    assert "a subquery inside sum() is not supported" in str(err)


def test_aggregate_of_outer_columns_only_is_refused(eng: fed.Engine) -> None:
    text = "SELECT (SELECT max(a.id) FROM crm.tasks t) AS m FROM crm.agents a"
    err = bind_error(eng, text, where="max")
    assert "max() over columns of the enclosing query only is not supported" in str(err)


def test_unknown_outer_column_is_unknown(eng: fed.Engine) -> None:
    text = "SELECT a.id FROM crm.agents a WHERE EXISTS (SELECT 1 FROM crm.tasks t " \
           "WHERE t.agent_id = z.id)"
    err = bind_error(eng, text, where="z.id")
    assert "unknown relation 'z'" in str(err)


def test_select_alias_is_not_visible_in_a_subquery(eng: fed.Engine) -> None:
    text = "SELECT a.id AS k, (SELECT count(*) FROM crm.tasks t WHERE t.agent_id = k) AS n " \
           "FROM crm.agents a"
    err = bind_error(eng, text, where="k)")
    assert "unknown column 'k'" in str(err)


def test_subquery_compared_with_another_type(eng: fed.Engine) -> None:
    text = "SELECT a.id FROM crm.agents a WHERE a.id IN (SELECT t.title FROM crm.tasks t)"
    err = bind_error(eng, text, where="a.id IN")
    assert "cannot compare a.id (BIGINT) with" in str(err)


@pytest.mark.parametrize(("text", "fragment"), [
    ("SELECT * FROM (SELECT a.id FROM crm.agents a) AS d(x, y)",
     "2 column names given for 1 columns"),
    ("SELECT * FROM (SELECT a.id, a.name FROM crm.agents a) AS d(x, x)",
     "a column name is given twice"),
    ("WITH r(x, y) AS (SELECT a.id FROM crm.agents a) SELECT * FROM r",
     "2 column names given for 1 columns"),
    ("WITH r AS (SELECT a.id FROM crm.agents a), R AS (SELECT 1 AS one FROM crm.agents a) "
     "SELECT * FROM r", "CTE 'R' is declared twice in one WITH"),
])
def test_bad_column_lists_and_ctes(eng: fed.Engine, text: str, fragment: str) -> None:
    err = bind_error(eng, text)
    assert fragment in str(err)


def test_correlated_cte_is_refused_by_name(eng: fed.Engine) -> None:
    text = "SELECT a.id FROM crm.agents a WHERE EXISTS (WITH mine AS (SELECT t.id FROM " \
           "crm.tasks t WHERE t.agent_id = a.id) SELECT 1 FROM mine)"
    err = bind_error(eng, text, where="mine AS")
    assert "CTE 'mine' reads columns of the query around it" in str(err)


def test_scalar_subquery_of_several_rows_is_a_typed_error(eng: fed.Engine) -> None:
    text = "SELECT a.id, (SELECT t.id FROM crm.tasks t WHERE t.agent_id = a.id) AS x " \
           "FROM crm.agents a"
    with pytest.raises(fed.SourceError) as info:
        eng.query(text)
    assert "more than one row returned by a subquery used as an expression" \
        in str(info.value).lower()


def test_positions_point_at_the_subquery(eng: fed.Engine) -> None:
    text = "SELECT a.id FROM crm.agents a WHERE a.id IN (SELECT t.nope FROM crm.tasks t)"
    err = bind_error(eng, text, where="t.nope")
    assert at(text, "t.nope") == (err.line, err.column)
