"""Equal fragments are read once (planner.shared_reads): EXPLAIN says which fragment's read
feeds which input, and near misses keep their own reads. The answers themselves are checked
by the corpus (queries_shared_reads) on every route."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from .check_corpus import run_oracle
from .compare import assert_same_result
from .queries_shared_reads import QUERIES

SHARED = "shared: cut from the read of fragment"
BY_ID = {qq.id: qq for qq in QUERIES}


@pytest.fixture(scope="module")
def engine(differential_data: tuple[Path, duckdb.DuckDBPyConnection]) -> Iterator[Any]:
    import federation as fed

    eng = fed.connect(cache_bytes=0)
    eng.attach("crm", fed.SQLite(str(differential_data[0])))
    yield eng
    eng.close()


# (NOT IN over the same table goes down whole into SQLite: one fragment, nothing to share)
@pytest.mark.parametrize("qid", ["shared_correlated_scalar_q2", "shared_union_all_projections",
                                 "shared_param_both_sides", "shared_correlated_avg_decimals"])
def test_equal_fragments_are_read_once(engine: Any, differential_data: Any, qid: str) -> None:
    qq = BY_ID[qid]
    plan = engine.explain(qq.text, qq.params, analyze=True)
    assert SHARED in str(plan)
    ran = [f for f in plan.fragments if f.shared_from is None]
    assert len(ran) < len(plan.fragments)
    assert all(f.rows is not None for f in plan.fragments)
    assert_same_result(engine.query(qq.text, qq.params).arrow(),
                       run_oracle(differential_data[1], qq), ordered=qq.ordered)


@pytest.mark.parametrize("qid", ["shared_miss_other_filter", "shared_miss_literal_types",
                                 "shared_miss_pushed_limit"])
def test_different_fragments_keep_their_reads(engine: Any, qid: str) -> None:
    qq = BY_ID[qid]
    assert SHARED not in str(engine.explain(qq.text, qq.params))


def test_a_self_join_joined_in_duckdb_reads_its_table_once(engine: Any) -> None:
    qq = BY_ID["shared_self_join_nulls"]
    assert SHARED in str(engine.explain(qq.text, route="joins in DuckDB"))
    assert SHARED not in str(engine.explain(qq.text, route="joins in crm"))
