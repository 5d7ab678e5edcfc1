"""EXPLAIN text is part of the contract: it shows what was pushed to which source, with bound
parameters, and what stayed in DuckDB. Goldens pin it; regenerate with ``UPDATE_GOLDEN=1``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import apsw
import pytest

import federation as fed
from tests.differential.dataset import build

GOLDEN = Path(__file__).with_name("golden")
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
QUERIES = {
    "pushed_join_filter_limit": """
        SELECT a.name, t.title FROM crm.agents AS a JOIN crm.tasks AS t ON t.agent_id = a.id
        WHERE a.team = $team AND t.status <> 'done' LIMIT 5""",
    "aggregate_stays_in_duckdb": """
        SELECT a.team, count(*) AS n, avg(a.score + a.level) AS score FROM crm.agents AS a
        WHERE a.hired >= DATE '2020-01-01' GROUP BY a.team HAVING count(*) > 1
        ORDER BY n DESC, a.team""",
    "unpushable_filter_and_left_join": """
        SELECT a.name, t.title FROM crm.agents AS a LEFT JOIN crm.tasks AS t
        ON t.agent_id = a.id AND t.priority > 2 WHERE lower(a.name) LIKE 'a%'""",
    "derived_table_and_cross_source_shape": """
        SELECT x.team, x.n FROM (SELECT a.team, count(*) AS n FROM crm.agents AS a
        GROUP BY a.team) AS x WHERE x.n > $min ORDER BY x.team""",
    "pushed_top_n": """
        SELECT t.title, t.due FROM crm.tasks AS t WHERE t.status = $status
        ORDER BY t.due DESC, t.id LIMIT 5 OFFSET 10""",
    "pushed_aggregate": """
        SELECT count(*) AS n, count(t.due) AS dated, sum(t.priority) AS p,
        avg(t.estimate) AS est, max(t.title) AS last FROM crm.tasks AS t WHERE t.id > 10""",
    # issue 10: a subquery's own filter goes into its fragment, the correlation stays in DuckDB
    # (a sum over integers: SQLite raises past 2**63 where DuckDB's HUGEINT answers)
    "correlated_subquery_stays_in_duckdb": """
        SELECT a.name FROM crm.agents AS a WHERE a.team = $team AND a.level > (SELECT
        sum(t.priority) FROM crm.tasks AS t WHERE t.agent_id = a.id AND t.status = 'done')""",
    # ... an avg goes down whole (planner.pushed_scalars), as does an uncorrelated first row
    "scalar_subquery_goes_down_whole_into_sqlite": """
        SELECT a.name FROM crm.agents AS a WHERE a.team = $team AND a.level > (SELECT
        avg(t.priority) FROM crm.tasks AS t WHERE t.agent_id = a.id AND t.status = 'done')
        AND a.hired < (SELECT t.due FROM crm.tasks AS t WHERE t.priority = $p
        ORDER BY t.due DESC, t.id LIMIT 1)""",
    # ... in the SELECT list too: the source computes it as one more column of its Scan
    "scalar_in_select_list_goes_down_whole_into_sqlite": """
        SELECT a.name, (SELECT count(*) FROM crm.tasks AS t WHERE t.agent_id = a.id
        AND t.status = $s) AS done FROM crm.agents AS a WHERE a.team = $team""",
    # ... unless it is an EXISTS / IN over the one SQLite source of the rows it filters: then
    # the whole condition goes down with them (planner.pushed_subqueries)
    # (a correlated one when it seeks its rows by an index: the fixture's on tasks.agent_id)
    "exists_goes_down_whole_into_sqlite": """
        SELECT a.name FROM crm.agents AS a WHERE a.team = $team AND EXISTS (SELECT 1
        FROM crm.tasks AS t WHERE t.agent_id = a.id AND t.status = 'done')""",
    "cte_read_twice_one_fragment": """
        WITH busy AS (SELECT t.agent_id, count(*) AS n FROM crm.tasks AS t
        WHERE t.priority > $p GROUP BY t.agent_id)
        SELECT x.agent_id, y.agent_id AS other FROM busy AS x JOIN busy AS y
        ON y.n = x.n AND y.agent_id > x.agent_id""",
    # issue 10 merged: a WITH over a whole UNION (each branch a fragment, the CTE one), and a
    # recursive CTE whose step joins a fragment read once, rendered WITH RECURSIVE
    "with_over_union_one_fragment_per_leaf": """
        WITH hot AS (SELECT t.agent_id FROM crm.tasks AS t WHERE t.priority > $p)
        SELECT h.agent_id FROM hot AS h UNION SELECT a.id FROM crm.agents AS a
        WHERE a.id IN (SELECT agent_id FROM hot) ORDER BY 1""",
    "recursive_cte_step_reads_a_fragment": """
        WITH RECURSIVE chain(id, depth) AS (SELECT t.id, 0 FROM crm.tasks AS t WHERE t.id = 1
        UNION ALL SELECT u.id, c.depth + 1 FROM chain AS c JOIN crm.tasks AS u
        ON u.id = c.id + 1 WHERE c.depth < 3) SELECT id, depth FROM chain""",
}
PARAMS = {"pushed_join_filter_limit": {"team": "core"},
          "derived_table_and_cross_source_shape": {"min": 1}, "pushed_top_n": {"status": "done"},
          "correlated_subquery_stays_in_duckdb": {"team": "core"},
          "exists_goes_down_whole_into_sqlite": {"team": "core"},
          "scalar_subquery_goes_down_whole_into_sqlite": {"team": "core", "p": 4},
          "scalar_in_select_list_goes_down_whole_into_sqlite": {"team": "core", "s": "done"},
          "cte_read_twice_one_fragment": {"p": 3},
          "with_over_union_one_fragment_per_leaf": {"p": 3}}


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Iterator[fed.Engine]:
    path = tmp_path_factory.mktemp("explain") / "crm.db"
    build(path).close()
    con = apsw.Connection(str(path))  # a correlated subquery goes down only where it seeks
    con.execute("CREATE INDEX tasks_agent ON tasks(agent_id)")
    con.close()
    with fed.connect() as engine:
        engine.attach("crm", fed.SQLite(path))
        yield engine


@pytest.mark.parametrize("name", QUERIES)
def test_explain_matches_golden(name: str, eng: fed.Engine) -> None:
    text = str(eng.explain(QUERIES[name], PARAMS.get(name)))
    golden = GOLDEN / f"{name}.txt"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text + "\n")
    assert text + "\n" == golden.read_text()
    assert text == str(eng.explain(QUERIES[name], PARAMS.get(name)))  # stable


def test_analyze_adds_rows_and_timings(eng: fed.Engine) -> None:
    text = str(eng.explain(QUERIES["pushed_join_filter_limit"], PARAMS["pushed_join_filter_limit"],
                           analyze=True))
    assert "-- rows: 5" in text and "== Timings ==" in text
