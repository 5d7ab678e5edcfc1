"""Two SQLite files of the same tables, ``crm`` and ``other``, attached to one engine with the
cache off: the pushed-subquery tests read one and check that the other stays apart."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import apsw
import duckdb

import federation as fed

# creates the tables and rows on a connection; its second argument is the text columns'
# collation clause (" COLLATE NOCASE" in the SQLite files, "" in DuckDB)
Create = Callable[[apsw.Connection | duckdb.DuckDBPyConnection, str], None]


@contextmanager
def twin_sqlite(folder: Path, create: Create, indexes: Sequence[str] = ()
                ) -> Iterator[fed.Engine]:
    """Both files made by ``create`` with NOCASE text (SQLite's own collation must not decide
    an answer) and the ``indexes`` statements."""
    for name in ("crm", "other"):
        con = apsw.Connection(str(folder / f"{name}.db"))
        create(con, " COLLATE NOCASE")
        for statement in indexes:
            con.execute(statement)
        con.close()
    with fed.connect(cache_bytes=0) as engine:
        engine.attach("crm", fed.SQLite(folder / "crm.db"))
        engine.attach("other", fed.SQLite(folder / "other.db"))
        yield engine


def twin_oracle(create: Create) -> duckdb.DuckDBPyConnection:
    """The same tables in one DuckDB database, DuckDB's own (binary) collation."""
    con = duckdb.connect()
    create(con, "")
    return con


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
