"""SQLite's GROUP BY writer, exercised with grouping enabled in the capabilities.

The shipped SQLite capabilities push only global aggregates (SQLite's sorter-based GROUP BY
loses to DuckDB on large inputs), so a catalog that also lists the families SQLite groups by
exactly is built here, the query is planned with it, and the aggregated fragment SQLite
returns is checked against DuckDB running the same query on the same data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

import federation as fed
from grammar.parser import parse
from planner.binder import Binder
from planner.fragments import cut
from planner.logical import Scan
from planner.optimizer import optimize
from tests.differential.compare import assert_same_result
from tests.differential.dataset import build

GROUPED = {
    "null_groups_counts": "SELECT a.team, count(*) AS n, count(a.score) AS k FROM crm.agents a "
                          "GROUP BY a.team",
    # integer sums stay in DuckDB (SQLite's overflow past 2**63 is an error there)
    "float_sums_avg": "SELECT t.priority, count(t.agent_id) AS s, sum(t.estimate) AS f, "
                          "avg(t.estimate) AS a, avg(t.priority) AS ai FROM crm.tasks t "
                          "GROUP BY t.priority",
    "minmax_strings_dates_bools": "SELECT a.level, min(a.name) AS lo, max(a.name) AS hi, "
                                  "min(a.hired) AS h, max(a.active) AS act FROM crm.agents a "
                                  "GROUP BY a.level",
    "two_keys_filtered": "SELECT t.status, t.due, count(*) AS n FROM crm.tasks t "
                         "WHERE t.priority > 2 GROUP BY t.status, t.due",
    "empty_input": "SELECT t.status, max(t.due) AS d FROM crm.tasks t WHERE t.id < 0 "
                   "GROUP BY t.status",
    "over_join": "SELECT a.team, count(*) AS n, sum(t.estimate) AS est FROM crm.agents a "
                 "JOIN crm.tasks t ON t.agent_id = a.id GROUP BY a.team",
}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[fed.Engine, duckdb.DuckDBPyConnection, Path]]:
    path = tmp_path_factory.mktemp("grouped") / "crm.db"
    oracle = build(path)
    eng = fed.connect()
    eng.attach("crm", fed.SQLite(path))
    yield eng, oracle, path
    eng.close()
    oracle.close()


@pytest.mark.parametrize("name", GROUPED)
def test_grouped_fragment_matches_duckdb(
        name: str, setup: tuple[fed.Engine, duckdb.DuckDBPyConnection, Path]) -> None:
    eng, oracle, path = setup
    info = eng.catalog()["crm"]
    caps = replace(info.capabilities, group_families=frozenset({"int", "string", "date", "bool"}))
    catalog = {"crm": replace(info, capabilities=caps)}
    plan = optimize(Binder(catalog, {}).bind_statement(parse(GROUPED[name])), catalog)
    (fragment,) = cut(plan).fragments
    assert isinstance(fragment.plan, Scan) and fragment.plan.aggregate is not None
    source = fed.SQLite(path)
    source.open("crm")
    try:
        compiled = source.compile(fragment.plan, {})
        assert " GROUP BY " in compiled.native
        actual = source.execute(compiled)
    finally:
        source.close()
    assert actual.schema.types == [c.type for c in fragment.plan.columns]
    expected = oracle.sql(GROUPED[name]).to_arrow_table()
    assert_same_result(actual, expected, ordered=False)
