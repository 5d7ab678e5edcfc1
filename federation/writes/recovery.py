"""Finishing what a killed process left in the journal, on the next ``connect`` of its
workspace (before any source is attached: the journal names each store's kind and path).

* decided (``commit``): every SQLite and Kuzu store whose marker of the transaction is
  missing runs the journal's writes again, with the marker, in one local transaction (its own
  commit never happened: the crash discarded its open transaction); LanceDB's writes all
  happened before the decision and stay.
* undecided (``active``): SQLite and Kuzu discarded their open transactions; every LanceDB
  table written is restored to the version it started from.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from federation.sources.base import Source
from federation.writes.journal import Journal, Part, Pending
from federation.writes.sqlite_writer import rolled_back
from federation.writes.store import StoreWriter


def source_for(kind: str, path: str) -> Source:
    if kind == "sqlite":
        from federation.sources.sqlite import SQLite

        return SQLite(path)
    if kind == "kuzu":
        from federation.sources.kuzu import Kuzu

        return Kuzu(path)
    from federation.sources.lancedb import LanceDB

    return LanceDB(path)


@contextmanager
def opened(kind: str, path: str, name: str) -> Iterator[StoreWriter]:
    source = source_for(kind, path)
    try:
        source.open(name)
        yield source.writer()
    finally:
        source.close()


def complete(writer: StoreWriter, txn: str, part: Part) -> None:
    """``part``'s writes and marker in one local transaction, unless the marker is there."""
    if writer.has_mark(txn):
        return
    writer.begin()
    try:
        for op in part.ops:
            writer.run(op)
        writer.mark(txn)
        writer.commit()
    except BaseException:
        writer.rollback()
        raise


def resolve(pending: Pending) -> str:
    """Complete or undo one transaction; its final state."""
    if pending.state == "commit":
        for part in pending.parts:
            with opened(part.kind, part.path, part.source) as writer:
                complete(writer, pending.txn, part)
        return "done"
    for start in pending.lance:
        with opened("lancedb", start.path, start.source) as writer:
            if start.table in writer._source.info().tables:  # type: ignore[attr-defined]
                writer.restore(start.table, start.start)
    return "aborted"


def recover(journal: Journal) -> int:
    """Resolve every transaction a killed process left; how many there were. First, SQLite
    files the engine wrote that a killed writer left with a hot journal are rolled back
    (the engine's readers are read-only and could not open them)."""
    for kind, path in journal.stores():
        if kind == "sqlite" and os.path.exists(f"{path}-journal"):
            rolled_back(path, path)
    pending = journal.pending()
    for txn in pending:
        journal.finish(txn.txn, resolve(txn))
    return len(pending)
