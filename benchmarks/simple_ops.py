"""Simple operations: latency of small queries through Federation vs the same by hand.

Data: ``benchmarks/.data/simple-<n>/`` (ignored by git; built once with a manifest, reused),
n = 100k (``--quick``: 20k): SQLite ``crm.t`` (``id`` primary key, ``name``, ``score``), a Kuzu
graph of n ``N`` nodes with 4 ``R`` edges out of each, and a LanceDB table ``docs.t`` of n
clustered 64-d vectors with an IVF_PQ index (L2).

Operations, each run many times (300; ``--quick``: 30) with a varying key or query vector,
Federation and native taking turns (order swapped every other round), after 5 warm-ups:

* ``sqlite_pk``: ``SELECT t.name, t.score FROM crm.t AS t WHERE t.id = $id`` vs an apsw
  connection's cached prepared statement, ``fetchall``;
* ``kuzu_one_hop``: ``SELECT b.x FROM MATCH graph (a:N {id: $id})-[:R]->(b:N)`` vs the kuzu
  connection running the same Cypher with a parameter (``get_as_arrow``);
* ``lance_exact``: ``NEAREST docs.t TO $q K 10`` vs the faster of lancedb's
  ``search(q).bypass_vector_index().limit(10)`` and ``lance`` ``to_table(nearest=...,
  use_index=False)``;
* ``lance_approx``: ``NEAREST ... K 10 APPROXIMATE`` vs lancedb's ``search(q).nprobes(p)
  .refine_factor(r).limit(10)`` with the engine's own ``p`` and ``r`` (read from the fragment
  text; lancedb's defaults when it does not say). Reported "not available" when the grammar
  has no ``APPROXIMATE`` yet.

Recall@10 against numpy's exact top 10 is measured for every vector search, Federation and
native, over 50 query vectors. Targets (printed, never asserted): SQLite PK p50 within 0.3 ms
of native, Kuzu one-hop within 1 ms, exact NEAREST p50 within 10% of LanceDB's own exact
search, APPROXIMATE recall@10 >= 0.95.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from benchmarks.common import Dataset, Options, frozen_heap, percentile, print_table
from federation.errors import FederationError

DATA = Path(__file__).resolve().parent / ".data"
FORMAT = 1
SEED = 5
DIM = 64
K = 10
DEGREE = 4
QUERIES = 50
THREADS = 2
DEFAULT_NPROBES, DEFAULT_REFINE = 20, None  # lancedb's defaults
now = time.perf_counter_ns


# ---- data


@dataclass(frozen=True)
class Paths:
    sqlite: Path
    kuzu: Path
    lance: Path


def vectors(n: int, seed: int = SEED) -> np.ndarray:
    """Clustered vectors (a mixture of Gaussians), as embeddings tend to be."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((max(n // 200, 8), DIM)).astype(np.float32)
    points = centers[rng.integers(0, len(centers), n)]
    return points + 0.35 * rng.standard_normal((n, DIM)).astype(np.float32)


def query_vectors(data: np.ndarray, seed: int = SEED + 1) -> np.ndarray:
    """Near (not on) stored vectors: a stored row plus noise."""
    rng = np.random.default_rng(seed)
    picks = data[rng.integers(0, len(data), QUERIES)]
    return picks + 0.1 * rng.standard_normal(picks.shape).astype(np.float32)


def exact_top(data: np.ndarray, q: np.ndarray) -> set[int]:
    d = ((data - q) ** 2).sum(axis=1)
    return {int(i) for i in np.argpartition(d, K)[:K]}


