"""What a join inside one source is guessed to read before it ran (``planner.join_work``),
the distinct keys a SQLite file's ``ANALYZE`` gives it, and which recorded runs inform a
prediction (``planner.signature``): a seed is near another seed, not a range of 6000.
Catalog numbers are the routing benchmark's domain at scale 1 (10 000 agents, 100 000 tasks,
140 145 assignments, ~15 per agent)."""

from __future__ import annotations

import math
from pathlib import Path

import apsw
import pyarrow as pa
import pytest

from federation.sources.sqlite_schema import distinct_keys
from planner.capabilities import Capabilities
from planner.cardinality import estimate
from planner.catalog import SourceInfo, TableSchema
from planner.cost import StatsSnapshot
from planner.expressions import BExpr, ColumnRef, Const, Func, ParamRef
from planner.fragments import Fragment, KeyPass
from planner.join_work import SEEK_ROWS, work_rows
from planner.logical import GraphEdge, GraphNode, Scan, TableAccess
from planner.mirror_match import TableMatch
from planner.route_costs import JOIN_S_PER_1K_ROWS, keyed_step
from planner.signature import MISSING_LOG_SD, K, Signature, nearest, signature

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


def test_a_mirror_seeded_on_a_range_returns_its_keys_links() -> None:
    """Rows of a one-hop mirror pattern from the range's width: one agent's 15 links, not
    the third of the link table guessed without values (a route keyed on it looked 5x too
    slow, never tried); a range over most agents, as many agents' links."""
    per_agent = ASSIGNMENTS / 9343
    assert estimate(_hops(two=False), _catalog(), values={"lo": 17, "hi": 17}) == \
        round(per_agent)
    assert estimate(_hops(two=False), _catalog(), values={"lo": 1, "hi": 6000}) == \
        round(6000 * per_agent)
    assert estimate(_hops(two=False), _catalog()) == ASSIGNMENTS // 3  # values unknown
    assert estimate(_hops(two=False), _catalog(distinct=False), values={"lo": 1, "hi": 1}) \
        == ASSIGNMENTS // 3  # nor the keys per link


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


def test_a_filter_across_the_tables_does_not_stop_the_walk() -> None:
    """TPC-H Q19 in one file: the join's equality in every branch of an OR (or factored out
    beside the rest of it). Left unwalked, a 3000-key range of lineitem read as every row of
    lineitem and part (31 ms, against 3 ms run)."""
    high = Func("gt", (ColumnRef("t", "priority", I64), Const(3, I64)), BOOL)
    mixed = Func("or", (high, Func("eq", (ColumnRef("a", "agent_id", I64),
                                          ColumnRef("t", "priority", I64)), BOOL)), BOOL)
    factored, catalog = _scan(_between("a", "agent_id"), JOIN, mixed)
    in_branches, _ = _scan(_between("a", "agent_id"), Func("or", (
        Func("and", (JOIN, high), BOOL), Func("and", (JOIN, mixed), BOOL)), BOOL))
    for scan in (factored, in_branches):
        assert work_rows(scan, catalog, {"lo": 5, "hi": 5}) < 500


def test_keys_passed_in_enter_the_join_like_a_seed() -> None:
    """A receiver of 50 task keys (a key pass, ``planner.semijoin``) seeks them in tasks
    and probes assignments per task: not a scan of both tables."""
    scan, catalog = _scan(JOIN)
    keys = {ColumnRef("t", "id", I64): 50.0}
    per_task = ASSIGNMENTS / 70_072
    assert work_rows(scan, catalog, {}, keys) == pytest.approx(
        50 * SEEK_ROWS + 50 + 50 * (SEEK_ROWS + per_task))
    assert work_rows(scan, catalog, {}) > 100 * work_rows(scan, catalog, {}, keys)


def test_a_receiver_of_keys_is_predicted_entering_through_them() -> None:
    """The keyed step of a join receiving 50 keys (``planner.route_costs.keyed_step``):
    cold, its join work is the keys' seeks and probes, not both tables read."""
    scan, catalog = _scan(JOIN)
    receiver = Fragment(1, "crm", scan)
    passed = KeyPass(0, ColumnRef("s", "id", I64), 1, ColumnRef("t", "id", I64), 500)
    view = StatsSnapshot({}, {"crm": "sqlite"}, {})
    step = keyed_step(receiver, "keyed", [passed], {0: 50.0, 1: 1000.0}, view, catalog, {})
    assert step.rows_in == 50.0
    assert step.work_s == pytest.approx(
        JOIN_S_PER_1K_ROWS * work_rows(scan, catalog, {}, {passed.receiver_key: 50.0}) / 1000)
    assert step.work_s < 0.01 * JOIN_S_PER_1K_ROWS * EVERY_1HOP / 1000


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


# ---- which recorded runs inform a prediction


def _seed(lo: int, hi: int) -> Signature:
    return signature(("lo", "hi"), {"lo": lo, "hi": hi})


def test_another_seed_is_near_a_recorded_seed() -> None:
    """A one-agent range at seed 9000 is one seek like the one at seed 100, however far the
    seeds: its width (0) decides, not where it lies. Counted alike, the two runs were equally
    far (distance ~10) and the prediction leaned to the cold guess."""
    runs = [(_seed(1, 6000), 90_000.0, 0.060), (_seed(100, 100), 15.0, 0.0008)]
    found = nearest(_seed(9000, 9000), runs)
    assert found is not None
    _, seconds, _, distance = found
    assert distance < 1.0  # near: used as measured (``planner.route_costs._near``)
    assert seconds < 0.002  # closer to the seed's 0.8 ms than to the range's 60 ms


