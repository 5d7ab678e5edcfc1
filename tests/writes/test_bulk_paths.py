"""The bulk paths' shortcuts keep their guarantees: SQLite rows converted lazily in chunks
(also when kept for the journal's redo), LanceDB targets and columns read without the
catalog yet never stale (a table or column made by another client is seen at once)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import lancedb
import pyarrow as pa
import pytest

import federation as fed
from federation.writes import sqlite_writer, transaction
from federation.writes.sqlite_writer import parameter_rows, parameter_stream
from tests.writes.stores import TARGETS, ids, lance_rows


def test_parameter_stream_is_parameter_rows_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_writer, "STREAM_ROWS", 2)
    table = pa.table({"i": [1, None, 3, 4, 5], "b": [True, False, None, True, True],
                      "d": [dt.date(2026, 1, i) for i in range(1, 6)],
                      "m": pa.array([Decimal("1.5")] * 5, pa.decimal128(4, 1))})
    streamed = list(parameter_stream(table))
    assert streamed == parameter_rows(table)
    assert streamed[1] == (None, 0, "2026-01-02", 1.5)
    assert list(parameter_stream(pa.table({"x": [1, 2]}).drop_columns(["x"]))) == [(), ()]


def test_streamed_rows_are_redone_from_the_journal(eng: fed.Engine, base: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's commit fails past the decision: the rows kept for redo (an Arrow table,
    streamed again in chunks) are written once, with every row."""
    monkeypatch.setattr(sqlite_writer, "STREAM_ROWS", 3)
    rows = pa.table({"id": pa.array(range(base, base + 10), pa.int64()),
                     "name": [None, *"abcdefghi"], "n": list(range(10))})
    failed = []

    def fail_once(step: str) -> None:
        if step == "commit:s" and not failed:
            failed.append(step)
            raise OSError("disk went away")
    monkeypatch.setattr(transaction, "FAULT", fail_once)
    with eng.transaction():
        eng.insert(TARGETS["sqlite"], rows)
        eng.insert(TARGETS["lancedb"], lance_rows([base]))
    assert failed
    found = eng.query("SELECT t.id, t.name FROM s.items AS t WHERE t.id >= $lo ORDER BY t.id",
                      {"lo": base}).to_pylist()
    assert found == [{"id": base + i, "name": rows["name"][i].as_py()} for i in range(10)]


def test_lance_tables_and_columns_made_by_another_client_are_seen(
        eng: fed.Engine, root: Path, base: int) -> None:
    assert eng.insert(TARGETS["lancedb"], lance_rows([base])) == 1  # names and schema read
    client = lancedb.connect(str(root / "lance"))
    client.create_table("extra", data=pa.table({"id": pa.array([1], pa.int64())}))
    assert eng.insert("v.extra", [{"id": base}]) == 1
    client.open_table("extra").add_columns({"label": "CAST(NULL AS STRING)"})
    assert eng.insert("v.extra", [{"id": base + 1, "label": "new"}]) == 1
    assert eng.query("SELECT e.label FROM v.extra AS e WHERE e.id = $i",
                     {"i": base + 1}).to_pylist() == [{"label": "new"}]
    client.drop_table("extra")
    with pytest.raises(fed.BindError, match="unknown table 'extra'"):
        eng.insert("v.extra", [{"id": base + 2}])
    assert base in ids(eng, TARGETS["lancedb"])
