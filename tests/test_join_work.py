"""What a join inside one source is guessed to read before it ran (``planner.join_work``),
and the distinct keys a SQLite file's ``ANALYZE`` gives it. Catalog numbers are the routing
benchmark's domain at scale 1 (10 000 agents, 100 000 tasks, 140 145 assignments, ~15 per
agent)."""

from __future__ import annotations

from pathlib import Path

import apsw
import pyarrow as pa
import pytest

from federation.sources.sqlite_schema import distinct_keys
from planner.capabilities import Capabilities
from planner.catalog import SourceInfo, TableSchema
from planner.expressions import BExpr, ColumnRef, Const, Func, ParamRef
from planner.join_work import SEEK_ROWS, work_rows
from planner.logical import GraphEdge, GraphNode, Scan, TableAccess
from planner.mirror_match import TableMatch
from planner.route_costs import JOIN_S_PER_1K_ROWS

I64, BOOL = pa.int64(), pa.bool_()
ASSIGNMENTS, TASKS, DEPENDENCIES = 140_145, 100_000, 99_027


def _catalog(distinct: bool = True) -> dict[str, SourceInfo]:
    tables = {
        "assignments": TableSchema("assignments", (("agent_id", I64), ("task_id", I64)),
                                   row_count=ASSIGNMENTS, indexed=("agent_id", "task_id"),
                                   distinct={"agent_id": 9343, "task_id": 70_072}
                                   if distinct else {}),
        "dependencies": TableSchema("dependencies", (("task_id", I64), ("prereq", I64)),
                                    row_count=DEPENDENCIES, indexed=("task_id", "prereq"),
                                    distinct={"task_id": 49_513} if distinct else {}),
        "tasks": TableSchema("tasks", (("id", I64), ("priority", I64)), row_count=TASKS,
                             unique=("id",), indexed=("id",)),
    }
    caps = Capabilities(joins=frozenset({"inner"}))
    return {"crm": SourceInfo("crm", "sqlite", caps, tables)}


def _between(rel: str, column: str) -> BExpr:
    return Func("between", (ColumnRef(rel, column, I64), ParamRef("lo", I64),
                            ParamRef("hi", I64)), BOOL)


def _hops(two: bool) -> TableMatch:
    """``(x:Agent)-[:ASSIGNED_TO]->(t:Task)[-[:DEPENDS_ON]->(p:Task)] WHERE x.id BETWEEN
    $lo AND $hi`` over the link tables, as ``planner.mirror_match`` writes it (the agent is
    unlabelled: only its key, read from assignments)."""
    nodes: tuple[GraphNode, ...] = (GraphNode("x", None),
                                    GraphNode("t", None if two else "tasks"))
    edges: tuple[GraphEdge, ...] = (GraphEdge("_e", "assignments", 0, 1, "right"),)
    links = [("assignments", "agent_id", "task_id")]
    if two:
        nodes += (GraphNode("p", "tasks"),)
        edges += (GraphEdge("_e_2", "dependencies", 1, 2, "right"),)
        links.append(("dependencies", "task_id", "prereq"))
    last = nodes[-1].rel
    return TableMatch("crm", nodes, edges, (ColumnRef(last, "id", I64),),
                      (_between("x", "id"),), node_keys=(("tasks", "id"),),
                      links=tuple(sorted(links)), keyed=(("x", "id"),))


EVERY_1HOP = ASSIGNMENTS + TASKS


def test_a_seeded_hop_reads_a_seek_not_every_row() -> None:
    """One agent: a seek into assignments (15 rows), a seek into tasks per row. Counting
    every row of both tables (the old guess, 12 ms) kept the mirror over the router's 3x
    guard against Kuzu's 2 ms; it ran in 0.8 ms."""
    rows = work_rows(_hops(two=False), _catalog(), {"lo": 17, "hi": 17})
    per_agent = ASSIGNMENTS / 9343
    assert rows == pytest.approx(SEEK_ROWS + per_agent + per_agent * (SEEK_ROWS + 1))
    assert JOIN_S_PER_1K_ROWS * rows / 1000 < 0.1e-3


