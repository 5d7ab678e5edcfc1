"""The seeds' own domain: agents and tasks (SQLite), who works on what and what depends on
what (Kuzu), and knowledge embeddings (LanceDB), generated deterministically.

``build_tables`` is pure: the same ``(scale, seed, dim)`` gives identical Arrow tables, built
with vectorised numpy from ``SeedSequence(seed)`` (one child stream per table, so changing one
table's recipe leaves the others alone).  ``generate`` writes the three stores under a
workspace and reuses them on a second run when the manifest (written last) matches.

At scale 1.0: 10,000 agents, 100,000 tasks, ~140,000 assignments, ~95,000 dependencies and
200,000 knowledge items.  Vectors are unit length (so L2 and cosine rank alike), clustered by
the author's team, the item's kind and its task.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from federation.domain_write import duckdb_oracle, write_kuzu, write_lancedb, write_sqlite

__all__ = ["BASE_COUNTS", "FORMAT_VERSION", "MANIFEST", "DomainPaths", "build_tables",
           "counts", "duckdb_oracle", "generate", "write_kuzu", "write_lancedb", "write_sqlite"]

FORMAT_VERSION = 1
MANIFEST = "domain_manifest.json"
BASE_COUNTS = {"agents": 10_000, "tasks": 100_000, "knowledge": 200_000}

TEAMS = ["core", "infra", "ml", "data", "web", "mobile", "security", "platform", "search",
         "growth", "billing", "support", "research", "design", "qa", "devops", "analytics",
         "sre", "api", "docs"]
FIRST = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia",
         "Tim", "Margaret", "Linus", "Guido", "Anita", "John", "Sophie", "Niklaus", "Hedy",
         "Dennis", "Karen", "Leslie", "Shafi", "Tony", "Jean"]
LAST = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
        "Perlman", "Lee", "Hamilton", "Torvalds", "van Rossum", "Borg", "McCarthy", "Wilson",
        "Wirth", "Lamarr", "Ritchie", "Jones", "Lamport", "Goldwasser", "Hoare", "Bartik"]
VERBS = ["Fix", "Refactor", "Document", "Migrate", "Benchmark", "Review", "Deploy", "Design",
         "Test", "Profile", "Upgrade", "Remove"]
NOUNS = ["login flow", "cache layer", "query planner", "billing export", "search index",
         "onboarding", "CI pipeline", "vector store", "API gateway", "dashboard", "scheduler",
         "audit log", "rate limiter", "graph loader", "backup job", "feature flags"]
STATUSES = ["pending", "active", "done", "blocked"]
STATUS_P = [0.3, 0.25, 0.35, 0.1]
KINDS = ["note", "comment", "spec", "log", "review", "summary"]
KIND_P = [0.3, 0.25, 0.1, 0.15, 0.12, 0.08]
TOPICS = ["latency", "memory", "correctness", "security", "cost", "usability", "throughput",
          "reliability", "naming", "tests"]
# strings that trip naive quoting, LIKE patterns and encodings
AWKWARD = ["O'Brien", 'Say "hello"', "Zoë Ångström", "100% done", "under_score_name",
           "back\\slash", "rocket 🚀 launch", "semi;colon -- comment", "日本語のメモ", "50%_off"]

D2015, D2020, D2024, D2027 = 16436, 18262, 19723, 20819  # days since 1970-01-01


@dataclass(frozen=True)
class DomainPaths:
    sqlite: Path
    kuzu: Path
    lancedb: Path


def counts(scale: float = 1.0) -> dict[str, int]:
    """Row counts of the node-like tables at ``scale`` (edges follow from the data)."""
    if not scale > 0:
        raise ValueError("scale must be positive")
    return {k: max(1, round(v * scale)) for k, v in BASE_COUNTS.items()}


def build_tables(scale: float = 1.0, seed: int = 7, dim: int = 32) -> dict[str, pa.Table]:
    """All five tables of the domain, as Arrow; pure and deterministic."""
    if dim < 2:
        raise ValueError("dim must be at least 2")
    n = counts(scale)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    agents = _agents(rngs[0], n["agents"])
    tasks = _tasks(rngs[1], n["tasks"])
    team_code = _team_codes(agents)
    assigned = _assigned_to(rngs[2], team_code, n["tasks"])
    depends = _depends_on(rngs[3], n["tasks"])
    knowledge = _knowledge(rngs[4], n["knowledge"], n["tasks"], team_code, assigned, dim)
    return {"agents": agents, "tasks": tasks, "assigned_to": assigned,
            "depends_on": depends, "knowledge": knowledge}


# ---- helpers
def _pick(rng: np.random.Generator, words: list[str], size: int,
          p: list[float] | None = None) -> pa.Array:
    return pa.array(words, pa.string()).take(pa.array(rng.choice(len(words), size, p=p)))


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _dates(rng: np.random.Generator, size: int, lo: int, hi: int,
           null_p: float = 0.0) -> pa.Array:
    days = rng.integers(lo, hi, size).astype(np.int32)
    mask = rng.random(size) < null_p if null_p else None
    return pa.array(days, pa.date32(), mask=mask)


def _awkward(rng: np.random.Generator, arr: pa.Array) -> pa.Array:
    """Replace a few deterministic positions of a string column with awkward strings."""
    k = min(len(AWKWARD), len(arr))
    pos = np.sort(rng.choice(len(arr), k, replace=False))
    mask = np.zeros(len(arr), dtype=bool)
    mask[pos] = True
    return pc.replace_with_mask(arr, pa.array(mask), pa.array(AWKWARD[:k], pa.string()))


def _team_codes(agents: pa.Table) -> np.ndarray:
    """Team index per agent (row i = agent id i+1); NULL team is its own code len(TEAMS)."""
    idx = pc.index_in(agents["team"], value_set=pa.array(TEAMS)).combine_chunks()
    return np.asarray(idx.fill_null(len(TEAMS)).to_numpy(), dtype=np.int64)


# ---- tables
def _agents(rng: np.random.Generator, n: int) -> pa.Table:
    ids = np.arange(1, n + 1, dtype=np.int64)
    weights = 1.0 / np.arange(1, len(TEAMS) + 1) ** 0.8  # skewed: 'core' large, 'docs' small
    team = _pick(rng, TEAMS, n, list(weights / weights.sum()))
    team = pc.if_else(pa.array(rng.random(n) < 0.01), pa.scalar(None, pa.string()), team)
    name = _awkward(rng, _join(_pick(rng, FIRST, n), " ", _pick(rng, LAST, n)))
    score = np.round(np.clip(rng.normal(70, 15, n), 0, 100), 2)
    return pa.table({
        "id": ids,
        "name": name,
        "team": team,
        "level": rng.integers(1, 8, n).astype(np.int64),
        "hired": _dates(rng, n, D2015, D2024, null_p=0.03),
        "active": pa.array(rng.random(n) < 0.85),
        "score": pa.array(score, pa.float64(), mask=rng.random(n) < 0.02),
    })


def _tasks(rng: np.random.Generator, m: int) -> pa.Table:
    ids = np.arange(1, m + 1, dtype=np.int64)
    title = _join(_pick(rng, VERBS, m), " ", _pick(rng, NOUNS, m), " #",
                  pc.cast(pa.array(ids), pa.string()))
    return pa.table({
        "id": ids,
        "title": _awkward(rng, title),
        "status": _pick(rng, STATUSES, m, STATUS_P),
        "priority": rng.integers(1, 6, m).astype(np.int64),
        "due": _dates(rng, m, D2024, D2027, null_p=0.05),
        "estimate": np.round(rng.lognormal(1.5, 0.8, m) * 2) / 2 + 0.5,
    })


def _assigned_to(rng: np.random.Generator, team_code: np.ndarray, m: int) -> pa.Table:
    """Every task gets a first agent; ~40% a distinct second one, mostly from the same team."""
    n = len(team_code)
    tasks = np.arange(1, m + 1, dtype=np.int64)
    first = rng.integers(0, n, m)  # agent row index
    two = (rng.random(m) < 0.4) if n > 1 else np.zeros(m, dtype=bool)
    a1, t2 = first[two], tasks[two]
    # same-team partner: step 1..size-1 places within the agent's team group (sorted by team)
    order = np.argsort(team_code, kind="stable")
    size = np.bincount(team_code, minlength=len(TEAMS) + 1)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - start[team_code[order]]
    g = team_code[a1]
    gsize = size[g]
    step = 1 + (rng.random(len(a1)) * np.maximum(gsize - 1, 1)).astype(np.int64)
    same = order[start[g] + (rank[a1] + step) % gsize]
    anyone = (a1 + 1 + rng.integers(0, max(n - 1, 1), len(a1))) % n
    a2 = np.where((rng.random(len(a1)) < 0.7) & (gsize > 1), same, anyone)
    src = np.concatenate([first, a2]) + 1
    dst = np.concatenate([tasks, t2])
    order_e = np.lexsort((src, dst))
    k = len(src)
    return pa.table({
        "src": src[order_e].astype(np.int64),
        "dst": dst[order_e],
        "since": _dates(rng, k, D2020, D2024),
        "weight": np.round(rng.uniform(0.05, 1.0, k), 3),
    })


def _depends_on(rng: np.random.Generator, m: int) -> pa.Table:
    """A DAG (dst < src): Poisson(1) dependencies per task, mostly on recent tasks."""
    ids = np.arange(1, m + 1, dtype=np.int64)
    k = rng.poisson(1.0, m)
    k[0] = 0
    src = np.repeat(ids, k)
    near = rng.geometric(0.05, len(src))
    far = rng.integers(1, np.maximum(src, 2))
    offset = np.where(rng.random(len(src)) < 0.8, near, far)
    dst = np.maximum(src - offset, 1)
    key = np.unique(src * (m + 1) + dst)  # dedupe; sorted by (src, dst)
    return pa.table({"src": key // (m + 1), "dst": key % (m + 1)})


def _knowledge(rng: np.random.Generator, kn: int, m: int, team_code: np.ndarray,
               assigned: pa.Table, dim: int) -> pa.Table:
    edge = rng.integers(0, assigned.num_rows, kn)
    agent_id = assigned["src"].to_numpy()[edge]
    task_id = assigned["dst"].to_numpy()[edge]
    kind_i = rng.choice(len(KINDS), kn, p=KIND_P)
    kind = pa.array(KINDS).take(pa.array(kind_i))
    topic = _pick(rng, TOPICS, kn)
    text = _join(kind, " on ", topic, " for task ", pc.cast(pa.array(task_id), pa.string()),
                 ": ", _pick(rng, VERBS, kn), " ", _pick(rng, NOUNS, kn))
    team_c = rng.normal(0.0, 1.0, (len(TEAMS) + 1, dim))
    kind_c = rng.normal(0.0, 0.5, (len(KINDS), dim))
    task_c = rng.normal(0.0, 0.6, (m, dim))
    vec = (team_c[team_code[agent_id - 1]] + kind_c[kind_i] + task_c[task_id - 1]
           + rng.normal(0.0, 1.0, (kn, dim)))
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    flat = pa.array(vec.astype(np.float32).ravel(), pa.float32())
    return pa.table({
        "id": np.arange(1, kn + 1, dtype=np.int64),
        "task_id": task_id,
        "agent_id": agent_id,
        "kind": kind,
        "text": _awkward(rng, text),
        "created": _dates(rng, kn, D2020, D2024),
        "vector": pa.FixedSizeListArray.from_arrays(flat, dim),
    })


# ---- workspace
def generate(workspace: Path | str, scale: float = 1.0, seed: int = 7,
             dim: int = 32) -> DomainPaths:
    """Write ``crm.db``, ``graph.kuzu`` and ``lance/`` under ``workspace``; reuse them when the
    manifest (written last) matches ``(scale, seed, dim)`` and the format version."""
    ws = Path(workspace)
    paths = DomainPaths(ws / "crm.db", ws / "graph.kuzu", ws / "lance")
    want = {"format": FORMAT_VERSION, "scale": scale, "seed": seed, "dim": dim,
            "counts": counts(scale)}
    manifest = ws / MANIFEST
    if _read_manifest(manifest) == want and all(
            p.exists() for p in (paths.sqlite, paths.kuzu, paths.lancedb)):
        return paths
    ws.mkdir(parents=True, exist_ok=True)
    manifest.unlink(missing_ok=True)
    for p in (paths.sqlite, paths.kuzu, paths.lancedb):
        _remove(p)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    tables = build_tables(scale, seed, dim)
    timings["build"] = time.perf_counter() - t0
    for name, write, path in (("sqlite", write_sqlite, paths.sqlite),
                              ("kuzu", write_kuzu, paths.kuzu),
                              ("lancedb", write_lancedb, paths.lancedb)):
        t = time.perf_counter()
        write(tables, path)
        timings[name] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - t0
    want["rows"] = {k: t.num_rows for k, t in tables.items()}
    want["seconds"] = {k: round(v, 3) for k, v in timings.items()}
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(json.dumps(want, indent=2))
    os.replace(tmp, manifest)
    return paths


def _read_manifest(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {k: data.get(k) for k in ("format", "scale", "seed", "dim", "counts")}


def _remove(path: Path) -> None:
    """Delete a store (file or directory) and the side files its engine may leave."""
    for p in (path, *(path.with_name(path.name + s) for s in ("-wal", "-journal", ".wal",
                                                             "-shm", ".lock", ".shadow"))):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p)
        elif p.exists() or p.is_symlink():
            p.unlink()


if __name__ == "__main__":  # python -m federation.domain WORKSPACE [SCALE]
    import sys

    out = generate(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
    print(json.dumps(json.loads((Path(sys.argv[1]) / MANIFEST).read_text()), indent=2), out)
