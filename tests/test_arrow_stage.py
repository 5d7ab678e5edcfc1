"""An Arrow-only stage returns the types DuckDB would: columns DuckDB hands back as another
type (``date64`` read back as ``date32``, a zoned timestamp in DuckDB's session time zone)
keep the DuckDB stage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

import federation as fed

lancedb = pytest.importorskip("lancedb")


def test_arrow_stage_types_match_duckdb(tmp_path: Path) -> None:
    table = pa.table({
        "id": pa.array([1, 2, 3], pa.int64()),
        "d64": pa.array([dt.date(2024, 2, 29), None, dt.date(1999, 12, 31)], pa.date64()),
        "tz": pa.array([dt.datetime(2024, 2, 29, 1, 2, 3, tzinfo=dt.UTC), None, None],
                       pa.timestamp("us", tz="UTC")),
    })
    lancedb.connect(str(tmp_path / "l")).create_table("t", data=table)
    with fed.connect() as eng:
        eng.attach("docs", fed.LanceDB(str(tmp_path / "l")))
        for col in ("d64", "tz"):
            arrow_only = eng.query(f"SELECT t.{col} AS v FROM docs.t AS t LIMIT 2")
            in_duckdb = eng.query(f"SELECT t.{col} AS v FROM docs.t AS t ORDER BY t.id LIMIT 2")
            assert arrow_only.arrow().schema == in_duckdb.arrow().schema, col
        assert "Arrow: select" in str(eng.explain("SELECT t.id FROM docs.t AS t"))
