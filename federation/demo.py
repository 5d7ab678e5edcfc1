"""``make demo``: build the agents/tasks/knowledge domain once, then run five showcase queries
on the embedded default engine, printing results, per-source timings and EXPLAIN.

Run as ``python -m federation.demo [WORKSPACE] [--scale S]``; a second run reuses the data.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

import federation as fed
from federation.domain import generate

SHOWCASE: list[tuple[str, str, dict[str, object]]] = [
    ("SQLite: urgent work by status", """
SELECT t.status, count(*) AS tasks, round(avg(t.estimate), 2) AS avg_estimate,
       min(t.due) AS first_due
FROM crm.tasks AS t
WHERE t.priority >= 4 AND t.due >= DATE '2025-01-01'
GROUP BY t.status ORDER BY tasks DESC""", {}),
    ("Kuzu: what task 9052 depends on, up to three hops", """
SELECT b.id, b.title, b.status
FROM MATCH graph (a:Task {id: $task})-[:DEPENDS_ON*1..3]->(b:Task)
ORDER BY b.id LIMIT 8""", {"task": 9052}),
    ("LanceDB: knowledge nearest to a question vector", """
SELECT k.id, k.kind, k.text, k._distance
FROM NEAREST docs.knowledge TO $q K 5 AS k
WHERE k.kind <> 'chat'
ORDER BY k._distance""", {}),
    ("All three engines: pending tasks of a team's agents, ranked by note similarity", """
SELECT a.name, t.title, k.text, k._distance
FROM crm.agents AS a
JOIN MATCH graph (x:Agent)-[:ASSIGNED_TO]->(t:Task) ON x.id = a.id
JOIN NEAREST docs.knowledge TO $q K 1000 AS k ON k.task_id = t.id
WHERE a.team = $team AND t.status = 'pending'
ORDER BY k._distance
LIMIT 5""", {"team": "core"}),
    ("Graph-constrained vector search: one agent's tasks, top notes by distance", """
SELECT t.title, k.text, distance(k.vector, $q) AS d
FROM MATCH graph (x:Agent {id: $agent})-[:ASSIGNED_TO]->(t:Task)
JOIN docs.knowledge AS k ON k.task_id = t.id
ORDER BY d LIMIT 10""", {"agent": 42}),
]


def format_table(table: pa.Table, max_width: int = 48) -> str:
    """A plain-text grid of an Arrow table (no pandas needed)."""
    names = table.column_names
    rows = [["" if v is None else _cell(v, max_width) for v in row]
            for row in zip(*(c.to_pylist() for c in table.columns), strict=True)]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def _cell(value: object, width: int) -> str:
    text = f"{value:.4f}" if isinstance(value, float) else str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def question_vector(eng: fed.Engine) -> list[float]:
    """A deterministic query vector: a stored note's embedding, slightly perturbed."""
    stored = eng.query("SELECT k.vector FROM docs.knowledge AS k WHERE k.id = $id",
                       {"id": 3}).to_pylist()[0]["vector"]
    base = np.asarray(stored, dtype=np.float32)
    noise = np.random.default_rng(1).normal(0, 0.05, base.shape).astype(np.float32)
    return [float(x) for x in base + noise]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("workspace", nargs="?", default="workspace")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    workspace = Path(args.workspace)
    start = time.perf_counter()
    paths = generate(workspace, scale=args.scale)
    print(f"data ready in {workspace}/ ({time.perf_counter() - start:.1f} s)\n")
    # a seeded router: the demo makes the same choices on every run (see README, Routing)
    with fed.connect(route_seed=1) as eng:
        eng.attach("crm", fed.SQLite(paths.sqlite))
        eng.attach("graph", fed.Kuzu(paths.kuzu))
        eng.attach("docs", fed.LanceDB(paths.lancedb))
        q = question_vector(eng)
        for number, (title, text, params) in enumerate(SHOWCASE, 1):
            values = {**params, "q": q} if "$q" in text else params
            _show(eng, number, title, text.strip(), values)


def _show(eng: fed.Engine, number: int, title: str, text: str,
          params: dict[str, object]) -> None:
    print("=" * 100)
    print(f"[{number}] {title}\n{text}\n")
    result = eng.query(text, params)
    print(format_table(result.arrow()))
    timings = result.plan.timings
    per_source = ", ".join(f"{f.source} ({f.kind}) {f.rows} rows in {f.seconds * 1000:.1f} ms"
                           for f in result.plan.fragments if f.seconds is not None)
    print(f"\n{result.arrow().num_rows} rows; plan {timings['plan'] * 1000:.1f} ms, "
          f"sources: {per_source}; DuckDB {timings['duckdb'] * 1000:.1f} ms; "
          f"total {timings['total'] * 1000:.1f} ms\n")
    print("EXPLAIN")
    print(eng.explain(text, params))
    print()


if __name__ == "__main__":
    main()
