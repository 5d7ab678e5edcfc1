"""Every row of docs/types.md, run: each store type is created in its store, read through the
engine, and the Arrow type of the answer (what DuckDB hands back) is the one documented."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import federation as fed

KUZU = {  # Kuzu property type → Arrow type of the answer
    "INT8": pa.int64(), "INT16": pa.int64(), "INT32": pa.int64(), "INT64": pa.int64(),
    "SERIAL": pa.int64(), "UINT8": pa.int64(), "UINT16": pa.int64(), "UINT32": pa.int64(),
    "UINT64": pa.uint64(), "INT128": pa.decimal128(38, 0), "FLOAT": pa.float32(),
    "DOUBLE": pa.float64(), "DECIMAL(18,3)": pa.decimal128(18, 3),
    "DECIMAL(38,10)": pa.decimal128(38, 10), "BOOL": pa.bool_(), "STRING": pa.string(),
    "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us"), "TIMESTAMP_NS": pa.timestamp("ns"),
    "TIMESTAMP_MS": pa.timestamp("ms"), "TIMESTAMP_SEC": pa.timestamp("s"),
    "TIMESTAMP_TZ": pa.timestamp("us", tz="Etc/UTC"), "BLOB": pa.binary(),
    "INTERVAL": pa.string(), "UUID": pa.string(), "STRUCT(a INT64, b STRING)": pa.string(),
    "MAP(STRING, INT64)": pa.string(), "FLOAT[3]": pa.list_(pa.float32()),
}
SQLITE = {  # declared column type → Arrow type of the answer
    "INTEGER": pa.int64(), "BIGINT": pa.int64(), "TINYINT": pa.int64(), "CHARINT": pa.int64(),
    "REAL": pa.float64(), "DOUBLE": pa.float64(), "FLOAT": pa.float64(),
    "NUMERIC": pa.float64(), "DECIMAL(10,2)": pa.float64(), "BOOLEAN": pa.bool_(),
    "TEXT": pa.string(), "VARCHAR(20)": pa.string(), "CLOB": pa.string(), "JSON": pa.string(),
    "UUID": pa.string(), "": pa.string(), "BLOB": pa.binary(), "DATE": pa.date32(),
    "DATETIME": pa.timestamp("us"), "TIMESTAMP": pa.timestamp("us"),
}
LANCE = {  # Arrow type stored in Lance → Arrow type of the answer
    "int8": (pa.int8(), pa.int8()), "uint64": (pa.uint64(), pa.uint64()),
    "float32": (pa.float32(), pa.float32()), "decimal128": (pa.decimal128(10, 2),) * 2,
    "large_string": (pa.large_string(), pa.string()), "binary": (pa.binary(), pa.binary()),
    "date32": (pa.date32(), pa.date32()), "timestamp_ns": (pa.timestamp("ns"),) * 2,
    "timestamp_tz": (pa.timestamp("us", tz="UTC"), pa.timestamp("us", tz="Etc/UTC")),
    "list": (pa.list_(pa.int64()),) * 2, "vector": (pa.list_(pa.float32(), 2),) * 2,
    "struct": (pa.struct([("a", pa.int64())]),) * 2,
}
LANCE_REFUSED = {"float16": pa.float16(), "decimal256": pa.decimal256(40, 2)}


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    import kuzu
    import lancedb

    root: Path = tmp_path_factory.mktemp("mapping")
    db = kuzu.Database(str(root / "g.kuzu"))
    con = kuzu.Connection(db)
    for k, declared in enumerate(KUZU):
        con.execute(f"CREATE NODE TABLE K{k}(id INT64, v {declared}, PRIMARY KEY(id))")
        con.execute(f"CREATE (:K{k} {{id: 1}})")
    con.close()
    db.close()
    lite = sqlite3.connect(root / "s.db")
    for k, declared in enumerate(SQLITE):
        lite.execute(f"CREATE TABLE s{k}(id INTEGER PRIMARY KEY, v {declared})")
        lite.execute(f"INSERT INTO s{k} VALUES (1, NULL)")
    lite.commit()
    lite.close()
    ldb = lancedb.connect(str(root / "l"))
    stored = {name: types[0] for name, types in LANCE.items()} | LANCE_REFUSED
    for name, arrow in stored.items():
        ldb.create_table(name, pa.table({"id": pa.array([1], pa.int64()),
                                         "v": pa.array([None], arrow)}))
    with fed.connect() as engine:
        engine.attach("g", fed.Kuzu(root / "g.kuzu"))
        engine.attach("s", fed.SQLite(root / "s.db"))
        engine.attach("l", fed.LanceDB(root / "l"))
        yield engine


def _answer_type(eng: Any, table: str) -> pa.DataType:
    return eng.query(f"SELECT x.v FROM {table} AS x").arrow().schema.field("v").type


@pytest.mark.parametrize("declared", list(KUZU))
def test_kuzu(eng: Any, declared: str) -> None:
    assert _answer_type(eng, f"g.K{list(KUZU).index(declared)}") == KUZU[declared]


@pytest.mark.parametrize("declared", list(SQLITE))
def test_sqlite(eng: Any, declared: str) -> None:
    assert _answer_type(eng, f"s.s{list(SQLITE).index(declared)}") == SQLITE[declared]


@pytest.mark.parametrize("name", list(LANCE))
def test_lance(eng: Any, name: str) -> None:
    assert _answer_type(eng, f"l.{name}") == LANCE[name][1]


@pytest.mark.parametrize("name", list(LANCE_REFUSED))
def test_lance_types_duckdb_cannot_read_are_refused_with_a_federation_error(
        eng: Any, name: str) -> None:
    with pytest.raises(fed.FederationError):
        _answer_type(eng, f"l.{name}")
