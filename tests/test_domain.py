"""The generated domain: deterministic tables, writers that round-trip, manifest reuse."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import apsw
import duckdb
import lancedb
import numpy as np
import pyarrow as pa
import pytest

from federation.domain import (
    AWKWARD,
    BASE_COUNTS,
    MANIFEST,
    DomainPaths,
    build_tables,
    counts,
    duckdb_oracle,
    generate,
)
from federation.domain_write import _kuzu

SCALE = 0.01


@pytest.fixture(scope="module")
def tables() -> dict[str, pa.Table]:
    return build_tables(SCALE)


@pytest.fixture(scope="module")
def oracle(tables: dict[str, pa.Table]) -> duckdb.DuckDBPyConnection:
    return duckdb_oracle(tables)


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> DomainPaths:
    return generate(tmp_path_factory.mktemp("domain"), scale=SCALE)


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


# ---- build_tables
def test_same_seed_same_tables_other_seed_differs(tables: dict[str, pa.Table]) -> None:
    again = build_tables(SCALE)
    assert tables.keys() == again.keys()
    assert all(tables[k].equals(again[k]) for k in tables)
    other = build_tables(SCALE, seed=8)
    assert all(not tables[k].equals(other[k]) for k in tables)


def test_counts_follow_scale(tables: dict[str, pa.Table]) -> None:
    assert counts(1.0) == BASE_COUNTS == {"agents": 10_000, "tasks": 100_000,
                                          "knowledge": 200_000}
    assert {k: tables[k].num_rows for k in BASE_COUNTS} == {"agents": 100, "tasks": 1000,
                                                            "knowledge": 2000}
    double = build_tables(2 * SCALE)
    assert {k: double[k].num_rows for k in BASE_COUNTS} == counts(2 * SCALE)
    assert 1.2 < double["assigned_to"].num_rows / 2000 < 1.6
    with pytest.raises(ValueError):
        counts(0)


def test_schemas(tables: dict[str, pa.Table]) -> None:
    def types(name: str) -> dict[str, str]:
        return {f.name: str(f.type) for f in tables[name].schema}

    assert types("agents") == {"id": "int64", "name": "string", "team": "string",
                               "level": "int64", "hired": "date32[day]", "active": "bool",
                               "score": "double"}
    assert types("tasks") == {"id": "int64", "title": "string", "status": "string",
                              "priority": "int64", "due": "date32[day]", "estimate": "double"}
    assert types("assigned_to") == {"src": "int64", "dst": "int64", "since": "date32[day]",
                                    "weight": "double"}
    assert types("depends_on") == {"src": "int64", "dst": "int64"}
    assert list(types("knowledge")) == ["id", "task_id", "agent_id", "kind", "text",
                                        "created", "vector"]


def test_values_nulls_and_awkward_strings(tables: dict[str, pa.Table]) -> None:
    big = build_tables(0.1)
    agents, tasks = big["agents"], big["tasks"]
    assert agents["id"].to_pylist() == list(range(1, 1001))
    for col in ("team", "hired", "score"):
        assert 0 < agents[col].null_count < 0.06 * agents.num_rows
    assert 0 < tasks["due"].null_count < 0.1 * tasks.num_rows
    assert set(tasks["status"].to_pylist()) == {"pending", "active", "done", "blocked"}
    assert set(tasks["priority"].to_pylist()) == {1, 2, 3, 4, 5}
    assert len(set(agents["team"].drop_null().to_pylist())) == 20
    for name, col in (("agents", "name"), ("tasks", "title"), ("knowledge", "text")):
        assert set(AWKWARD) <= set(tables[name][col].to_pylist())


def test_assignments_cover_every_task(tables: dict[str, pa.Table]) -> None:
    src = tables["assigned_to"]["src"].to_numpy()
    dst = tables["assigned_to"]["dst"].to_numpy()
    per_task = np.bincount(dst, minlength=1001)[1:]
    assert per_task.min() == 1 and per_task.max() == 2
    assert len(set(zip(src.tolist(), dst.tolist(), strict=True))) == len(src)
    assert src.min() >= 1 and src.max() <= 100


def test_depends_on_is_a_dag(tables: dict[str, pa.Table]) -> None:
    src = tables["depends_on"]["src"].to_numpy()
    dst = tables["depends_on"]["dst"].to_numpy()
    assert (dst < src).all() and dst.min() >= 1 and src.max() <= 1000
    assert len(set(zip(src.tolist(), dst.tolist(), strict=True))) == len(src)
    assert 0.8 < len(src) / 1000 < 1.2
    assert np.bincount(src).max() >= 3  # some tasks with several dependencies


def test_knowledge_vectors(tables: dict[str, pa.Table]) -> None:
    know = tables["knowledge"]
    assert know.schema.field("vector").type == pa.list_(pa.float32(), 32)
    vec = know["vector"].combine_chunks().values.to_numpy().reshape(-1, 32)
    assert np.isfinite(vec).all()
    assert len(np.unique(vec, axis=0)) == know.num_rows
    np.testing.assert_allclose(np.linalg.norm(vec, axis=1), 1.0, rtol=1e-5)
    pairs = set(zip(tables["assigned_to"]["src"].to_pylist(),
                    tables["assigned_to"]["dst"].to_pylist(), strict=True))
    assert set(zip(know["agent_id"].to_pylist(), know["task_id"].to_pylist(),
                   strict=True)) <= pairs
    small = build_tables(SCALE, dim=8)["knowledge"]
    assert small.schema.field("vector").type == pa.list_(pa.float32(), 8)


def test_vectors_cluster_by_team(oracle: duckdb.DuckDBPyConnection) -> None:
    (same,) = oracle.execute("""
        WITH k AS (SELECT k.id, k.vector, a.team FROM docs.knowledge k
                   JOIN crm.agents a ON a.id = k.agent_id),
        nn AS (SELECT q.team AS qteam, k.team, row_number() OVER (
                   PARTITION BY q.id ORDER BY array_distance(k.vector, q.vector), k.id) AS rn
               FROM k AS q, k WHERE q.id % 50 = 0 AND k.id <> q.id)
        SELECT avg(CAST(team IS NOT DISTINCT FROM qteam AS INT)) FROM nn WHERE rn <= 5
    """).fetchone() or (None,)
    assert same is not None and same > 0.6


# ---- oracle and writers
def test_oracle_layout(oracle: duckdb.DuckDBPyConnection) -> None:
    names = rows(oracle, "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                         " ORDER BY 1")
    assert [n for (n,) in names] == ["crm.agents", "crm.tasks", "docs.knowledge",
                                     "graph.ASSIGNED_TO", "graph.Agent", "graph.DEPENDS_ON",
                                     "graph.Task"]
    assert rows(oracle, "SELECT typeof(vector) FROM docs.knowledge LIMIT 1") == [("FLOAT[32]",)]
    assert rows(oracle, "SELECT count(*) FROM graph.Agent a JOIN crm.agents c USING (id, name)"
                        " WHERE a.team IS NOT DISTINCT FROM c.team") == [(100,)]


def _iso(row: tuple[Any, ...]) -> tuple[Any, ...]:
    out: list[Any] = []
    for v in row:
        if isinstance(v, bool):
            out.append(int(v))
        elif hasattr(v, "isoformat"):
            out.append(v.isoformat())
        else:
            out.append(v)
    return tuple(out)


def test_sqlite_round_trip(paths: DomainPaths, oracle: duckdb.DuckDBPyConnection) -> None:
    con = apsw.Connection(str(paths.sqlite))
    try:
        declared = {r[1]: r[2] for r in con.execute("PRAGMA table_info(agents)")}
        assert declared == {"id": "INTEGER", "name": "TEXT", "team": "TEXT", "level": "INTEGER",
                            "hired": "DATE", "active": "BOOLEAN", "score": "REAL"}
        pk = [r[1] for r in con.execute("PRAGMA table_info(tasks)") if r[5]]
        assert pk == ["id"]
        indexes = [r[1] for r in con.execute("PRAGMA index_list(tasks)")]
        assert "tasks_status" in indexes
        for table in ("agents", "tasks"):
            got = list(con.execute(f"SELECT * FROM {table} ORDER BY id"))
            want = [_iso(r) for r in rows(oracle, f"SELECT * FROM crm.{table} ORDER BY id")]
            assert got == want
    finally:
        con.close()


def test_kuzu_round_trip(paths: DomainPaths, oracle: duckdb.DuckDBPyConnection) -> None:
    kuzu = _kuzu()
    db = kuzu.Database(str(paths.kuzu), read_only=True, buffer_pool_size=64 << 20,
                       max_num_threads=1)
    con = kuzu.Connection(db)
    try:
        def cypher(q: str) -> list[tuple[Any, ...]]:
            res = con.execute(q)
            assert not isinstance(res, list)
            return [tuple(r) for r in res.get_all()]

        agents = cypher("MATCH (a:Agent) RETURN a.id, a.name, a.team, a.level")
        assert sorted(agents) == rows(oracle, "SELECT * FROM graph.Agent ORDER BY id")
        tasks = cypher("MATCH (t:Task) RETURN t.id, t.title, t.status, t.priority")
        assert sorted(tasks) == rows(oracle, "SELECT * FROM graph.Task ORDER BY id")
        edges = cypher("MATCH (a:Agent)-[r:ASSIGNED_TO]->(t:Task) "
                       "RETURN a.id, t.id, r.since, r.weight")
        assert Counter(edges) == Counter(rows(oracle, "SELECT * FROM graph.ASSIGNED_TO"))
        deps = cypher("MATCH (a:Task)-[:DEPENDS_ON]->(b:Task) RETURN a.id, b.id")
        assert Counter(deps) == Counter(rows(oracle, "SELECT * FROM graph.DEPENDS_ON"))
    finally:
        con.close()
        db.close()


def test_lancedb_round_trip(paths: DomainPaths, oracle: duckdb.DuckDBPyConnection,
                            tables: dict[str, pa.Table]) -> None:
    table = lancedb.connect(str(paths.lancedb)).open_table("knowledge")
    assert table.count_rows() == 2000
    got = table.to_arrow().sort_by("id")
    assert got.equals(tables["knowledge"])
    query = np.linspace(-1, 1, 32, dtype=np.float32)
    nearest = table.search(query).limit(5).to_arrow()["id"].to_pylist()
    want = rows(oracle, "SELECT id FROM docs.knowledge "
                        "ORDER BY array_distance(vector, ?::FLOAT[32]), id LIMIT 5"
                .replace("?", str(query.tolist())))
    assert nearest == [i for (i,) in want]


# ---- generate
def _mtimes(p: DomainPaths) -> dict[str, int]:
    files = [p.sqlite, p.kuzu, p.sqlite.parent / MANIFEST, *p.lancedb.rglob("*")]
    return {str(f): f.stat().st_mtime_ns for f in files}


def test_generate_reuses_matching_data(paths: DomainPaths) -> None:
    manifest = json.loads((paths.sqlite.parent / MANIFEST).read_text())
    assert manifest["counts"] == counts(SCALE) and manifest["seed"] == 7
    before = _mtimes(paths)
    again = generate(paths.sqlite.parent, scale=SCALE)
    assert again == paths
    assert _mtimes(again) == before


def test_generate_rebuilds_on_change(tmp_path: Path) -> None:
    first = generate(tmp_path, scale=0.002, seed=1)
    manifest = tmp_path / MANIFEST
    stamp = manifest.stat().st_mtime_ns
    generate(tmp_path, scale=0.002, seed=2)
    assert json.loads(manifest.read_text())["seed"] == 2
    assert manifest.stat().st_mtime_ns != stamp
    manifest.write_text("{not json")
    generate(tmp_path, scale=0.002, seed=2)
    assert json.loads(manifest.read_text())["seed"] == 2
    con = apsw.Connection(str(first.sqlite))
    try:
        assert list(con.execute("SELECT count(*) FROM agents")) == [(20,)]
    finally:
        con.close()