def test_a_broad_range_is_far_from_seeds() -> None:
    runs = [(_seed(100, 100), 15.0, 0.0008), (_seed(4000, 4000), 12.0, 0.0009)]
    found = nearest(_seed(1, 6000), runs)
    assert found is not None and found[3] > 5.0  # extrapolated: leans to the cold guess


def test_a_signature_keeps_its_widths_through_the_store() -> None:
    sig = _seed(3, 9)
    assert sig.widths == 1 and Signature.load(sig.dump()) == sig
    old = Signature.load([[3.0, 9.0, 6.0], []])  # written before widths were kept
    assert old.widths == 0 and old.numbers == sig.numbers


def test_one_run_at_other_values_is_found_far_and_uncertain() -> None:
    """One run over a seven-year range says little of a one-day range: far (the caller
    leans to the cold guess) and as uncertain as the K - 1 runs missing."""
    one_year = signature(("d0", "d1"), {"d0": 8035, "d1": 10591})
    one_day = signature(("d0", "d1"), {"d0": 9000, "d1": 9000})
    found = nearest(one_day, [(one_year, 4.0, 0.105)])
    assert found is not None
    _, seconds, spread, distance = found
    assert seconds == pytest.approx(0.105) and distance > 5
    assert spread == pytest.approx(MISSING_LOG_SD * math.sqrt((K - 1) / K))


def test_k_runs_at_these_values_are_as_certain_as_they_agree() -> None:
    sig = signature(("n",), {"n": 7})
    found = nearest(sig, [(sig, 1.0, 0.010)] * K)
    assert found is not None and found[2] == 0.0 and found[3] == 0.0


def test_one_run_at_these_values_among_far_ones_counts_once() -> None:
    here, far = signature(("n",), {"n": 600}), signature(("n",), {"n": 5})
    found = nearest(here, [(here, 1.0, 0.020), (far, 1.0, 0.002), (far, 1.0, 0.002)])
    assert found is not None
    _, seconds, spread, _ = found
    assert seconds == pytest.approx(0.020, rel=0.05)  # the far ones weigh next to nothing
    assert spread > 0.8 * MISSING_LOG_SD * math.sqrt((K - 1) / K)  # known as by one run


def test_neighbours_that_agree_make_a_sure_prediction() -> None:
    """One run at these very values and two at nearby ones that took as long: the nearest
    outweighs them ~50:1, but they are there and agree, so the prediction is sure (it was
    counted as known by one run, spread 0.8: explored as if never measured twice)."""
    here = signature(("n",), {"n": 600})
    runs = [(here, 1.0, 0.010), (signature(("n",), {"n": 540}), 1.0, 0.011),
            (signature(("n",), {"n": 660}), 1.0, 0.0095)]
    found = nearest(here, runs)
    assert found is not None and found[2] < 0.1
    # ... no surer than one run misses its shape's line (its residual spread)
    noisy = nearest(here, runs, noise_var=0.3 ** 2)
    assert noisy is not None and noisy[2] == pytest.approx(0.3)


def test_a_neighbour_far_off_counts_no_more_than_a_missing_one() -> None:
    """One run at these values, two at values 7x slower: the spread is that of one run and
    two missing (0.82), not of the factor of 7 (1.6), which kept such a route explored."""
    here, far = signature(("n",), {"n": 600}), signature(("n",), {"n": 5})
    found = nearest(here, [(here, 1.0, 0.020), (far, 1.0, 0.140), (far, 1.0, 0.140)])
    assert found is not None
    assert found[2] == pytest.approx(MISSING_LOG_SD * math.sqrt((K - 1) / K))


def test_an_unindexed_join_column_costs_building_its_index() -> None:
    """Probing ``tasks`` through a column no index covers: SQLite builds an automatic index
    for the query, an insert (about a seek) per row of the table, before the first probe.
    Counted as one scan of the table, TPC-H Q13's join in SQLite (5.3 s) looked 400 ms."""
    scan, catalog = _scan(_between("a", "agent_id"), JOIN)
    indexed = work_rows(scan, catalog, {"lo": 5, "hi": 5})
    info = catalog["crm"]
    tables = dict(info.tables)
    tables["tasks"] = TableSchema("tasks", tables["tasks"].columns, row_count=TASKS)
    catalog["crm"] = SourceInfo("crm", "sqlite", info.capabilities, tables)
    built = work_rows(scan, catalog, {"lo": 5, "hi": 5})
    assert built >= indexed + TASKS * SEEK_ROWS


def test_a_left_join_enters_at_its_preserved_side() -> None:
    """``assignments LEFT JOIN tasks``: every link is read and probes tasks (SQLite cannot
    start from the optional side). It was guessed at one read of each table, so TPC-H Q13's
    customer LEFT JOIN orders looked as cheap as reading them."""
    catalog = _catalog()
    scan = Scan("crm", (TableAccess("assignments", "a"),
                        TableAccess("tasks", "t", "left", JOIN)), (ColumnRef("t", "id", I64),))
    assert work_rows(scan, catalog, {}) == pytest.approx(ASSIGNMENTS * (SEEK_ROWS + 2))
