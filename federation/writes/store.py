"""What a writable source offers the write path: native operations built from checked rows,
run inside the store's own transaction, and the markers and versions recovery reads.

An ``Op`` is a store's native write with its bound values, kept whole so that recovery can run
it again (SQLite and Kuzu: redone from the journal when a commit was decided but the store's
own commit did not happen) or knows what to undo (LanceDB: its tables' starting versions).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Op:
    """One native write: ``text`` (SQL, Cypher, or a LanceDB call's name), its bound values
    (``payload``: parameters, rows of parameters, or an Arrow table) and the table written."""

    table: str
    text: str
    payload: object = None
    many: bool = False  # payload: parameter rows, or an Arrow table of them (executemany)

    def describe(self) -> str:
        return self.text


class StoreWriter(ABC):
    """A source's write path. ``redo`` stores (SQLite, Kuzu) hold one open local transaction
    per cross-store transaction and carry a marker row of it into their own commit; the
    other kind (LanceDB) commits every op at once and is undone by restoring versions."""

    redo: bool = True

    def __init__(self, name: str, kind: str, path: str) -> None:
        self.name = name
        self.kind = kind
        self.path = path

    def open(self) -> None:
        """Open the store for writing now (the engine calls it while no query runs on the
        source: opening may close the source's read connections); most open lazily."""
        return None

    @abstractmethod
    def table_names(self) -> list[str]:
        """The tables a write may target (the source's catalog)."""

    @abstractmethod
    def columns(self, table: str) -> dict[str, pa.DataType]:
        """The columns a row of ``table`` may give, typed (a rel table: ``_from``/``_to``)."""

    @abstractmethod
    def keys(self, table: str) -> tuple[str, ...]:
        """Columns that identify a row, for updates and deletes by key."""

    def relation(self, source: str, table: str) -> str:
        """FQL text reading ``table``'s rows with its write columns (``keys``, ``columns``)
        as columns, for statements that select the rows they change."""
        return f"{fql_name(source)}.{fql_name(table)}"

    @abstractmethod
    def insert_ops(self, table: str, rows: pa.Table,
                   columns: Mapping[str, pa.DataType] | None = None) -> list[Op]:
        """Ops inserting ``rows`` (checked against ``columns``, the table's ``columns()`` as
        the caller just read them: not read again)."""

    @abstractmethod
    def update_ops(self, table: str, keys: tuple[str, ...], rows: pa.Table,
                   assigned: tuple[str, ...]) -> list[Op]:
        """Set ``assigned`` columns to ``rows``' values where ``keys`` match (``rows`` holds
        every column of the table for stores that rewrite whole rows)."""

    @abstractmethod
    def delete_ops(self, table: str, keys: tuple[str, ...], rows: pa.Table) -> list[Op]: ...

    @abstractmethod
    def run(self, op: Op) -> int:
        """Run ``op`` inside the open transaction (``begin`` first); rows affected."""

    def begin(self) -> None:
        """Open the local transaction (no-op for stores that commit each op)."""
        return None

    def mark(self, txn: str, forget: Sequence[str] = ()) -> None:
        """Record ``txn`` inside the open transaction, so it commits with the writes; delete
        the markers of ``forget`` (finished transactions no recovery reads) in it too."""
        return None

    def commit(self) -> None:
        return None

    def rollback(self) -> None:
        return None

    def has_mark(self, txn: str) -> bool:
        return False

    def version(self, table: str) -> int:
        raise NotImplementedError

    def restore(self, table: str, version: int) -> None:
        raise NotImplementedError

    def close(self) -> None:
        return None


def fql_name(name: str) -> str:
    """An identifier quoted for FQL."""
    return '"' + name.replace('"', '""') + '"'
