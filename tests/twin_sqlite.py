"""Two SQLite files of the same tables, ``crm`` and ``other``, attached to one engine with the
cache off: the pushed-subquery tests read one and check that the other stays apart."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import apsw
import duckdb

import federation as fed


@contextmanager
def twin_sqlite(folder: Path, build: Callable[[apsw.Connection], None]) -> Iterator[fed.Engine]:
    for name in ("crm", "other"):
        con = apsw.Connection(str(folder / f"{name}.db"))
        build(con)
        con.close()
    with fed.connect(cache_bytes=0) as engine:
        engine.attach("crm", fed.SQLite(folder / "crm.db"))
        engine.attach("other", fed.SQLite(folder / "other.db"))
        yield engine


def oracle_ids(oracle: duckdb.DuckDBPyConnection, text: str,
               params: Mapping[str, object] | None = None) -> list[int]:
    """The ids DuckDB answers for ``text`` over the same tables (both files are one there;
    values spliced in, as the oracle's own literals)."""
    duck = text.replace("crm.", "").replace("other.", "")
    for name, value in (params or {}).items():
        duck = duck.replace(f"${name}", str(value))
    return sorted(r[0] for r in oracle.sql(duck).fetchall())


def assert_ids(eng: fed.Engine, oracle: duckdb.DuckDBPyConnection, text: str,
               fragments: int, params: Mapping[str, object] | None = None) -> None:
    """``text`` runs as ``fragments`` fragments and answers DuckDB's ids."""
    result = eng.query(text, params)
    assert len(result.plan.fragments) == fragments, result.plan
    assert sorted(r["id"] for r in result.to_pylist()) == oracle_ids(oracle, text, params)
