"""Mirrors (``federation.mirrors``, ``planner.mirrors``, ``federation.sources.sqlite_graph``).

Registry: what ``add`` accepts and refuses, persistence in the workspace, ``current``.
Differential: for each query shape, the one fragment the engine plans, its mirror variant run
on the other store, and the DuckDB oracle return the same multiset (leaves run through their
sources directly, so this holds whatever the router chooses).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

import federation as fed
from federation.errors import ConfigurationError
from federation.mirrors import FILE_NAME, MirrorRegistry
from planner.logical import GraphMatch, Scan
from planner.mirror_match import TableMatch
from planner.mirrors import Mirrors, mirror_variants
from tests.three.compare3 import assert_same_result
from tests.three.data import oracle
from tests.three.mirror_data import MIRRORS, attach_all, run_leaf, variants_of, write_mirrored
from tests.three.walk_graph import write_walk_graph, write_walk_mirror

World = tuple[Any, Mirrors, duckdb.DuckDBPyConnection]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tables, duck, _ = oracle()
    root = tmp_path_factory.mktemp("mirrors")
    write_mirrored(tables, root)
    duck.execute("CREATE TABLE crm.assignments AS SELECT src AS agent_id, dst AS task_id, "
                 "since, weight FROM graph.ASSIGNED_TO")
    eng = fed.connect()
    attach_all(eng, root)
    registry = MirrorRegistry(None)
    for primary, copy, source, target in MIRRORS:
        registry.add(primary, copy, source, target, eng.catalog())
    yield eng, registry.current(eng.catalog()), duck
    eng.close()
    duck.close()


# ---- registry
def test_add_checks_against_the_catalog(world: World) -> None:
    eng = world[0]
    registry = MirrorRegistry(None)
    catalog = eng.catalog()
    cases = [
        (("graph.Agent", "crm.nothing", None, None), "has no table 'nothing'"),
        (("nowhere.Agent", "crm.agents", None, None), "no attached source 'nowhere'"),
        (("crm.agents", "graph.Agent", None, None), "missing or of another type: hired"),
        (("graph.Agent", "crm.tasks", None, None), "name (string)"),
        (("graph.ASSIGNED_TO", "crm.assignments", None, None), "needs source= and target="),
        (("graph.ASSIGNED_TO", "crm.assignments", "agent", "task_id"), "agent (int)"),
        (("graph.ASSIGNED_TO", "crm.depends", "src", "dst"), "since (date)"),
        (("graph.ASSIGNED_TO", "docs.knowledge", "agent_id", "task_id"), "SQLite link table"),
        (("graph.Agent", "crm.agents", "id", None), "belong to a relationship mirror"),
        (("graph.Agent", "graph.Agent", None, None), "cannot mirror itself"),
        (("graph.Agent", "graph.ASSIGNED_TO", None, None), "SQLite link table"),
        (("crm.agents", "crm", None, None), "must be written source.table"),
    ]
    for (primary, copy, source, target), message in cases:
        with pytest.raises(ConfigurationError, match=_escaped(message)):
            registry.add(primary, copy, source, target, catalog)
    assert registry.declared() == ()
    assert not registry.current(catalog)


def _escaped(text: str) -> str:
    import re

    return re.escape(text)


def test_link_table_error_lists_what_exists(world: World) -> None:
    registry = MirrorRegistry(None)
    with pytest.raises(ConfigurationError) as err:
        registry.add("graph.ASSIGNED_TO", "crm.assignments", "agent", "task", world[0].catalog())
    assert "agent (int), task (int)" in str(err.value)
    assert "it has: agent_id (int), task_id (int), since (date), weight (float)" in str(err.value)


def test_workspace_keeps_mirrors_and_re_adding_is_idempotent(world: World,
                                                             tmp_path: Path) -> None:
    catalog = world[0].catalog()
    registry = MirrorRegistry(tmp_path)
    registry.add("graph.Agent", "crm.agents", None, None, catalog)
    registry.add("GRAPH.assigned_to", "crm.assignments", "agent_id", "task_id", catalog)
    registry.add("graph.Agent", "crm.agents", None, None, catalog)
    registry.close()
    assert (tmp_path / FILE_NAME).exists()
    reopened = MirrorRegistry(tmp_path)
    assert reopened.declared() == (("graph.Agent", "crm.agents", None, None),
                                   ("graph.ASSIGNED_TO", "crm.assignments", "agent_id",
                                    "task_id"))
    current = reopened.current(catalog)
    assert len(current.tables) == 1 and len(current.rels) == 1
    assert current.rels[0].graph == ("graph", "ASSIGNED_TO")
    # without the graph attached, neither applies; they come back with it
    assert not reopened.current({k: v for k, v in catalog.items() if k != "graph"})
    assert reopened.current(catalog) == current
    reopened.close()
    assert MirrorRegistry(None).declared() == ()  # no workspace: memory only


def test_sides_and_copies(world: World) -> None:
    mirrors = world[1]
    assert mirrors.side(("graph", "Agent")) is True
    assert mirrors.side(("crm", "agents")) is False
    assert mirrors.side(("crm", "assignments")) is False
    assert mirrors.side(("crm", "knowledge")) is True
    assert mirrors.side(("crm", "tasks_x")) is None
    assert mirrors.copies(("crm", "agents")) == (("graph", "Agent"),)


# ---- differential: graph patterns on the SQLite link tables
A_T = ("graph.Agent a JOIN graph.ASSIGNED_TO r ON r.src = a.id "
       "JOIN graph.Task t ON t.id = r.dst")
DEP_EITHER = ("(SELECT src, dst FROM graph.DEPENDS_ON UNION ALL "
              "SELECT dst, src FROM graph.DEPENDS_ON)")


def _walks(lo: int, hi: int, steps: str = "graph.DEPENDS_ON") -> str:
    return (f"(WITH RECURSIVE w(src, dst, depth) AS (SELECT src, dst, 1 FROM {steps} s "
            f"UNION ALL SELECT w.src, s.dst, w.depth + 1 FROM w JOIN {steps} s ON s.src = w.dst "
            f"WHERE w.depth < {hi}) SELECT src, dst FROM w WHERE depth >= {lo})")


GRAPH_CASES = [
    ("one hop, node and rel filters",
     "SELECT a.name, t.title, r.weight FROM MATCH graph (a:Agent)-[r:ASSIGNED_TO]->(t:Task) "
     "WHERE r.weight > 0.5 AND t.status = 'done'",
     f"SELECT a.name, t.title, r.weight FROM {A_T} WHERE r.weight > 0.5 AND t.status = 'done'"),
    ("seeded lookup",
     "SELECT t.id, t.title FROM MATCH graph (a:Agent {id: $id})-[:ASSIGNED_TO]->(t:Task)",
     f"SELECT t.id, t.title FROM {A_T} WHERE a.id = 17"),
    ("two hops",
     "SELECT a.id, u.title FROM MATCH graph (a:Agent)-[:ASSIGNED_TO]->(t:Task)"
     "-[:DEPENDS_ON]->(u:Task) WHERE a.team = 'core'",
     f"SELECT a.id, u.title FROM {A_T} JOIN graph.DEPENDS_ON d ON d.src = t.id "
     "JOIN graph.Task u ON u.id = d.dst WHERE a.team = 'core'"),
    ("leftward",
     "SELECT t.id, a.name FROM MATCH graph (t:Task)<-[:ASSIGNED_TO]-(a:Agent) WHERE t.id < 30",
     f"SELECT t.id, a.name FROM {A_T} WHERE t.id < 30"),
    ("undirected between two tables",
     "SELECT a.id, t.id FROM MATCH graph (a:Agent)-[:ASSIGNED_TO]-(t:Task) WHERE a.level = 3",
     f"SELECT a.id, t.id FROM {A_T} WHERE a.level = 3"),
    ("undirected in one table",
     "SELECT t.id, u.id FROM MATCH graph (t:Task)-[:DEPENDS_ON]-(u:Task) WHERE t.id < 100",
     f"SELECT src, dst FROM {DEP_EITHER} WHERE src < 100"),
    ("unlabelled end, rel property",
     "SELECT r.since FROM MATCH graph (a:Agent)-[r:ASSIGNED_TO]->(t) WHERE a.id = 3",
     "SELECT since FROM graph.ASSIGNED_TO WHERE src = 3"),
    ("walk 1..3 seeded",
     "SELECT u.id, u.title FROM MATCH graph (t:Task {id: 900})-[:DEPENDS_ON*1..3]->(u:Task)",
     f"SELECT u.id, u.title FROM {_walks(1, 3)} p JOIN graph.Task u ON u.id = p.dst "
     "WHERE p.src = 900"),
    ("walk 1..2 undirected, end filtered",
     "SELECT t.id, u.id FROM MATCH graph (t:Task)-[:DEPENDS_ON*1..2]-(u:Task) "
     "WHERE u.priority = 5 AND t.id < 200",
     f"SELECT p.src, p.dst FROM {_walks(1, 2, DEP_EITHER)} p JOIN graph.Task u ON u.id = p.dst "
     "WHERE u.priority = 5 AND p.src < 200"),
    ("walk 2..3 backward, whole graph",
     "SELECT t.id, u.id FROM MATCH graph (t:Task)<-[:DEPENDS_ON*2..3]-(u:Task)",
     f"SELECT dst, src FROM {_walks(2, 3)} p"),
    ("count pushed",
     "SELECT count(*) AS n FROM MATCH graph (a:Agent)-[:ASSIGNED_TO]->(t:Task) "
     "WHERE t.status = 'done'",
     f"SELECT count(*) FROM {A_T} WHERE t.status = 'done'"),
    ("avg of a rel property pushed",
     "SELECT avg(r.weight) AS w FROM MATCH graph (a:Agent {team: 'core'})-[r:ASSIGNED_TO]->"
     "(t:Task)",
     f"SELECT avg(r.weight) FROM {A_T} WHERE a.team = 'core'"),
    ("top-N pushed",
     "SELECT a.id, t.id, r.since FROM MATCH graph (a:Agent)-[r:ASSIGNED_TO]->(t:Task) "
     "ORDER BY r.since DESC, a.id, t.id LIMIT 5",
     f"SELECT a.id, t.id, r.since FROM {A_T} ORDER BY r.since DESC, a.id, t.id LIMIT 5"),
    ("node table alone, LIKE",
     "SELECT t.title FROM graph.Task t WHERE t.title LIKE 'Fix%' AND t.priority >= 3",
     "SELECT title FROM graph.Task WHERE title LIKE 'Fix%' AND priority >= 3"),
]


@pytest.mark.parametrize(("what", "fql", "sql"), GRAPH_CASES, ids=[c[0] for c in GRAPH_CASES])
def test_pattern_on_link_tables(world: World, what: str, fql: str, sql: str) -> None:
    eng, mirrors, duck = world
    variants, values, _ = variants_of(eng, mirrors, fql, {"id": 17} if "$id" in fql else None)
    assert [v.features for v in variants] == [frozenset({"read:primary"}),
                                             frozenset({"read:mirror"})]
    primary, mirror = variants[0].leaf, variants[1].leaf
    assert primary.source == "graph" and mirror.source == "crm"
    assert isinstance(mirror, TableMatch | Scan)
    _check_same(eng, primary, mirror, values, duck.sql(sql).to_arrow_table(), what)


def _check_same(eng: Any, primary: Any, mirror: Any, values: dict[str, object],
                expected: pa.Table, what: str) -> None:
    ours = run_leaf(eng, primary, values)
    theirs = run_leaf(eng, mirror, values)
    assert ours.schema == theirs.schema  # the stage reads them by key and type
    assert_same_result(theirs, ours, ordered=False, check_names=False, context=what)
    assert_same_result(theirs, expected, ordered=False, check_names=False, context=what)


def test_seeded_walk_starts_from_its_seed(world: World) -> None:
    """The walk CTE reads the seed's steps only (not the whole graph) and joins no table for
    a node whose key alone is read."""
    eng, mirrors, _ = world
    variants, values, _ = variants_of(
        eng, mirrors, "SELECT u.id FROM MATCH graph (t:Task {id: 900})-[:DEPENDS_ON*1..3]->"
        "(u:Task)")
    compiled = eng.sources["crm"].compile(variants[1].leaf, values)
    assert "WHERE (_fed_st._fed_f = ?)" in compiled.native
    assert '"tasks"' not in compiled.native


# ---- differential: tables in SQLite and LanceDB, and a copy read from its primary
TABLE_CASES = [
    ("SQLite primary read from LanceDB",
     "SELECT k.id, k.kind, k.created FROM crm.knowledge k "
     "WHERE k.agent_id = 5 AND k.kind <> 'log'",
     "SELECT id, kind, created FROM docs.knowledge WHERE agent_id = 5 AND kind <> 'log'",
     "docs", Scan, ["read:primary", "read:mirror"]),
    ("LanceDB copy read from SQLite",
     "SELECT k.id, k.text FROM docs.knowledge k WHERE k.kind = 'spec' AND k.task_id < 100",
     "SELECT id, text FROM docs.knowledge WHERE kind = 'spec' AND task_id < 100",
     "crm", Scan, ["read:mirror", "read:primary"]),
    ("SQLite copy read from Kuzu",
     "SELECT a.name, a.level FROM crm.agents a WHERE a.team = 'ml' AND a.level > 2",
     "SELECT name, level FROM crm.agents WHERE team = 'ml' AND level > 2",
     "graph", GraphMatch, ["read:mirror", "read:primary"]),
]


@pytest.mark.parametrize(("what", "fql", "sql", "other", "kind", "features"), TABLE_CASES,
                         ids=[c[0] for c in TABLE_CASES])
def test_table_read_from_either_store(world: World, what: str, fql: str, sql: str, other: str,
                                      kind: type, features: list[str]) -> None:
    eng, mirrors, duck = world
    variants, values, _ = variants_of(eng, mirrors, fql)
    assert [sorted(v.features) for v in variants] == [[f] for f in features]
    assert variants[1].leaf.source == other and isinstance(variants[1].leaf, kind)
    _check_same(eng, variants[0].leaf, variants[1].leaf, values,
                duck.sql(sql).to_arrow_table(), what)


NO_VARIANT = [
    # a column the Kuzu node table does not have
    "SELECT a.hired FROM crm.agents a",
    # a GROUP BY pushed into Kuzu: SQLite does not group (its capabilities say so)
    "SELECT a.team, count(*) AS n FROM MATCH graph (a:Agent)-[:ASSIGNED_TO]->(t:Task) "
    "GROUP BY a.team",
    # a relationship that is not mirrored… is every one here; an unlabelled one is refused
    "SELECT a.id FROM MATCH graph (a:Agent)-[]->(t:Task)",
    # a table nobody mirrors
    "SELECT k.id FROM docs.knowledge k WHERE k.id = 1 LIMIT 0",
]


@pytest.mark.parametrize("fql", NO_VARIANT)
def test_no_variant_where_the_other_store_cannot_answer(world: World, fql: str) -> None:
    eng, mirrors, _ = world
    if "LIMIT 0" in fql:
        mirrors = Mirrors()
    variants, _, _ = variants_of(eng, mirrors, fql)
    assert variants == ()


# ---- Kuzu's walk semantics on a graph with a cycle, a self-loop and parallel edges


@pytest.fixture(scope="module")
def walks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Mirrors]]:
    root = tmp_path_factory.mktemp("walk_mirror")
    write_walk_graph(root / "g.kuzu")
    write_walk_mirror(root / "s.db")
    eng = fed.connect()
    eng.attach("g", fed.Kuzu(str(root / "g.kuzu")))
    eng.attach("s", fed.SQLite(str(root / "s.db")))
    registry = MirrorRegistry(None)
    registry.add("g.N", "s.n", None, None, eng.catalog())
    registry.add("g.E", "s.e", "a", "b", eng.catalog())
    yield eng, registry.current(eng.catalog())
    eng.close()


WALKS = [
    *(f"SELECT a.id, b.name FROM MATCH g (a:N)-[:E*{lo}..{hi}]->(b:N)"
      for lo, hi in [(1, 1), (1, 2), (1, 3), (2, 2), (2, 4), (3, 3), (1, 6), (5, 7)]),
    *(f"SELECT a.id, b.id FROM MATCH g (a:N)-[:E*{lo}..{hi}]-(b:N)"
      for lo, hi in [(1, 1), (1, 2), (2, 3), (1, 4)]),
    *(f"SELECT a.id, b.id FROM MATCH g (a:N)<-[:E*{lo}..{hi}]-(b:N)" for lo, hi in [(1, 2),
                                                                                   (2, 3)]),
    "SELECT a.id FROM MATCH g (a:N)-[:E*1..5]->(a)",
    "SELECT a.name FROM MATCH g (a:N {name: 'c'})-[:E*1..5]-(a)",
    "SELECT r1.w, r2.w, c.id FROM MATCH g (a:N)-[r1:E]->(b:N)-[r2:E]->(c:N)",
    "SELECT r.w, c.id FROM MATCH g (a:N {id: 3})-[r:E]->(b:N)-[:E*1..2]->(c:N)",
    "SELECT r1.w, r2.w FROM MATCH g (a:N {id: 4})-[r1:E]-(b:N)-[r2:E]-(c:N)",
    "SELECT r1.w, r2.w FROM MATCH g (a:N {id: 4})-[r1:E]->(b:N), (c:N)-[r2:E]->(d:N {id: 5})",
    "SELECT r.w, a.id, b.id FROM MATCH g (a:N)-[r:E]-(b:N)",
    "SELECT a.id, c.id FROM MATCH g (a:N)-[:E*1..2]->(b:N)-[:E*1..2]->(c:N)",
    "SELECT b.id FROM MATCH g (a:N)-[:E*1..3]->(b:N) WHERE a.id = 2",
    "SELECT a.id FROM MATCH g (a:N)-[:E*1..3]->(b:N {id: 1})",
    "SELECT count(*) AS n FROM MATCH g (a:N)-[:E*1..4]-(b:N)",
    "SELECT a.id, b.id FROM MATCH g (a:N), (b:N {id: 6})",
]


@pytest.mark.parametrize("fql", WALKS)
def test_walk_semantics_match_kuzu(walks: tuple[Any, Mirrors], fql: str) -> None:
    eng, mirrors = walks
    variants, values, _ = variants_of(eng, mirrors, fql)
    assert len(variants) == 2 and variants[1].leaf.source == "s"
    ours = run_leaf(eng, variants[0].leaf, values)
    theirs = run_leaf(eng, variants[1].leaf, values)
    assert ours.schema == theirs.schema
    assert ours.num_rows > 0
    assert_same_result(theirs, ours, ordered=False, check_names=False, context=fql)


def test_mirror_variants_of_a_leaf_on_an_unmirrored_source_are_empty(
        walks: tuple[Any, Mirrors]) -> None:
    eng, _ = walks
    prepared, _ = eng._plan("SELECT a.id FROM MATCH g (a:N)-[:E]->(b:N)", None)
    assert mirror_variants(prepared.cut.fragments[0].plan, Mirrors(), eng.catalog()) == ()


def test_a_damaged_mirrors_file_is_a_configuration_error_and_leaves_nothing_open(
        tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"not a database" * 100)
    with pytest.raises(fed.ConfigurationError, match="cannot keep mirrors"):
        fed.connect(tmp_path)
    (tmp_path / FILE_NAME).unlink()  # nothing holds it (nor stats.sqlite): a new engine opens
    with fed.connect(tmp_path) as eng:
        assert eng.stats().num_rows == 0
