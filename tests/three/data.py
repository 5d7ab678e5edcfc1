"""The small domain the three-engine suite runs on, its query vectors, and the oracle."""

from __future__ import annotations

import re
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from federation.domain import TEAMS, build_tables, duckdb_oracle

from .record import DIM, Q3, Vec

SCALE = 0.01  # 100 agents, 1000 tasks, ~1400 assignments, ~1000 dependencies, 2000 items
SEED = 7


def tables() -> dict[str, pa.Table]:
    return build_tables(SCALE, SEED, DIM)


def query_vectors(tabs: dict[str, pa.Table]) -> dict[str, list[float]]:
    """Deterministic query vectors: two perturbed data vectors and one team centroid."""
    know = tabs["knowledge"]
    vec = know["vector"].combine_chunks().values.to_numpy().reshape(-1, DIM).astype(np.float64)
    ids = know["id"].to_numpy()
    row = {int(i): n for n, i in enumerate(ids)}
    q = vec[row[5]] + np.random.default_rng(11).normal(0.0, 0.05, DIM)
    q2 = vec[row[1234]] + np.random.default_rng(12).normal(0.0, 0.05, DIM)
    team = dict(zip(tabs["agents"]["id"].to_pylist(), tabs["agents"]["team"].to_pylist(),
                    strict=True))
    core = np.array([team[a] == TEAMS[0] for a in know["agent_id"].to_pylist()])
    centroid = vec[core].mean(axis=0)
    centroid /= np.linalg.norm(centroid)
    return {"q": _floats(q), "q2": _floats(q2), "core": _floats(centroid)}


def _floats(v: np.ndarray) -> list[float]:
    # rounded to float32 so the engine and the oracle see the very same query vector
    return [float(x) for x in v.astype(np.float32)]


def resolve(params: dict[str, Any], vectors: dict[str, list[float]]) -> dict[str, Any]:
    return {k: vectors[v.name] if isinstance(v, Vec) else v for k, v in params.items()}


def oracle() -> tuple[dict[str, pa.Table], duckdb.DuckDBPyConnection, dict[str, list[float]]]:
    tabs = tables()
    return tabs, duckdb_oracle(tabs), query_vectors(tabs)


def used_params(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """Only the parameters the text mentions (DuckDB rejects unused named parameters)."""
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


def run_oracle(con: duckdb.DuckDBPyConnection, qq: Q3, vectors: dict[str, list[float]],
               sql: str | None = None) -> pa.Table:
    text = qq.oracle_sql if sql is None else sql
    cur = con.cursor()
    try:
        params = used_params(text, resolve(qq.params, vectors))
        return cur.sql(text, params=params or None).to_arrow_table()
    finally:
        cur.close()
