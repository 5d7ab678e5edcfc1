"""The DuckDB stage's inputs live only as long as the query's cursor: after the query, and
after a failed one, no later query sees them and their Arrow memory is released."""

from __future__ import annotations

import gc

import pyarrow as pa
import pytest

from federation.errors import FederationError, SourceError
from federation.join_stage import JoinStage


@pytest.mark.parametrize("sql", [
    "SELECT sum(a) AS s FROM _fed_input_0",
    "SELECT no_such_column FROM _fed_input_0",
])
def test_inputs_are_gone_after_the_query(sql: str) -> None:
    stage = JoinStage(memory_limit="256MB", threads=1)
    try:
        baseline = pa.total_allocated_bytes()
        table = pa.table({"a": pa.array(range(1_000_000), pa.int64())})
        assert pa.total_allocated_bytes() >= baseline + 8_000_000
        rows = -1
        try:  # not inside an assert: pytest's rewriting would keep the inputs in a temporary
            rows = stage.run(sql, [], {JoinStage.input_name(0): table}).num_rows
        except FederationError:
            assert "no_such_column" in sql
        assert rows == (-1 if "no_such_column" in sql else 1)
        del table
        gc.collect()
        # other tests' leftovers may be freed meanwhile: the 8 MB table must be gone
        assert pa.total_allocated_bytes() < baseline + 1_000_000
        with pytest.raises(SourceError, match="_fed_input_0 does not exist"):
            stage.run("SELECT count(*) FROM _fed_input_0", [], {})
    finally:
        stage.close()
