"""Fragments of streaming sources enter DuckDB as record-batch readers: same rows, counted and
timed, and a source error raised while DuckDB pulls keeps its type."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

import federation as fed
from federation.streams import FragmentStream
from planner.expressions import ColumnRef
from tests.items_groups import items_and_groups

ROWS = 50_000


@pytest.fixture()
def eng(tmp_path: Path) -> fed.Engine:
    return items_and_groups(tmp_path, ROWS, 7, score=True)


# join-free: a stream joined with anything is materialised (see federation.executor._joins)
QUERY = """SELECT i.grp, count(*) AS n, sum(i.score) AS total FROM docs.items AS i
           WHERE i.id >= $lo GROUP BY i.grp"""
JOINED = """SELECT g.name, count(*) AS n FROM docs.items AS i JOIN crm.grp AS g ON g.id = i.grp
            GROUP BY g.name"""


def test_streamed_and_materialised_legs_agree(eng: fed.Engine) -> None:
    streamed = eng.query(QUERY, {"lo": 10})
    lance = eng.sources["docs"]
    assert lance.streams
    lance.streams = False  # type: ignore[misc]
    try:
        whole = eng.query(QUERY, {"lo": 10})
    finally:
        lance.streams = True  # type: ignore[misc]
    key = [("grp", "ascending")]
    assert streamed.arrow().sort_by(key) == whole.arrow().sort_by(key)
    rows = {f.source: f.rows for f in streamed.plan.fragments}
    assert rows["docs"] == ROWS - 10
    assert sum(r["n"] for r in streamed.to_pylist()) == ROWS - 10


def test_joined_streaming_legs_are_materialised(eng: fed.Engine) -> None:
    """DuckDB estimates a stream at one row and would build its hash table on it."""
    from federation import executor

    planned, _ = eng._plan(JOINED, None)
    assert planned.joins and executor._joins(planned.cut.stage)
    planned, _ = eng._plan(QUERY, {"lo": 1})
    assert not planned.joins
    assert sum(r["n"] for r in eng.query(JOINED).to_pylist()) == ROWS


def test_a_batch_that_does_not_fit_its_declared_type_is_a_source_error() -> None:
    from federation.sources.base import CompiledFragment

    declared = (ColumnRef("t", "d", pa.date32()),)
    compiled = CompiledFragment("docs", "lancedb", "t.scan()", (), declared)
    bad = pa.table({"t.d": pa.array(["not a date"])}).to_reader()
    stream = FragmentStream(bad, compiled)
    with pytest.raises(fed.SourceError, match="instead of"):
        stream.reader().read_all()
    assert isinstance(stream.error, fed.SourceError)


class _FailingMidStream(fed.LanceDB):
    """A real LanceDB source whose stream breaks after its first batch (as a lost file would)."""

    streams = True

    def execute_batches(self, compiled):  # type: ignore[no-untyped-def]
        first = self.execute(compiled)

        def batches():  # type: ignore[no-untyped-def]
            yield from first.to_batches()
            raise fed.SourceError("the file went away", source=self.name)

        return pa.RecordBatchReader.from_batches(first.schema, batches())


def test_an_error_while_duckdb_pulls_is_the_sources_own(eng: fed.Engine, tmp_path: Path) -> None:
    eng.detach("docs")
    eng.attach("docs", _FailingMidStream(tmp_path / "lance"))
    with pytest.raises(fed.SourceError, match="went away") as info:
        eng.query(QUERY, {"lo": 10})
    assert info.value.source == "docs"
