"""The differential data, shared by the corpus tests and the every-route tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
