"""The differential data, shared by the corpus tests and the every-route tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import apsw
import duckdb
import pytest

from . import dataset


@pytest.fixture(scope="session")
def differential_data(tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[tuple[Path, duckdb.DuckDBPyConnection]]:
    """(SQLite path, DuckDB oracle connection), built once per session."""
    path = tmp_path_factory.mktemp("differential") / "crm.db"
    duck = dataset.build(path)
    yield path, duck
    duck.close()


@pytest.fixture(scope="session")
def oracle(differential_data: tuple[Path, duckdb.DuckDBPyConnection]
           ) -> duckdb.DuckDBPyConnection:
    return differential_data[1]


INDEXED = [("agents", "id"), ("tasks", "agent_id"), ("tasks", "id"), ("orders", "o_orderkey"),
           ("orders", "o_custkey"), ("lineitem", "l_orderkey"), ("lineitem", "l_partkey"),
           ("customer", "c_custkey"), ("part", "p_partkey"), ("supplier", "s_suppkey"),
           ("nation", "n_nationkey"), ("region", "r_regionkey")]


@pytest.fixture(scope="session")
def indexed_file(differential_data: tuple[Path, duckdb.DuckDBPyConnection]) -> Path:
    """A copy of the file with an index on every key column (SQLite receives passed keys
    only on an indexed column); engines open it read-only, so one copy serves them all."""
    path = differential_data[0].with_name("crm_indexed.db")
    shutil.copyfile(differential_data[0], path)
    con = apsw.Connection(str(path))
    for table, column in INDEXED:
        con.execute(f'CREATE INDEX "i_{table}_{column}" ON "{table}" ("{column}")')
    con.close()
    return path