def _write(paths: Paths, n: int, data: np.ndarray) -> None:
    import apsw
    import lancedb

    from federation.sources.kuzu import driver

    rng = np.random.default_rng(SEED + 2)
    con = apsw.Connection(str(paths.sqlite))
    with con:
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL)")
        con.executemany("INSERT INTO t VALUES (?, ?, ?)",
                        ((i, f"name {i}", float(s)) for i, s in enumerate(rng.random(n))))
    con.close()
    kz = driver()
    db = kz.Database(str(paths.kuzu))
    kcon = kz.Connection(db)
    kcon.execute("CREATE NODE TABLE N(id INT64, x INT64, PRIMARY KEY(id))")
    kcon.execute("CREATE REL TABLE R(FROM N TO N)")
    nodes = pa.table({"id": np.arange(n), "x": rng.integers(0, 1000, n)})  # noqa: F841
    kcon.execute("COPY N FROM nodes")
    edges = pa.table({"from": np.repeat(np.arange(n), DEGREE),  # noqa: F841
                      "to": rng.integers(0, n, n * DEGREE)})
    kcon.execute("COPY R FROM edges")
    kcon.close()
    db.close()
    flat = pa.array(data.reshape(-1))
    table = pa.table({"id": np.arange(n), "vector": pa.FixedSizeListArray.from_arrays(flat, DIM)})
    tbl = lancedb.connect(str(paths.lance)).create_table("t", data=table, mode="create")
    tbl.create_index(metric="l2", num_partitions=max(16, int(math.sqrt(n))),
                     num_sub_vectors=DIM // 4, vector_column_name="vector")


def dataset(n: int) -> tuple[Paths, np.ndarray, float]:
    import shutil

    ws = DATA / f"simple-{n}"
    paths = Paths(ws / "crm.db", ws / "graph.kuzu", ws / "lance")
    want = {"format": FORMAT, "rows": n, "seed": SEED, "dim": DIM, "degree": DEGREE,
            "index": "IVF_PQ"}
    manifest = ws / "manifest.json"
    start = time.perf_counter()
    data = vectors(n)
    try:
        if json.loads(manifest.read_text()) == want:
            return paths, data, time.perf_counter() - start
    except (OSError, ValueError):
        pass
    if ws.exists():
        shutil.rmtree(ws)
    ws.mkdir(parents=True)
    _write(paths, n, data)
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(json.dumps(want))
    os.replace(tmp, manifest)
    return paths, data, time.perf_counter() - start


# ---- operations


@dataclass
class Op:
    name: str
    fed: Callable[[int], Any]  # round number → result
    natives: dict[str, Callable[[int], Any]]
    ids: Callable[[Any], set[int]] | None = None  # result → row ids (vector searches)
    params: dict[str, Any] | None = None


class Natives:
    def __init__(self, paths: Paths) -> None:
        import apsw
        import lance
        import lancedb

        from federation.sources.kuzu import driver

        self.sqlite = apsw.Connection(str(paths.sqlite), flags=apsw.SQLITE_OPEN_READONLY)
        kz = driver()
        self.kuzu_db = kz.Database(str(paths.kuzu), read_only=True, max_num_threads=THREADS)
        self.kuzu = kz.Connection(self.kuzu_db, num_threads=THREADS)
        self.table = lancedb.connect(str(paths.lance)).open_table("t")
        self.dataset = lance.dataset(str(paths.lance / "t.lance"))

    def close(self) -> None:
        self.kuzu.close()
        self.kuzu_db.close()
        self.sqlite.close()


def _ids(result: Any) -> set[int]:
    table = result.arrow() if hasattr(result, "arrow") else result
    return set(table.column("id").to_pylist())


def _done(res: Any) -> Any:
    """A Federation result with its Arrow table built (as a caller would use it)."""
    res.arrow()
    return res


def _approx_params(eng: Any, text: str, q: list[float]) -> tuple[int, int | None, str]:
    """The engine's nprobes and refine factor from its fragment text, else lancedb's."""
    plan = eng.explain(text, {"q": q})
    native = " ".join(f"{f.native} {f.params}" for f in plan.fragments) + " " + str(plan)
    probes = re.search(r"nprobes\D{0,3}(\d+)", native)
    refine = re.search(r"refine_factor\D{0,3}(\d+)", native)
    source = "engine fragment" if probes or refine else "lancedb defaults"
    return (int(probes[1]) if probes else DEFAULT_NPROBES,
            int(refine[1]) if refine else DEFAULT_REFINE, source)


def _fragments(eng: Any, text: str, q: list[float]) -> list[str]:
    return [f.native for f in eng.explain(text, {"q": q}).fragments]


EXACT = "SELECT n.id, n._distance FROM NEAREST docs.t TO $q K 10 AS n"
APPROX = "SELECT n.id, n._distance FROM NEAREST docs.t TO $q K 10 APPROXIMATE AS n"


def operations(eng: Any, n: Natives, rows: int, reps: int,
               qs: np.ndarray) -> tuple[list[Op], dict[str, Any]]:
    rng = np.random.default_rng(SEED + 3)
    keys = [int(k) for k in rng.integers(0, rows, reps + 10)]
    qlist = [[float(x) for x in v] for v in qs]

    def key(r: int) -> int:
        return keys[r % len(keys)]

    def vec(r: int) -> list[float]:
        return qlist[r % len(qlist)]

    pk = "SELECT t.name, t.score FROM crm.t AS t WHERE t.id = $id"
    hop = "SELECT b.x FROM MATCH graph (a:N {id: $id})-[:R]->(b:N)"
    cy = "MATCH (a:N {id: $id})-[:R]->(b:N) RETURN b.x"
    tbl, ds = n.table, n.dataset
    with warnings.catch_warnings():  # kuzu deprecates prepare(); it is still the fastest
        warnings.simplefilter("ignore", DeprecationWarning)
        prepared = n.kuzu.prepare(cy)
    ops = [
        Op("sqlite_pk", lambda r: _done(eng.query(pk, {"id": key(r)})),
           {"apsw prepared": lambda r: n.sqlite.execute(
               "SELECT name, score FROM t WHERE id = ?", (key(r),)).fetchall()}),
        Op("kuzu_one_hop", lambda r: _done(eng.query(hop, {"id": key(r)})),
           {"kuzu execute get_as_arrow": lambda r: n.kuzu.execute(cy, {"id": key(r)})
            .get_as_arrow(),
            "kuzu execute get_all": lambda r: n.kuzu.execute(cy, {"id": key(r)}).get_all(),
            "kuzu prepared get_all": lambda r: n.kuzu.execute(prepared, {"id": key(r)})
            .get_all()}),
        Op("lance_exact", lambda r: _done(eng.query(EXACT, {"q": vec(r)})),
           {"lancedb bypass_vector_index": lambda r: tbl.search(vec(r)).bypass_vector_index()
            .select(["id"]).limit(K).to_arrow(),
            "lance nearest use_index=False": lambda r: ds.to_table(
                columns=["id", "_distance"], nearest={"column": "vector", "q": vec(r), "k": K,
                                                     "use_index": False})}, ids=_ids)]
    approx, info = approximate_op(eng, n, vec)
    return ops + ([approx] if approx is not None else []), info


def approximate_op(eng: Any, n: Natives,
                   vec: Callable[[int], list[float]]) -> tuple[Op | None, dict[str, Any]]:
    """``NEAREST ... APPROXIMATE`` against LanceDB's ANN search with the engine's parameters;
    None (and why) when the engine cannot run it."""
    info: dict[str, Any] = {"approximate": "not available"}
    try:
        probes, refine, origin = _approx_params(eng, APPROX, vec(0))
    except FederationError as err:  # the grammar may not have APPROXIMATE yet
        info["approximate_error"] = f"{type(err).__name__}: {err}"
        return None, info

    def lancedb_approx(r: int) -> pa.Table:
        query = n.table.search(vec(r)).nprobes(probes)
        if refine is not None:
            query = query.refine_factor(refine)
        return query.select(["id"]).limit(K).to_arrow()

    def lance_approx(r: int) -> pa.Table:
        nearest = {"column": "vector", "q": vec(r), "k": K, "nprobes": probes}
        if refine is not None:
            nearest["refine_factor"] = refine
        return n.dataset.to_table(columns=["id", "_distance"], nearest=nearest)

    same = _fragments(eng, APPROX, vec(0)) == _fragments(eng, EXACT, vec(0))
    info.update(approximate="parsed, planned as exact" if same else "available",
                nprobes=probes, refine_factor=refine, parameters_from=origin)
    return Op("lance_approx", lambda r: _done(eng.query(APPROX, {"q": vec(r)})),
              {f"lancedb nprobes={probes} refine={refine}": lancedb_approx,
               "lance nearest, same parameters": lance_approx}, ids=_ids,
              params={"nprobes": probes, "refine_factor": refine}), info


# ---- timing and recall


def latencies(op: Op, reps: int, warmup: int = 5) -> dict[str, list[int]]:
    """ns per run for Federation and each native; also Federation's plan and fragment time
    (``fed plan``, ``fed fragments``: from ``res.plan``)."""
    times: dict[str, list[int]] = {"federation": [], "fed plan": [], "fed fragments": [],
                                   **{k: [] for k in op.natives}}
    steps: list[tuple[str, Callable[[int], Any]]] = [("federation", op.fed),
                                                     *op.natives.items()]
    for r in range(warmup + reps):
        for label, fn in (steps if r % 2 == 0 else steps[::-1]):
            start = now()
            out = fn(r)
            elapsed = now() - start
            if r < warmup:
                continue
            times[label].append(elapsed)
            if label == "federation":
                times["fed plan"].append(int(out.plan.timings.get("plan", 0) * 1e9))
                times["fed fragments"].append(int(sum(f.seconds or 0 for f in
                                                      out.plan.fragments) * 1e9))
    return times


def recall(fn: Callable[[int], Any], truth: list[set[int]]) -> float:
    hits = sum(len(_ids(fn(r)) & t) for r, t in enumerate(truth))
    return hits / (K * len(truth))


def _ms(ns: list[int], p: float) -> float:
    return percentile(ns, p) / 1e6 if ns else math.nan


def verdict(name: str, fed: dict[str, float], nat: dict[str, float],
            fed_recall: float | None) -> tuple[str, str]:
    if name == "sqlite_pk":
        return "p50 within 0.3 ms", "PASS" if fed["p50_ms"] - nat["p50_ms"] <= 0.3 else "FAIL"
    if name == "kuzu_one_hop":
        return "p50 within 1 ms", "PASS" if fed["p50_ms"] - nat["p50_ms"] <= 1.0 else "FAIL"
    if name == "lance_exact":
        return "p50 within 10%", "PASS" if fed["p50_ms"] <= 1.10 * nat["p50_ms"] else "FAIL"
    ok = fed_recall is not None and fed_recall >= 0.95
    return "recall@10 >= 0.95", "PASS" if ok else "FAIL"


def measure(op: Op, reps: int, truth: list[set[int]]) -> dict[str, Any]:
    times = latencies(op, reps)
    stats = {k: {"p50_ms": _ms(v, 50), "p99_ms": _ms(v, 99), "samples": len(v)}
             for k, v in times.items()}
    best = min(op.natives, key=lambda k: stats[k]["p50_ms"])
    recalls: dict[str, float] = {}
    if op.ids is not None:
        recalls = {"federation": recall(op.fed, truth),
                   **{k: recall(fn, truth) for k, fn in op.natives.items()}}
    target, result = verdict(op.name, stats["federation"], stats[best],
                             recalls.get("federation"))
    return {"federation": stats["federation"], "native": {"label": best, **stats[best]},
            "federation_parts": {"plan": stats["fed plan"],
                                 "fragments": stats["fed fragments"]},
            "natives": {k: stats[k] for k in op.natives}, "recall_at_10": recalls,
            "p50_diff_ms": stats["federation"]["p50_ms"] - stats[best]["p50_ms"],
            "p50_ratio": stats["federation"]["p50_ms"] / stats[best]["p50_ms"],
            "target": target, "verdict": result, "params": op.params}


def run(data: Dataset, opts: Options) -> dict[str, Any]:
    """``data`` (the differential dataset) is not used: this suite has its own stores."""
    import federation as fed

    del data
    rows = 20_000 if opts.quick else 100_000
    reps = 30 if opts.quick else 300
    start = time.perf_counter()
    paths, vecs, data_seconds = dataset(rows)
    qs = query_vectors(vecs)
    truth = [exact_top(vecs, q) for q in qs]
    eng = fed.connect(threads=THREADS, cache_bytes=0)  # no result cache: the vectors repeat
    eng.attach("crm", fed.SQLite(paths.sqlite))
    eng.attach("graph", fed.Kuzu(paths.kuzu, read_only=True, threads=THREADS))
    eng.attach("docs", fed.LanceDB(paths.lance))
    natives = Natives(paths)
    results: dict[str, Any] = {}
    try:
        ops, info = operations(eng, natives, rows, reps, qs)
        with frozen_heap():
            for op in ops:
                results[op.name] = measure(op, reps, truth)
    finally:
        natives.close()
        eng.close()
    return {"suite": "simple_ops", "rows": rows, "dim": DIM, "k": K, "repetitions": reps,
            "query_vectors": QUERIES, "threads": THREADS, "data_seconds": data_seconds,
            **info, "ops": results, "seconds": time.perf_counter() - start}


def print_report(res: dict[str, Any]) -> None:
    print(f"\nsimple_ops: {res['rows']:,} rows/nodes/vectors ({res['dim']}-d, IVF_PQ), "
          f"{res['repetitions']} interleaved runs after 5 warm-ups; APPROXIMATE: "
          f"{res['approximate']}" + (f" ({res.get('approximate_error')})"
                                     if "approximate_error" in res else ""))
    rows: list[list[Any]] = []
    for name, o in res["ops"].items():
        f, nat = o["federation"], o["native"]
        rec = o["recall_at_10"]
        parts = o["federation_parts"]
        rows.append([name, f["p50_ms"], f["p99_ms"], parts["plan"]["p50_ms"],
                     parts["fragments"]["p50_ms"], nat["label"], nat["p50_ms"],
                     nat["p99_ms"], o["p50_diff_ms"], o["p50_ratio"],
                     rec.get("federation", math.nan), rec.get(nat["label"], math.nan),
                     o["target"], o["verdict"]])
    print_table("Latency (ms): Federation vs the fastest native; recall@10 vs numpy exact",
                ["op", "fed p50", "fed p99", "f.plan", "f.frags", "native", "nat p50", "nat p99",
                 "diff p50", "ratio", "fed recall", "nat recall", "target", "verdict"], rows)
    others = [[name, label, s["p50_ms"], s["p99_ms"], o["recall_at_10"].get(label, math.nan)]
              for name, o in res["ops"].items() for label, s in o["natives"].items()]
    print_table("Every native variant", ["op", "native", "p50", "p99", "recall"], others)
    print(f"\ndata ready in {res['data_seconds']:.1f} s; suite {res['seconds']:.1f} s")
