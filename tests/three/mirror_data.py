"""The three-engine domain with mirrors: the graph's relationships also as SQLite link tables,
``knowledge`` (without its vectors) also in SQLite, and helpers that run one leaf and its
mirror variants through their sources directly."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import apsw
import pyarrow as pa

import federation as fed
from federation.domain import write_kuzu, write_lancedb, write_sqlite
from federation.domain_write import _sqlite_columns
from planner.catalog import SourceInfo
from planner.logical import SourceLeaf
from planner.mirrors import Mirrors, mirror_variants
from planner.variants import LeafVariant

# primary, copy, source, target
MIRRORS = [
    ("graph.Agent", "crm.agents", None, None),
    ("graph.Task", "crm.tasks", None, None),
    ("graph.ASSIGNED_TO", "crm.assignments", "agent_id", "task_id"),
    ("graph.DEPENDS_ON", "crm.depends", "src", "dst"),
    ("crm.knowledge", "docs.knowledge", None, None),
]
_LINKS = """
CREATE TABLE assignments(agent_id INTEGER NOT NULL, task_id INTEGER NOT NULL, since DATE,
                         weight REAL);
CREATE INDEX assignments_agent ON assignments(agent_id);
CREATE INDEX assignments_task ON assignments(task_id);
CREATE TABLE depends(src INTEGER NOT NULL, dst INTEGER NOT NULL);
CREATE INDEX depends_src ON depends(src);
CREATE INDEX depends_dst ON depends(dst);
CREATE TABLE knowledge(id INTEGER PRIMARY KEY, task_id INTEGER, agent_id INTEGER, kind TEXT,
                       text TEXT, created DATE);
"""


def write_mirrored(tables: Mapping[str, pa.Table], root: Path) -> None:
    """crm.db (with the link tables and knowledge), graph.kuzu and lance/ under ``root``."""
    write_sqlite(tables, root / "crm.db")
    write_kuzu(tables, root / "graph.kuzu")
    write_lancedb(tables, root / "lance")
    con = apsw.Connection(str(root / "crm.db"))
    try:
        with con:
            con.execute(_LINKS)
            for table, name in (("assignments", "assigned_to"), ("depends", "depends_on")):
                rows = zip(*_sqlite_columns(tables[name]), strict=True)
                marks = ", ".join("?" * tables[name].num_columns)
                con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
            know = tables["knowledge"].drop_columns(["vector"])
            con.executemany("INSERT INTO knowledge VALUES (?, ?, ?, ?, ?, ?)",
                            zip(*_sqlite_columns(know), strict=True))
        con.execute("ANALYZE")
    finally:
        con.close()


def attach_all(eng: Any, root: Path) -> None:
    eng.attach("crm", fed.SQLite(str(root / "crm.db")))
    eng.attach("graph", fed.Kuzu(str(root / "graph.kuzu")))
    eng.attach("docs", fed.LanceDB(str(root / "lance")))


def variants_of(eng: Any, mirrors: Mirrors, fql: str, params: Mapping[str, object] | None = None
                ) -> tuple[tuple[LeafVariant, ...], dict[str, object], dict[str, SourceInfo]]:
    """The mirror variants of the query's one fragment (the plan ``eng`` runs)."""
    prepared, values = eng._plan(fql, params)
    fragments = prepared.cut.fragments
    assert len(fragments) == 1, f"expected one fragment, got {len(fragments)}"
    catalog = eng.catalog()
    return mirror_variants(fragments[0].plan, mirrors, catalog), values, catalog


def run_leaf(eng: Any, leaf: SourceLeaf, values: Mapping[str, object]) -> pa.Table:
    source = eng.sources[leaf.source]
    return source.execute(source.compile(leaf, values))
