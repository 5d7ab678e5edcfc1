"""Subqueries and CTEs through the rules and the plan cutter: a correlated predicate never
reaches a source, a subquery's own filters do, every source leaf inside a subquery or a CTE
becomes one fragment of the DuckDB stage, and a CTE read twice is one fragment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import apsw
import pytest

import federation as fed
from grammar.parser import parse
from planner.binder import Binder
from planner.catalog import Catalog
from planner.errors import PlanError
from planner.expressions import OuterRef, SubqueryExpr, walk
from planner.fragments import CutPlan, cut
from planner.logical import GraphMatch, Plan, Scan, VectorSearch
from planner.optimizer import optimize
from planner.subquery_plans import node_exprs, plan_subqueries
from tests.differential.dataset import build

CORRELATED = [
    "SELECT a.id FROM crm.agents a WHERE EXISTS (SELECT 1 FROM crm.tasks t "
    "WHERE t.agent_id = a.id AND t.status = 'done')",
    "SELECT a.id, (SELECT count(*) FROM crm.tasks t WHERE t.agent_id = a.id AND "
    "t.priority > a.level) AS n FROM crm.agents a",
    "SELECT a.id FROM crm.agents a WHERE a.level >= ALL (SELECT b.level FROM crm.agents b "
    "WHERE b.team = a.team)",
    "SELECT d.id FROM (SELECT a.id, a.team FROM crm.agents a) AS d WHERE d.id IN "
    "(SELECT t.agent_id FROM crm.tasks t WHERE t.status = d.team)",
    "SELECT r.r_name FROM crm.region r WHERE EXISTS (SELECT 1 FROM crm.nation n WHERE "
    "n.n_regionkey = r.r_regionkey AND EXISTS (SELECT 1 FROM crm.customer c WHERE "
    "c.c_nationkey = n.n_nationkey AND c.c_acctbal > r.r_regionkey * 1000))",
    # a join inside the subquery: its correlated filter moves above the merged Scan
    "SELECT a.id FROM crm.agents a WHERE EXISTS (SELECT 1 FROM crm.tasks t JOIN crm.agents b "
    "ON b.id = t.agent_id WHERE t.agent_id = a.id AND b.level > 2)",
]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    path: Path = tmp_path_factory.mktemp("subquery_rules") / "crm.db"
    build(path).close()
    con = apsw.Connection(str(path))  # correlated subqueries go down only where they seek
    con.execute("CREATE INDEX tasks_agent ON tasks(agent_id); "
                "CREATE INDEX tasks_status ON tasks(status)")
    con.close()
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(path))
        yield eng.catalog()


def _planned(text: str, catalog: Catalog) -> CutPlan:
    return cut(optimize(Binder(catalog, {}).bind_statement(parse(text)), catalog))


def _all_nodes(plan: Plan) -> Iterator[Plan]:
    """Every node, those of subquery plans included."""
    yield plan
    for sub in (s for e in node_exprs(plan) for s in walk(e) if isinstance(s, SubqueryExpr)):
        yield from _all_nodes(sub.plan)
    for child in plan.children:
        yield from _all_nodes(child)


# [NOT] EXISTS / IN over the one SQLite source of the rows they filter go down whole
# (planner.pushed_subqueries), as does a scalar one in the SELECT list (planner.rules.
# scalar_pushdown: a count seeking by the index on tasks.agent_id), and one over a join; the
# others stay in DuckDB
PUSHED_WHOLE = {0, 1, 3, 5}


@pytest.mark.parametrize("number", range(len(CORRELATED)))
def test_correlated_subquery_goes_down_whole_or_stays_in_duckdb(number: int,
                                                                 catalog: Catalog) -> None:
    planned = _planned(CORRELATED[number], catalog)
    if number in PUSHED_WHOLE:
        assert next(plan_subqueries(planned.stage), None) is None
        (fragment,) = planned.fragments
        assert isinstance(fragment.plan, Scan)
        held = [e for f in fragment.plan.filters + tuple(v for _, v in fragment.plan.computed)
                for e in walk(f)]
        assert any(isinstance(e, SubqueryExpr) for e in held)
        assert not any(isinstance(e, OuterRef) for e in held)
    else:
        _assert_stays_in_duckdb(planned)


def _assert_stays_in_duckdb(planned: CutPlan) -> None:
    assert next(plan_subqueries(planned.stage), None) is not None
    for fragment in planned.fragments:
        leaf = fragment.plan
        for expr in leaf.filters:
            assert not any(isinstance(e, OuterRef | SubqueryExpr) for e in walk(expr)), expr
    stage_leaves = [n for n in _all_nodes(planned.stage)
                    if isinstance(n, Scan | GraphMatch | VectorSearch)]
    assert stage_leaves == []  # every leaf, inside subqueries too, became a fragment


def test_subquery_filters_go_into_their_own_fragment(catalog: Catalog) -> None:
    # (a sum over integers stays in DuckDB: SQLite raises past 2**63 where DuckDB answers)
    planned = _planned("SELECT a.id FROM crm.agents a WHERE a.level > (SELECT "
                       "sum(t.priority) FROM crm.tasks t WHERE t.priority = 5)", catalog)
    assert len(planned.fragments) == 2
    tasks = next(f.plan for f in planned.fragments if isinstance(f.plan, Scan)
                 and f.plan.tables[0].table == "tasks")
    assert [str(p) for p in tasks.filters] == ["(t.priority = 5)"]


def test_cte_read_twice_is_one_fragment(catalog: Catalog) -> None:
    planned = _planned("WITH busy AS (SELECT t.agent_id, count(*) AS n FROM crm.tasks t "
                       "GROUP BY t.agent_id) SELECT x.agent_id FROM busy x JOIN busy y "
                       "ON y.n = x.n AND y.agent_id > x.agent_id", catalog)
    assert len(planned.fragments) == 1


def test_cte_read_twice_runs_its_fragment_once(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    build(path).close()
    with fed.connect(cache_bytes=0) as eng:
        eng.attach("crm", fed.SQLite(path))
        result = eng.query("WITH lv AS (SELECT a.id, a.level FROM crm.agents a) "
                           "SELECT x.id FROM lv x JOIN lv y ON y.id = x.id + 1 "
                           "JOIN lv z ON z.id = x.id + 2")
        assert len(result.plan.fragments) == 1, result.plan
        assert len(result) > 0


def test_subquery_nodes_are_validated_when_built(catalog: Catalog) -> None:
    bound = Binder(catalog, {}).bind_statement(parse(
        "SELECT a.id FROM crm.agents a WHERE a.id IN (SELECT t.agent_id FROM crm.tasks t)"))
    sub = next(s for n in _all_nodes(bound) for e in node_exprs(n) for s in walk(e)
               if isinstance(s, SubqueryExpr))
    with pytest.raises(PlanError, match="ANY compares with 'like'"):
        replace(sub, op="like")
    with pytest.raises(PlanError, match="a exists subquery has no operand"):
        replace(sub, kind="exists")
    with pytest.raises(PlanError, match="a scalar subquery has no operand"):
        replace(sub, kind="scalar")
    with pytest.raises(PlanError, match="subquery kind 'some'"):
        replace(sub, kind="some")
