"""The three stores and the DuckDB oracle of the type suites, built once per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

import federation as fed
from tests.types import data


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[Any, duckdb.DuckDBPyConnection]]:
    root: Path = tmp_path_factory.mktemp("types")
    data.build_sqlite(root / "t.db")
    data.build_kuzu(root / "g.kuzu")
    data.build_lance(root / "lance")
    eng = fed.connect()
    eng.attach("sq", fed.SQLite(root / "t.db"))
    eng.attach("g", fed.Kuzu(root / "g.kuzu"))
    eng.attach("l", fed.LanceDB(root / "lance"))
    yield eng, data.oracle()
    eng.close()