def test_two_hops_from_a_seed_stay_small() -> None:
    rows = work_rows(_hops(two=True), _catalog(), {"lo": 17, "hi": 17})
    assert rows < 2_000  # 15 assignments, 15 task keys x 2 dependencies, 30 tasks


def test_a_broad_range_reads_its_share_of_the_links_and_a_seek_per_row() -> None:
    seed = work_rows(_hops(two=False), _catalog(), {"lo": 17, "hi": 17})
    broad = work_rows(_hops(two=False), _catalog(), {"lo": 1, "hi": 6000})
    share = 6000 / 9343 * ASSIGNMENTS  # the links of 6000 of the 9343 agents that have any
    assert broad == pytest.approx(SEEK_ROWS + share + share * (SEEK_ROWS + 1))
    assert broad > 1000 * seed


def test_without_values_a_range_keeps_a_third() -> None:
    unknown = work_rows(_hops(two=False), _catalog())
    third = ASSIGNMENTS / 3
    assert unknown == pytest.approx(SEEK_ROWS + third + third * (SEEK_ROWS + 1))


def test_without_distinct_keys_a_seed_is_an_equality_guess() -> None:
    """No ``ANALYZE``: a tenth of the links per key (``planner.cardinality``'s guess), still
    below reading both tables once."""
    rows = work_rows(_hops(two=False), _catalog(distinct=False), {"lo": 17, "hi": 17})
    tenth = ASSIGNMENTS / 10
    assert rows == pytest.approx(SEEK_ROWS + tenth + tenth * (SEEK_ROWS + 1))


def _scan(*filters: BExpr, indexed: bool = True) -> tuple[Scan, dict[str, SourceInfo]]:
    catalog = _catalog()
    if not indexed:
        info = catalog["crm"]
        tables = dict(info.tables)
        tables["assignments"] = TableSchema("assignments", tables["assignments"].columns,
                                            row_count=ASSIGNMENTS)
        catalog["crm"] = SourceInfo("crm", "sqlite", info.capabilities, tables)
    scan = Scan("crm", (TableAccess("assignments", "a"), TableAccess("tasks", "t", "inner")),
                (ColumnRef("t", "id", I64),), filters)
    return scan, catalog


JOIN = Func("eq", (ColumnRef("a", "task_id", I64), ColumnRef("t", "id", I64)), BOOL)


def test_a_scan_join_enters_where_an_index_seeks() -> None:
    scan, catalog = _scan(_between("a", "agent_id"), JOIN)
    seeded = work_rows(scan, catalog, {"lo": 5, "hi": 5})
    assert seeded < 500
    unindexed, catalog = _scan(_between("a", "agent_id"), JOIN, indexed=False)
    # no index on the filtered column: assignments is scanned (a tenth kept, one value)
    assert work_rows(unindexed, catalog, {"lo": 5, "hi": 5}) >= ASSIGNMENTS


def test_a_join_it_cannot_walk_reads_every_table() -> None:
    """An OR across both tables (no equality to probe through): every row, as before."""
    either = Func("or", (JOIN, Func("eq", (ColumnRef("a", "agent_id", I64),
                                           ColumnRef("t", "priority", I64)), BOOL)), BOOL)
    scan, catalog = _scan(either, Func("eq", (ColumnRef("a", "agent_id", I64),
                                              Const(3, I64)), BOOL))
    assert work_rows(scan, catalog, {}) == EVERY_1HOP


def test_distinct_keys_come_from_analyze(tmp_path: Path) -> None:
    con = apsw.Connection(str(tmp_path / "links.db"))
    con.execute("CREATE TABLE links (agent INTEGER, task INTEGER); "
                "CREATE INDEX links_agent ON links (agent, task)")
    with con:
        con.executemany("INSERT INTO links VALUES (?, ?)",
                        [(i % 250, i) for i in range(5000)])
    assert distinct_keys(con, "links") == {}  # never analysed: unknown
    con.execute("ANALYZE")
    assert distinct_keys(con, "links") == {"agent": 250}  # 5000 rows, 20 per agent
    con.close()
