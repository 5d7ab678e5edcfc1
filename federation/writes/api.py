"""The engine's write entry points (``insert``, ``execute``, ``transaction``), mixed into
``Engine``: each write runs inside the open ``transaction()`` of its thread, or in a
transaction of its own (a statement is atomic on its own)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from federation.errors import ConfigurationError, TransactionError
from federation.writes.journal import Journal
from federation.writes.recovery import recover
from federation.writes.rows import conform, to_arrow
from federation.writes.store import StoreWriter
from federation.writes.transaction import Transaction
from planner.errors import BindError, did_you_mean

if TYPE_CHECKING:
    from federation.ops.gates import Gates, Holding
    from federation.sources.base import Source


class Writes:
    """Needs ``workspace``, ``sources`` and ``query`` of the engine it is mixed into."""

    workspace: Path | None
    _gates: Gates  # the engine's per-source slots (federation.ops.gates)

    @property
    def sources(self) -> Mapping[str, Source]:
        raise NotImplementedError

    def _writes_init(self) -> None:
        # in memory without a workspace, made on the first write (apsw loads then)
        self._journal_now: Journal | None = None
        if self.workspace is not None:
            self._journal_now = Journal(self.workspace)
            recover(self._journal_now)  # what a killed process left: completed or undone
        self._txn_lock = threading.RLock()  # one transaction at a time in this engine
        self._txn: Transaction | None = None
        self._txn_owner: int | None = None

    @property
    def _journal(self) -> Journal:
        if self._journal_now is None:
            self._journal_now = Journal(None)
        return self._journal_now

    def _writes_close(self) -> None:
        if self._journal_now is not None:
            self._journal_now.close()

    def _in_transaction(self) -> bool:
        """A transaction is open: reads bypass the result cache (uncommitted LanceDB rows
        are visible to every reader, and nothing read now may be served later)."""
        return self._txn is not None

    def _sole_use(self, source: str) -> Holding:
        """Every slot of ``source``: no query of this engine runs on it meanwhile."""
        return self._gates.holding((source,), exclusive=True)

    # ---- targets
    def _target(self, target: str) -> tuple[StoreWriter, str]:
        if not isinstance(target, str) or target.count(".") != 1:
            raise BindError(f"a write target is 'source.table', not {target!r}")
        name, table = target.split(".")
        attached = {n.lower(): n for n in self.sources}
        if name.lower() not in attached:
            raise BindError(f"unknown source {name!r}; " + did_you_mean(name, self.sources))
        source = self.sources[attached[name.lower()]]
        # a first write may reopen the store read-write (Kuzu closes every connection of the
        # path, which crashes a call running on one): no query of this engine runs on it then
        with self._sole_use(attached[name.lower()]):
            writer = source.writer()
            writer.open()
            tables = writer.table_names()
        found = table if table in tables else {t.lower(): t for t in tables}.get(table.lower())
        if found is None or found.lower().startswith("_fed"):
            raise BindError(f"unknown table {table!r} in source {name!r}; "
                            + did_you_mean(table, tables))
        return writer, found

    # ---- writes
    def insert(self, target: str, rows: Any) -> int:
        """Bulk insert (``source.table``): rows are checked against the table's schema first,
        then written through the store's fast path; returns the rows written."""
        writer, table = self._target(target)
        columns = writer.columns(table)
        checked = conform(to_arrow(rows, columns), target, columns)
        if checked.num_rows == 0:
            return 0
        with self._joined() as txn:
            return txn.write(writer, writer.insert_ops(table, checked, columns),
                             f"insert({target!r})")

    def execute(self, text: str, params: Mapping[str, object] | None = None) -> int:
        """Run one write statement (INSERT, UPDATE, DELETE); rows affected."""
        from federation.writes.statements import run_statement

        return run_statement(self, text, params)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Every write of this thread inside the block joins one transaction: committed on
        every store at the end, or rolled back on all of them on any error."""
        with self._txn_lock:
            if self._txn is not None:
                raise TransactionError("a transaction is already open in this engine "
                                       "(they do not nest)")
            txn = self._txn = Transaction(self._journal)
            self._txn_owner = threading.get_ident()
            try:
                try:
                    yield txn
                except BaseException:
                    txn.rollback()
                    raise
                txn.commit()
            finally:
                self._txn, self._txn_owner = None, None

    @contextmanager
    def _joined(self) -> Iterator[Transaction]:
        """The thread's open transaction, else a transaction of this statement alone."""
        if self._txn is not None and self._txn_owner == threading.get_ident():
            yield self._txn
            return
        if self._attached.closed:  # type: ignore[attr-defined]
            raise ConfigurationError("this engine is closed")
        with self.transaction() as txn:
            yield txn
