"""EXPLAIN goldens of set operations, outer joins and windows (i10-b): the DuckDB stage shows
the SetOp / Window / DistinctOn nodes and their SQL; each branch's sources are fragments of
their own, with the filters pushed into them. Regenerate with ``UPDATE_GOLDEN=1``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import federation as fed
from tests.differential.dataset import build

GOLDEN = Path(__file__).with_name("golden")
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
QUERIES = {
    "b_union_branches_are_fragments": """
        SELECT a.id AS k FROM crm.agents AS a WHERE a.team = $team
        UNION SELECT t.agent_id FROM crm.tasks AS t WHERE t.priority = 5
        ORDER BY k DESC LIMIT 3""",
    "b_filter_over_union_reaches_both_sources": """
        SELECT u.k FROM (SELECT a.level AS k FROM crm.agents AS a
        INTERSECT ALL SELECT t.priority FROM crm.tasks AS t) AS u WHERE u.k > 2""",
    "b_full_join_filters_stay_above": """
        SELECT a.id, t.id AS tid FROM crm.agents AS a FULL JOIN crm.tasks AS t
        ON t.agent_id = a.id AND t.priority = 1 WHERE a.level = 2""",
    "b_window_qualify_distinct_on": """
        SELECT DISTINCT ON (a.team) a.team, a.id,
        rank() OVER (PARTITION BY a.team ORDER BY a.score DESC NULLS LAST, a.id) AS r
        FROM crm.agents AS a WHERE a.active = TRUE QUALIFY r <= 3 ORDER BY a.team, a.id""",
    "b_values_join_using": """
        SELECT * FROM (VALUES (1, 'one'), (2, 'two')) AS v(id, label)
        JOIN crm.agents AS a USING (id)""",
}
PARAMS = {"b_union_branches_are_fragments": {"team": "ml"}}


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Iterator[fed.Engine]:
    path = tmp_path_factory.mktemp("explain_b") / "crm.db"
    build(path).close()
    with fed.connect() as engine:
        engine.attach("crm", fed.SQLite(path))
        yield engine


@pytest.mark.parametrize("name", QUERIES)
def test_explain_matches_golden(name: str, eng: fed.Engine) -> None:
    text = str(eng.explain(QUERIES[name], PARAMS.get(name)))
    golden = GOLDEN / f"{name}.txt"
    if UPDATE:
        golden.write_text(text + "\n")
    assert text + "\n" == golden.read_text()
    assert text == str(eng.explain(QUERIES[name], PARAMS.get(name)))  # stable
