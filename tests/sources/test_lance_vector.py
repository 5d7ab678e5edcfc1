"""NEAREST is exact by default even on a table with an IVF_PQ index; APPROXIMATE uses the index
tuned to recall@k >= 0.95. Real LanceDB tables built in tmp_path; numpy is the oracle."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import lancedb
import numpy as np
import pyarrow as pa
import pytest
from lancedb.index import IvfPq

import federation as fed
from federation.sources.lance_vector import TARGET_RECALL, Tuning, k_bucket
from planner.explain import plan_tree
from planner.expressions import ColumnRef, Const
from planner.logical import VectorSearch

N, DIM = 20_000, 32
NULL_ROWS = (3, 777)
EXACT_Q = "SELECT k.id, k._distance FROM NEAREST docs.kb TO $q K $k AS k"
APPROX_Q = "SELECT k.id, k._distance FROM NEAREST docs.kb TO $q K $k APPROXIMATE AS k"


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return np.random.default_rng(11).standard_normal((N, DIM)).astype(np.float32)


def _vector_column(vectors: np.ndarray, nulls: tuple[int, ...] = ()) -> pa.Array:
    column = pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), DIM)
    mask = np.zeros(len(vectors), bool)
    mask[list(nulls)] = True
    return pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), DIM,
                                             mask=pa.array(mask)) if nulls else column


@pytest.fixture(scope="module")
def lance_dir(tmp_path_factory: pytest.TempPathFactory, vectors: np.ndarray) -> Path:
    path = tmp_path_factory.mktemp("ann") / "lance"
    db = lancedb.connect(str(path))
    table = db.create_table("kb", pa.table({"id": pa.array(range(N), pa.int64()),
                                            "vector": _vector_column(vectors, NULL_ROWS)}),
                            on_bad_vectors="null")
    # small and quick to train (about a second), and poor at Lance's defaults
    table.create_index("vector", config=IvfPq(distance_type="l2", num_partitions=16,
                                              num_sub_vectors=8, max_iterations=5,
                                              sample_rate=32))
    plain = db.create_table("plain", pa.table({"id": pa.array(range(100), pa.int64()),
                                               "vector": _vector_column(vectors[:100])}))
    assert plain.list_indices() == []
    return path


@pytest.fixture(scope="module")
def eng(lance_dir: Path) -> Iterator[fed.Engine]:
    engine = fed.connect()
    engine.attach("docs", fed.LanceDB(lance_dir))
    yield engine
    engine.close()


ANN = "#0 ann index"  # the route answering APPROXIMATE through the index (planner.vector_routes)


def _brute_force(vectors: np.ndarray, query: np.ndarray, k: int) -> tuple[list[int], np.ndarray]:
    dist = ((vectors - query.astype(np.float32)) ** 2).sum(axis=1)
    dist[list(NULL_ROWS)] = np.inf  # rows without a vector are never returned
    order = np.argsort(dist, kind="stable")[:k]
    return order.tolist(), dist[order]


def test_default_is_exact_on_an_indexed_table(eng: fed.Engine, vectors: np.ndarray) -> None:
    rng = np.random.default_rng(5)
    for _ in range(5):
        query = rng.standard_normal(DIM)
        out = eng.query(EXACT_Q, {"q": query.tolist(), "k": 10}).arrow()
        ids, dist = _brute_force(vectors, query, 10)
        assert out.column("id").to_pylist() == ids
        np.testing.assert_allclose(out.column("_distance").to_numpy(), dist, rtol=1e-5)


def test_lance_defaults_on_this_index_are_poor(lance_dir: Path, vectors: np.ndarray) -> None:
    """Why the default must bypass the index: Lance's own ANN defaults miss many rows here."""
    table = lancedb.connect(str(lance_dir)).open_table("kb")
    rng = np.random.default_rng(6)
    hits = 0
    for _ in range(10):
        query = rng.standard_normal(DIM).astype(np.float32)
        got = table.search(query).limit(10).to_arrow().column("id").to_pylist()
        hits += len(set(got) & set(_brute_force(vectors, query, 10)[0]))
    assert hits / 100 < TARGET_RECALL


def test_approximate_keeps_recall(eng: fed.Engine, vectors: np.ndarray) -> None:
    rng = np.random.default_rng(7)
    recalls = []
    for _ in range(20):
        query = rng.standard_normal(DIM)
        got = eng.query(APPROX_Q, {"q": query.tolist(), "k": 10}, route=ANN).arrow().column("id")
        truth = set(_brute_force(vectors, query, 10)[0])
        recalls.append(len(truth & set(got.to_pylist())) / 10)
    assert np.mean(recalls) >= TARGET_RECALL - 1e-9  # 19 of 20 at 1.0: 0.95 in floats


