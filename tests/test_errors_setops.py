"""Errors of set operations, joins, windows and the clauses of issue 10 helper B, through the
public API: each a typed ``fed.BindError`` naming the problem, with its position where the
binder knows it (golden message fragments)."""

from __future__ import annotations

from collections.abc import Iterator

import apsw
import pytest

import federation as fed


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Iterator[fed.Engine]:
    path = tmp_path_factory.mktemp("errors_b") / "crm.db"
    con = apsw.Connection(str(path))
    con.execute("CREATE TABLE agents(id INTEGER PRIMARY KEY, name TEXT, team TEXT, score REAL)")
    con.execute("CREATE TABLE tasks(id INTEGER PRIMARY KEY, agent_id INTEGER, title TEXT)")
    con.execute("INSERT INTO agents VALUES (1, 'ann', 'core', 1.5), (2, 'bob', 'edge', NULL)")
    con.execute("INSERT INTO tasks VALUES (1, 1, 't1'), (2, 2, 't2')")
    con.close()
    with fed.connect() as engine:
        engine.attach("crm", fed.SQLite(path))
        yield engine


def _at(text: str, needle: str) -> tuple[int, int]:
    index = text.rindex(needle)  # the last occurrence
    return 1, index + 1


# (query, message fragment, where the caret points or None)
GOLDEN = [
    ("SELECT a.id, a.name FROM crm.agents a UNION SELECT t.id FROM crm.tasks t",
     "the branches of UNION give 2 and 1 columns", "SELECT a.id"),
    ("SELECT a.id FROM crm.agents a EXCEPT ALL SELECT t.title FROM crm.tasks t",
     "column 1 of EXCEPT ALL is BIGINT in one branch and VARCHAR in the other; CAST one",
     "SELECT a.id"),
    ("SELECT a.id FROM crm.agents a UNION SELECT t.id FROM crm.tasks t ORDER BY a.id",
     "ORDER BY after UNION takes the result's column names or positions", "a.id"),
    ("SELECT a.id FROM crm.agents a INTERSECT SELECT t.id FROM crm.tasks t ORDER BY 2",
     "ORDER BY position 2 is not in the select list", "2"),
    ("SELECT a.id AS k FROM crm.agents a UNION SELECT t.id FROM crm.tasks t ORDER BY kk",
     "unknown column 'kk'", "kk"),
    ("SELECT * EXCLUDE (nope) FROM crm.agents a", "EXCLUDE names 'nope', which * does not list",
     "*"),
    ("SELECT * FROM crm.agents a JOIN crm.tasks t USING (title)",
     "USING column 'title' is missing or ambiguous in the left input of the join", None),
    ("SELECT * FROM crm.agents a JOIN crm.tasks t ON t.agent_id = a.id JOIN "
     "(SELECT 1 AS id) AS x USING (id)",
     "USING column 'id' is missing or ambiguous in the left input of the join", None),
    ("SELECT *", "SELECT * needs a FROM clause", "*"),
    ("SELECT x.a FROM (SELECT 1 AS one) AS x(a, b)",
     "2 column names given for 1 columns", None),
    ("SELECT upper(a.name) OVER () FROM crm.agents a",
     "upper() is not a window function FQL supports", "upper"),
    ("SELECT count(DISTINCT a.id) OVER () FROM crm.agents a",
     "DISTINCT in a window function is not supported", "count"),
    ("SELECT a.id FROM crm.agents a WHERE row_number() OVER (ORDER BY a.id) = 1",
     "window functions are allowed only in the select list, QUALIFY and ORDER BY",
     "row_number"),
    ("SELECT ntile() OVER (ORDER BY a.id) FROM crm.agents a",
     "ntile() takes 1 arguments, got 0", "ntile"),
    ("SELECT sum(a.score) OVER (ORDER BY a.id, a.name RANGE BETWEEN 1 PRECEDING AND CURRENT "
     "ROW) FROM crm.agents a", "a RANGE frame with an offset needs exactly one ORDER BY key",
     "RANGE"),
    ("SELECT lower(a.name) FILTER (WHERE a.id > 1) FROM crm.agents a",
     "FILTER (WHERE …) applies to aggregate functions only, not lower()", "lower"),
    ("SELECT v.x FROM (VALUES (1), ('a')) AS v(x)",
     "column 1 of VALUES is BIGINT in one branch and VARCHAR in the other", None),
    ("SELECT a.team, count(*) FROM crm.agents a GROUP BY ROLLUP (a.team)",
     "GROUP BY ROLLUP is not supported", "ROLLUP"),
    ("SELECT a.team, count(*) FROM crm.agents a GROUP BY cube(a.team, a.name)",
     "GROUP BY CUBE is not supported", "cube"),
    ("SELECT id FROM crm.agents a JOIN crm.tasks t ON t.agent_id = a.id",
     "column 'id' is ambiguous", "id FROM"),
]


@pytest.mark.parametrize("text, fragment, where", GOLDEN,
                         ids=[g[1][:40] for g in GOLDEN])
def test_refused_by_name(eng: fed.Engine, text: str, fragment: str, where: str | None) -> None:
    with pytest.raises(fed.BindError) as info:
        eng.query(text)
    err = info.value
    assert fragment in str(err), str(err)
    if where is not None:
        assert (err.line, err.column) == _at(text, where), str(err)


def test_using_column_resolves_unqualified_but_sides_stay_reachable(eng: fed.Engine) -> None:
    rows = eng.query("SELECT id, a.id AS aid, t.agent_id FROM crm.agents a JOIN (SELECT "
                     "t.agent_id AS id, t.agent_id FROM crm.tasks t) AS t USING (id) "
                     "ORDER BY id").to_pylist()
    assert rows == [{"id": 1, "aid": 1, "agent_id": 1}, {"id": 2, "aid": 2, "agent_id": 2}]


def test_set_operation_reads_every_branch_source_for_the_cache(eng: fed.Engine) -> None:
    from federation.answers import QueryKey
    from grammar.parser import parse

    key = QueryKey(parse("SELECT a.id FROM crm.agents a UNION SELECT x.id FROM "
                         "(SELECT t.id FROM other.tasks t) AS x"))
    assert key.names == frozenset({"crm", "other"})
