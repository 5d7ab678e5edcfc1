"""Two SQLite files of the same tables, ``crm`` and ``other``, attached to one engine with the
cache off: the pushed-subquery tests read one and check that the other stays apart."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import apsw

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
