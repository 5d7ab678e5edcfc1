"""NEAREST prefilters against the DuckDB oracle: where a condition on the alias is a prefilter
(WHERE, inner-join ON, LEFT JOIN ON on the null-supplying side) and where it is not (the
preserved side of a LEFT JOIN, derived tables), and prefilters LanceDB cannot evaluate, which
must still give the exact top-K (``planner.prefilters``)."""

from __future__ import annotations

from collections.abc import Iterator

import lancedb
import numpy as np
import pyarrow as pa
import pytest

import federation as fed
from federation.domain import write_kuzu, write_lancedb, write_sqlite

from .compare3 import diff_results
from .data import oracle, resolve, run_oracle
from .queries_prefilter import PLACEMENTS, RESIDUAL
from .record import Q3
from .test_three import Env, _check, _engine


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    tables, duck, vectors = oracle()
    root = tmp_path_factory.mktemp("prefilters")
    write_sqlite(tables, root / "crm.db")
    write_kuzu(tables, root / "graph.kuzu")
    write_lancedb(tables, root / "lance")
    eng = _engine(root)
    yield eng, duck, vectors
    eng.close()
    duck.close()


@pytest.mark.parametrize("qq", [p.query for p in PLACEMENTS], ids=lambda q: q.id)
def test_prefilter_placement(env: Env, qq: Q3) -> None:
    _check(env, qq)


@pytest.mark.parametrize("placement", PLACEMENTS, ids=lambda p: p.query.id)
def test_placement_queries_tell_the_readings_apart(env: Env, placement: object) -> None:
    """The other reading of each placement query gives another answer, so the differential
    test above fails if the engine takes the wrong one."""
    _, duck, vectors = env
    qq = placement.query  # type: ignore[attr-defined]
    right = run_oracle(duck, qq, vectors)
    wrong = run_oracle(duck, qq, vectors, placement.wrong)  # type: ignore[attr-defined]
    assert diff_results(wrong, right, ordered=False) is not None


@pytest.mark.parametrize("qq", RESIDUAL, ids=lambda q: q.id)
def test_residual_prefilter_is_exact(env: Env, qq: Q3) -> None:
    _check(env, qq)


def test_residual_prefilter_differs_from_a_postfilter(env: Env) -> None:
    """Filtering the top-K afterwards would give fewer rows: the corpus would catch it."""
    _, duck, vectors = env
    qq = next(q for q in RESIDUAL if q.id == "rf_lower")
    post = ("SELECT k.id, k.kind, k._distance FROM (SELECT *, (array_distance(vector, "
            "$q::FLOAT[32]) ** 2) AS _distance FROM docs.knowledge ORDER BY _distance, id "
            "LIMIT 10) AS k WHERE lower(k.kind) = 'log' ORDER BY k._distance")
    assert run_oracle(duck, qq, vectors, post).num_rows < run_oracle(duck, qq, vectors).num_rows


def test_residual_prefilter_explain_says_what_runs_where(env: Env) -> None:
    eng, _, vectors = env
    qq = next(q for q in RESIDUAL if q.id == "rf_mixed_pushable")
    text = str(eng.explain(qq.fql, resolve(qq.params, vectors)))
    assert "k=every row, exact, with _rowid; the top-K is finished in DuckDB)" \
        ".where(\"(`created` >= DATE '2021-01-01') AND (`kind` = 'note')\", prefilter=True)" \
        in text
    assert "Limit 8 offset 0\n        Sort k._distance, k._rowid\n" \
        "          Filter ((k.task_id % 3) = 0)\n            Fragment #0 <- docs:" in text


# ---- ties: the exact search orders equal distances by row id; the DuckDB finish must too
@pytest.fixture(scope="module")
def tied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[fed.Engine]:
    """A table where most distances tie: vectors of 0/1/2 in 4 dimensions, three files."""
    rng = np.random.default_rng(5)
    n = 3000
    vectors = rng.integers(0, 3, (n, 4)).astype(np.float32)
    table = pa.table({
        "id": rng.permutation(n).astype(np.int64),
        "kind": pa.array(["a", "b", "c"] * (n // 3)),
        "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), 4),
    })
    path = tmp_path_factory.mktemp("ties") / "lance"
    db = lancedb.connect(str(path))
    db.create_table("t", data=table.slice(0, 1000))
    db.open_table("t").add(table.slice(1000, 1000))
    db.open_table("t").add(table.slice(2000))
    with fed.connect() as eng:
        eng.attach("v", fed.LanceDB(str(path)))
        yield eng


@pytest.mark.parametrize("k", [1, 7, 100, 999, 1000, 5000])
def test_residual_ties_break_as_the_exact_search(tied: fed.Engine, k: int) -> None:
    q = [1.0, 1.0, 1.0, 1.0]
    text = "SELECT n.id, n._distance FROM NEAREST v.t TO $q K {k} AS n WHERE {cond}"
    pushed = tied.query(text.format(k=k, cond="n.kind = 'a'"), params={"q": q})
    finished = tied.query(text.format(k=k, cond="lower(n.kind) = 'a'"), params={"q": q})
    assert "every row" not in str(pushed.plan) and "every row" in str(finished.plan)
    # the same rows: which of the tied rows make the cut is decided by row id in both
    assert _rows(finished.to_pylist()) == _rows(pushed.to_pylist())
    assert len(_rows(pushed.to_pylist())) == min(k, 1000)


def _rows(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return sorted(tuple(r.values()) for r in rows)  # type: ignore[type-var]


def test_residual_prefilter_matching_nothing(tied: fed.Engine) -> None:
    res = tied.query("SELECT n.id FROM NEAREST v.t TO $q K 5 AS n WHERE n.id % 1 = 1",
                     params={"q": [0.0, 0.0, 0.0, 0.0]})
    assert res.to_pylist() == []


def test_oracle_of_this_module_is_robust(env: Env) -> None:
    """No near-ties at a K boundary: the answers hold with float64 distances too."""
    from .check_oracle import float64_text

    _, duck, vectors = env
    for qq in [p.query for p in PLACEMENTS] + RESIDUAL:
        wide = float64_text(qq.oracle_sql)
        if wide != qq.oracle_sql:
            assert diff_results(run_oracle(duck, qq, vectors, wide),
                                run_oracle(duck, qq, vectors), ordered=qq.ordered) is None, qq.id
