"""Graph-constrained top-K (DESIGN §3, issue 8 item 2(c)) against the DuckDB oracle, with key
passing forced on (``key_passing_rows=0``) and off (``None``).

"Top K by distance among the rows that join" is written ``… JOIN docs.t AS n ON n.key = s.key
ORDER BY distance(n.vector, $q) LIMIT K``: the other leg's keys go into LanceDB (a prefilter of
the scan) and only the rows that can join are read; DuckDB ranks them. The result must be the
oracle's top-K whatever the key leg holds: duplicates (join multiplicity), NULL keys, no keys,
fewer matching rows than K, distances tied at the K-th place, NULL vectors.

``NEAREST … K n`` joined with another leg is a different query: the K nearest rows of the
whole table (after the alias's own filters), then the join (DESIGN §3). Keys of the other leg
would change which rows are the K nearest, so they are never passed into a NEAREST
(``planner.semijoin``); nor from the preserved side of a LEFT JOIN.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import lancedb
import numpy as np
import pyarrow as pa
import pytest

import federation as fed
from federation.domain import write_kuzu, write_lancedb, write_sqlite

from .data import oracle, resolve, run_oracle
from .record import Q_NEAR, q3

DIM = 4
NOTES = 3000
# picks: the key leg. label 'dup' repeats task ids (each twice or three times), 'nul' holds
# NULL task ids only, 'few' two task ids with three notes in all, 'none' ids no note has
NO_TASK: int | None = None
PICKS: list[tuple[int, int | None, str]] = (
    [(i, 10 + i % 5, "dup") for i in range(12)]
    + [(100 + i, NO_TASK, "nul") for i in range(3)]
    + [(200, 7, "few"), (201, 8, "few"), (202, NO_TASK, "few")]
    + [(300 + i, 100_000 + i, "none") for i in range(4)]
    + [(400 + i, i, "many") for i in range(0, 300, 3)]
)


def _notes() -> pa.Table:
    """Notes on tasks 0..299 (task NULL for every 50th), vectors of small integers so that
    distances tie a lot, a few NULL vectors; tasks 7 and 8 have three notes together."""
    rng = np.random.default_rng(31)
    task = rng.integers(9, 300, NOTES)
    task[:3] = [7, 7, 8]
    tasks = pa.array(task, pa.int64(), mask=np.arange(NOTES) % 50 == 49)
    vectors = rng.integers(0, 3, (NOTES, DIM)).astype(np.float32)
    no_vector = np.zeros(NOTES, bool)
    no_vector[[2, 60, 61, 62, 500]] = True
    return pa.table({
        "id": pa.array(rng.permutation(NOTES), pa.int64()),
        "task_id": tasks,
        "kind": pa.array(["a", "b", "c"] * (NOTES // 3)),
        "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), DIM,
                                                    mask=pa.array(no_vector)),
    })


Env = tuple[dict[Any, fed.Engine], duckdb.DuckDBPyConnection]


def _engines(root: Path, name: str, source: Callable[[], Any]) -> dict[int | None, Any]:
    """Two engines over ``name`` and ``root/lance``: keys passed wherever possible (0), and
    never (None)."""
    engines = {}
    for passing in (0, None):
        eng = fed.connect(key_passing_rows=passing)
        eng.attach(name, source())
        eng.attach("docs", fed.LanceDB(str(root / "lance")))
        engines[passing] = eng
    return engines


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    root = tmp_path_factory.mktemp("graph_topk")
    notes = _notes()
    db = lancedb.connect(str(root / "lance"))  # three Lance fragments
    db.create_table("notes", data=notes.slice(0, 1000), on_bad_vectors="null")
    db.open_table("notes").add(notes.slice(1000, 1000), on_bad_vectors="null")
    db.open_table("notes").add(notes.slice(2000), on_bad_vectors="null")
    with sqlite3.connect(root / "crm.db") as con:
        con.execute("CREATE TABLE picks (id INTEGER PRIMARY KEY, task_id INTEGER, "
                    "label TEXT NOT NULL)")
        con.executemany("INSERT INTO picks VALUES (?, ?, ?)", PICKS)
    con.close()
    duck = duckdb.connect()
    duck.execute("CREATE SCHEMA crm; CREATE SCHEMA docs")
    duck.register("notes_arrow", notes)
    # pos: the row's place in the Lance table, the order an exact search breaks ties in
    duck.execute(f"CREATE TABLE docs.notes AS SELECT id, task_id, kind, "
                 f"vector::FLOAT[{DIM}] AS vector, row_number() OVER () AS pos "
                 f"FROM notes_arrow")
    duck.execute("CREATE TABLE crm.picks (id BIGINT, task_id BIGINT, label VARCHAR)")
    duck.executemany("INSERT INTO crm.picks VALUES (?, ?, ?)", [list(p) for p in PICKS])
    engines = _engines(root, "crm", lambda: fed.SQLite(str(root / "crm.db")))
    yield engines, duck
    for eng in engines.values():
        eng.close()
    duck.close()


Q = [1.0, 1.0, 0.0, 2.0]
D = f"(array_distance(n.vector, $q::FLOAT[{DIM}]) ** 2)"
SEL = "SELECT p.id AS pick, n.id, distance(n.vector, $q) AS d"
SEL_SQL = f"SELECT p.id AS pick, n.id, {D} AS d"
JOIN_ON = "FROM crm.picks p JOIN docs.notes n ON n.task_id = p.task_id WHERE p.label = $label"
JOIN_WHERE = "FROM crm.picks p, docs.notes n WHERE n.task_id = p.task_id AND p.label = $label"
NOTES_FIRST = "FROM docs.notes n JOIN crm.picks p ON p.task_id = n.task_id " \
              "WHERE p.label = $label"


def _run(eng: fed.Engine, fql: str, params: dict[str, object]) -> tuple[pa.Table, Any]:
    res = eng.query(fql, {k: v for k, v in params.items() if f"${k}" in fql})
    return res.arrow(), res.plan


def _oracle(duck: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]
            ) -> pa.Table:
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    return duck.sql(sql, params=used or None).to_arrow_table()


def _rows(table: pa.Table) -> Counter[tuple[object, ...]]:
    return Counter(tuple(round(v, 4) if isinstance(v, float) else v for v in row.values())
                   for row in table.to_pylist())


def _assert_valid_top(got: pa.Table, every: pa.Table, k: int) -> None:
    """``got`` is a valid ``ORDER BY d LIMIT k`` of ``every`` (all joined rows ordered by d,
    NULLs last): the rows before the K-th distance exactly, then some of the rows tied with
    it (SQL lets any of them make the cut), in order of distance."""
    top = every.slice(0, k)
    assert got.num_rows == top.num_rows
    ds = got.column("d").to_pylist()
    assert ds == top.column("d").to_pylist()  # same distances, in order
    if not ds:
        return
    last = ds[-1]
    key = [(r["pick"], r["id"]) for r in got.to_pylist()]
    before = [(r["pick"], r["id"]) for r in top.to_pylist() if r["d"] != last]
    tied = {(r["pick"], r["id"]) for r in every.to_pylist() if r["d"] == last}
    assert Counter(k_ for k_ in key if k_ in set(before)) == Counter(before)
    assert all(k_ in tied for k_ in key if k_ not in set(before))


def _applied(plan: Any) -> list[str]:
    return [n for n in plan.notes if n.startswith("applied")]


def _notes_rows(plan: Any) -> int:
    return next(f.rows for f in plan.fragments if f.source == "docs")


CASES = [  # (id, FROM … WHERE text, label, LIMIT)
    ("on_dup_keys", JOIN_ON, "dup", 10),
    ("where_dup_keys", JOIN_WHERE, "dup", 10),
    ("notes_first", NOTES_FIRST, "dup", 25),
    ("null_keys_only", JOIN_ON, "nul", 10),
    ("no_matching_keys", JOIN_ON, "none", 10),
    ("fewer_rows_than_k", JOIN_ON, "few", 10),  # 3 notes, one without a vector
    ("many_keys", JOIN_ON, "many", 40),
    ("many_keys_all_rows", JOIN_ON, "many", 5000),  # NULL vectors, NULL distances last
]


@pytest.mark.parametrize("passing", [0, None], ids=["keys", "no_keys"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_graph_constrained_top_k(env: Env, case: tuple[str, str, str, int],
                                 passing: int | None) -> None:
    engines, duck = env
    _, body, label, k = case
    params: dict[str, object] = {"q": Q, "label": label}
    got, plan = _run(engines[passing], f"{SEL} {body} ORDER BY d LIMIT {k}", params)
    every = _oracle(duck, f"{SEL_SQL} {body} ORDER BY d NULLS LAST", params)
    _assert_valid_top(got, every, k)
    if passing is None:
        assert _applied(plan) == []


@pytest.mark.parametrize("passing", [0, None], ids=["keys", "no_keys"])
@pytest.mark.parametrize("label", ["dup", "many", "few"])
def test_ties_broken_by_a_column_are_exact(env: Env, passing: int | None, label: str) -> None:
    """With a tie-breaking key the answer is unique: the same rows as the oracle, in order."""
    engines, duck = env
    params: dict[str, object] = {"q": Q, "label": label}
    tail = "ORDER BY d, n.id, p.id LIMIT 17"
    got, _ = _run(engines[passing], f"{SEL} {JOIN_ON} {tail}", params)
    want = _oracle(duck, f"{SEL_SQL} {JOIN_ON} {tail}", params)
    assert got.to_pylist() == want.to_pylist()


def test_the_distances_tie_at_the_k_th_place(env: Env) -> None:
    """The data really has ties across the cut, so the validity check above is needed."""
    _, duck = env
    every = _oracle(duck, f"{SEL_SQL} {JOIN_ON} ORDER BY d NULLS LAST", {"q": Q, "label": "many"})
    ds = every.column("d").to_pylist()
    assert ds[39] == ds[40]


def test_keys_reach_lancedb_and_spare_rows(env: Env) -> None:
    """With keys the notes scan gets the distinct non-NULL task ids of the picks and reads
    only the notes on them; without, every note."""
    engines, _ = env
    text = f"{SEL} {JOIN_ON} ORDER BY d LIMIT 10"
    _, keyed = _run(engines[0], text, {"q": Q, "label": "dup"})
    _, whole = _run(engines[None], text, {"q": Q, "label": "dup"})
    assert _applied(keyed) == ["applied: keys of fragment #0 (p.task_id) filter fragment #1 "
                               "(n.task_id) when at most 500000 (5 keys)"]
    docs = next(f for f in keyed.fragments if f.source == "docs")
    assert "`task_id` IN (10, 11, 12, 13, 14)" in docs.native
    assert _notes_rows(whole) == NOTES
    assert _notes_rows(keyed) < NOTES / 20
    _, none = _run(engines[0], text, {"q": Q, "label": "nul"})
    assert _notes_rows(none) == 0 and any("(0 keys)" in n for n in none.notes)


NEAREST_CASES = [
    ("nearest_join", "SELECT p.id AS pick, n.id FROM crm.picks p JOIN NEAREST docs.notes "
     "TO $q K 200 AS n ON n.task_id = p.task_id WHERE p.label = $label",
     "SELECT p.id AS pick, n.id FROM crm.picks p JOIN (SELECT *, {d} AS _distance FROM "
     "docs.notes WHERE vector IS NOT NULL ORDER BY _distance, pos LIMIT 200) n "
     "ON n.task_id = p.task_id WHERE p.label = $label"),
    # a prefilter LanceDB cannot run: the search ranks every row, DuckDB cuts to K
    ("nearest_residual_join", "SELECT p.id AS pick, n.id FROM crm.picks p JOIN NEAREST "
     "docs.notes TO $q K 200 AS n ON n.task_id = p.task_id AND lower(n.kind) = 'a' "
     "WHERE p.label = $label",
     "SELECT p.id AS pick, n.id FROM crm.picks p JOIN (SELECT *, {d} AS _distance FROM "
     "docs.notes WHERE vector IS NOT NULL AND lower(kind) = 'a' ORDER BY _distance, pos "
     "LIMIT 200) n ON n.task_id = p.task_id WHERE p.label = $label"),
    ("left_join_notes_preserved", "SELECT p.id AS pick, n.id FROM docs.notes n LEFT JOIN "
     "crm.picks p ON p.task_id = n.task_id AND p.label = $label",
     "SELECT p.id AS pick, n.id FROM docs.notes n LEFT JOIN crm.picks p "
     "ON p.task_id = n.task_id AND p.label = $label"),
    ("left_join_top_k", f"{SEL} FROM crm.picks p LEFT JOIN docs.notes n "
     "ON n.task_id = p.task_id WHERE p.label = $label ORDER BY d, p.id, n.id LIMIT 12",
     f"{SEL_SQL} FROM crm.picks p LEFT JOIN docs.notes n ON n.task_id = p.task_id "
     "WHERE p.label = $label ORDER BY d, p.id, n.id LIMIT 12"),
]


@pytest.mark.parametrize("passing", [0, None], ids=["keys", "no_keys"])
@pytest.mark.parametrize("label", ["dup", "many", "nul"])
@pytest.mark.parametrize("case", NEAREST_CASES, ids=[c[0] for c in NEAREST_CASES])
def test_no_keys_where_they_would_change_the_answer(env: Env, case: tuple[str, str, str],
                                                    label: str, passing: int | None) -> None:
    engines, duck = env
    _, fql, sql = case
    params: dict[str, object] = {"q": Q, "label": label}
    got, plan = _run(engines[passing], fql, params)
    want = _oracle(duck, sql.format(d=D.replace("n.vector", "vector")), params)
    assert _rows(got) == _rows(want)
    assert not any("filter fragment #" in n and "(n.task_id)" in n for n in _applied(plan))


def test_nearest_join_would_differ_with_keys(env: Env) -> None:
    """The NEAREST-join oracle tells the readings apart: K nearest among the keyed rows
    (what passing keys into the search would give) is another answer."""
    _, duck = env
    params: dict[str, object] = {"q": Q, "label": "many"}
    d = D.replace("n.vector", "vector")
    whole = _oracle(duck, NEAREST_CASES[0][2].format(d=d), params)
    keyed = _oracle(duck, "SELECT p.id AS pick, n.id FROM crm.picks p JOIN (SELECT *, "
                    f"{d} AS _distance FROM docs.notes WHERE vector IS NOT NULL AND task_id "
                    "IN (SELECT task_id FROM crm.picks WHERE label = $label) ORDER BY "
                    "_distance, pos LIMIT 200) n ON n.task_id = p.task_id "
                    "WHERE p.label = $label", params)
    assert _rows(whole) != _rows(keyed)


# ---- the graph as the key leg (Kuzu → LanceDB), on the three-engine domain data
@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[dict[Any, fed.Engine], duckdb.DuckDBPyConnection,
                              dict[str, list[float]]]]:
    tables, duck, vectors = oracle()
    root = tmp_path_factory.mktemp("graph_topk_three")
    write_sqlite(tables, root / "crm.db")
    write_kuzu(tables, root / "graph.kuzu")
    write_lancedb(tables, root / "lance")
    engines = _engines(root, "graph", lambda: fed.Kuzu(str(root / "graph.kuzu")))
    yield engines, duck, vectors
    for eng in engines.values():
        eng.close()
    duck.close()


GRAPH = "MATCH graph (x:Agent {id: $agent})-[:ASSIGNED_TO]->(t:Task)"
GRAPH_SQL = ("graph.Agent x JOIN graph.ASSIGNED_TO r ON r.src = x.id "
             "JOIN graph.Task t ON t.id = r.dst")


@pytest.mark.parametrize("passing", [0, None], ids=["keys", "no_keys"])
@pytest.mark.parametrize("agent", [13, 42, 7, -1])
def test_graph_keys_into_lancedb(three: Any, agent: int, passing: int | None) -> None:
    engines, duck, vectors = three
    qq = q3("graph_topk", "SELECT t.id AS task, k.id, distance(k.vector, $q) AS d "
            f"FROM {GRAPH} JOIN docs.knowledge AS k ON k.task_id = t.id "
            "ORDER BY d, k.id LIMIT 10",
            "SELECT t.id AS task, k.id, (array_distance(k.vector, $q::FLOAT[32]) ** 2) AS d "
            f"FROM {GRAPH_SQL} JOIN docs.knowledge AS k ON k.task_id = t.id "
            "WHERE x.id = $agent ORDER BY d, k.id LIMIT 10",
            {"q": Q_NEAR, "agent": agent}, ordered=True)
    res = engines[passing].query(qq.fql, resolve(qq.params, vectors))
    want = run_oracle(duck, qq, vectors)
    assert [(r["task"], r["id"]) for r in res.to_pylist()] == \
        [(r["task"], r["id"]) for r in want.to_pylist()]
    np.testing.assert_allclose(res.arrow().column("d").to_numpy(),
                               want.column("d").to_numpy(), rtol=1e-5)
    docs = next(f for f in res.plan.fragments if f.source == "docs")
    if passing == 0:
        assert _applied(res.plan) and docs.rows < 100  # a handful of tasks' notes
    else:
        assert not _applied(res.plan) and docs.rows == 2000