def test_explain_says_exact_or_approximate(eng: fed.Engine) -> None:
    params = {"q": [0.0] * DIM, "k": 10}
    exact = str(eng.explain(EXACT_Q, params))
    assert "kb.nearest(vector[32] -> vector, k=10, exact)" in exact
    approx = str(eng.explain(APPROX_Q, params, route=ANN))
    assert "k=10, approximate (index IVF_PQ, nprobes=" in approx
    tuning = approx.split("approximate (", 1)[1]
    assert ", refine_factor=" in tuning and ", expected recall@10=" in tuning
    recall = float(tuning.split("expected recall@10=", 1)[1][:4])
    assert recall >= TARGET_RECALL


def test_approximate_without_an_index_is_exact_and_says_so(eng: fed.Engine,
                                                           vectors: np.ndarray) -> None:
    query = np.random.default_rng(8).standard_normal(DIM)
    text = "SELECT k.id FROM NEAREST docs.plain TO $q K 5 APPROXIMATE AS k"
    plan = str(eng.explain(text, {"q": query.tolist()}))
    assert "k=5, exact (APPROXIMATE requested; no vector index on vector)" in plan
    out = eng.query(text, {"q": query.tolist()}).arrow()
    dist = ((vectors[:100] - query.astype(np.float32)) ** 2).sum(axis=1)
    assert out.column("id").to_pylist() == np.argsort(dist, kind="stable")[:5].tolist()


def test_calibration_is_cached_per_k_bucket(eng: fed.Engine) -> None:
    source = eng.sources["docs"]
    params = {"q": [0.5] * DIM}
    for k in (9, 12, 16):
        eng.explain(APPROX_Q, {**params, "k": k})
    buckets = {key[-1] for key in source._datasets.tunings}  # type: ignore[attr-defined]
    assert k_bucket(9) == k_bucket(16) == 16 and 16 in buckets
    before = dict(source._datasets.tunings)  # type: ignore[attr-defined]
    eng.explain(APPROX_Q, {**params, "k": 14})
    assert source._datasets.tunings == before  # type: ignore[attr-defined]


def test_plans_differ_by_approximate(eng: fed.Engine) -> None:
    params = {"q": [0.0] * DIM, "k": 3}
    exact = eng.query(EXACT_Q, params).plan
    approx = eng.query(APPROX_Q, params, route=ANN).plan
    assert "approximate" not in str(exact) and "approximate" in str(approx)
    # the router may also answer APPROXIMATE exactly: its other route says so
    exactly = eng.query(APPROX_Q, params, route="#0 exact scan").plan
    assert "k=3, exact" in str(exactly)


def test_tuning_for_a_smaller_k_keeps_the_candidates() -> None:
    tuning = Tuning("IVF_PQ", 8, 20, 0.97, 16)
    assert tuning.for_k(10).refine_factor == 32 and tuning.for_k(16) == tuning
    assert Tuning(reason="why").describe(5) == "exact (why)"


def test_approximate_is_part_of_the_plan_identity_and_its_explain_line() -> None:
    column = ColumnRef("k", "id", pa.int64())
    vector = Const((0.0,) * DIM, pa.list_(pa.float32()))
    exact = VectorSearch("docs", "kb", "k", "vector", vector, 3, (column,))
    approx = dataclasses.replace(exact, approximate=True)
    assert exact != approx and hash(exact) != hash(approx)
    assert plan_tree(exact) == ["VectorSearch docs: kb AS k k=3 -> k.id"]
    assert plan_tree(approx) == ["VectorSearch docs: kb AS k k=3 approximate -> k.id"]


def test_ties_and_null_vectors_match_lancedb_search(tmp_path: Path) -> None:
    """The dataset path returns what LanceDB's own exact search returns, row for row."""
    rng = np.random.default_rng(9)
    base = rng.standard_normal((40, 4)).astype(np.float32)
    base[10:20] = base[0]  # eleven rows at one distance from any query
    column = pa.FixedSizeListArray.from_arrays(
        pa.array(base.ravel()), 4, mask=pa.array([i % 7 == 3 for i in range(40)]))
    db = lancedb.connect(str(tmp_path / "db"))
    table = db.create_table("t", pa.table({"id": pa.array(range(40), pa.int64()),
                                           "vector": column}), on_bad_vectors="null")
    engine = fed.connect()
    engine.attach("d", fed.LanceDB(tmp_path / "db"))
    for k in (5, 12, 40):
        query = base[0] + 0.01
        ours = engine.query("SELECT k.id, k._distance FROM NEAREST d.t TO $q K $k AS k",
                            {"q": query.tolist(), "k": k}).arrow()
        theirs = (table.search(query).bypass_vector_index().select(["id", "_distance"])
                  .limit(k).to_arrow())
        assert ours.column("id").to_pylist() == theirs.column("id").to_pylist()
        assert ours.column("_distance").to_pylist() == theirs.column("_distance").to_pylist()
        assert not set(ours.column("id").to_pylist()) & {i for i in range(40) if i % 7 == 3}
    engine.close()
