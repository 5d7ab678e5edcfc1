"""One cross-store transaction: the commit protocol (see docs/writes.md).

While it runs, every SQLite and Kuzu store written holds one open local transaction and the
native writes are kept; LanceDB commits each write at once, its table's starting version
written to the journal first. ``commit``:

1. ``mark:<source>`` — each SQLite/Kuzu store writes the transaction's marker inside its
   open transaction;
2. ``decide`` — the journal stores the decision with every SQLite/Kuzu write (durable);
3. ``commit:<source>`` — each SQLite/Kuzu store commits;
4. ``finish`` — the journal marks it done (and forgets the markers step 1 deleted: see
   ``journal``).

An error before the decision rolls everything back (LanceDB restored to its starting
versions) and raises ``TransactionError``; past it the transaction is committed: a store whose
commit failed is completed from the journal (now, or by the next ``connect``). A transaction
that wrote one SQLite or Kuzu store and no LanceDB table commits locally, without the
journal (the store's own commit is atomic).

``FAULT`` is a test hook: called with each step's name, it may raise to inject a failure.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from federation.errors import TransactionError
from federation.writes.journal import Journal, LanceStart, Part
from federation.writes.recovery import complete
from federation.writes.store import Op, StoreWriter

FAULT: Callable[[str], None] | None = None


def step(name: str) -> None:
    if FAULT is not None:
        FAULT(name)


class Transaction:
    def __init__(self, journal: Journal) -> None:
        self.id = uuid.uuid4().hex
        self.journal = journal
        self.state = "open"
        self._writers: dict[str, StoreWriter] = {}
        self._ops: dict[str, list[Op]] = {}
        self._lance: dict[tuple[str, str], int] = {}
        self._forget: dict[str, tuple[str, ...]] = {}  # source → markers its commit deletes
        self.written: set[str] = set()  # sources written (their cache tokens move)

    def write(self, writer: StoreWriter, ops: list[Op], statement: str) -> int:
        """Run ``ops`` on ``writer``'s store inside this transaction; rows affected. A failure
        rolls the whole transaction back and raises ``TransactionError``."""
        if self.state != "open":
            raise TransactionError(f"the transaction is {self.state}: no more writes",
                                   statement=statement)
        try:
            step(f"write:{writer.name}")
            self._join(writer)
            rows = 0
            for op in ops:
                self._remember_start(writer, op)
                rows += writer.run(op)
                if writer.redo:
                    self._ops[writer.name].append(op)
            return rows
        except Exception as err:
            self._rollback_after(err)
            raise TransactionError(f"{err} (the transaction was rolled back)",
                                   source=writer.name, statement=statement) from err

    def _join(self, writer: StoreWriter) -> None:
        if writer.name in self._writers:
            return
        if writer.redo:
            self.journal.register(writer.kind, writer.path)
            writer.begin()
        self._writers[writer.name] = writer
        self._ops[writer.name] = []
        self.written.add(writer.name)

    def _remember_start(self, writer: StoreWriter, op: Op) -> None:
        if writer.redo or (writer.name, op.table) in self._lance:
            return
        start = writer.version(op.table)
        self.journal.note_lance(self.id, LanceStart(writer.name, writer.path, op.table, start))
        self._lance[(writer.name, op.table)] = start

    # ---- end
    def commit(self) -> None:
        redo = [w for w in self._writers.values() if w.redo]
        if len(redo) == 1 and not self._lance:
            self._local_commit(redo[0])
        elif redo:
            self._decide(redo)
            self._complete(redo)
        elif self._lance:
            step("finish")
            self.journal.finish(self.id, "done")
        self.state = "committed"

    def _local_commit(self, writer: StoreWriter) -> None:
        try:
            step(f"commit:{writer.name}")
            writer.commit()
        except Exception as err:
            self._rollback_after(err)
            raise TransactionError(f"commit failed, rolled back: {err}",
                                   source=writer.name) from err

    def _decide(self, redo: list[StoreWriter]) -> None:
        failing = ""
        try:
            for writer in redo:
                failing = writer.name
                step(f"mark:{writer.name}")
                self._forget[writer.name] = self.journal.prunable(writer.kind, writer.path)
                writer.mark(self.id, self._forget[writer.name])
            failing = "(journal)"
            step("decide")
            self.journal.decide(self.id, [Part(w.name, w.kind, w.path, tuple(self._ops[w.name]))
                                          for w in redo])
        except Exception as err:
            self._rollback_after(err)
            raise TransactionError(f"commit failed before its decision, rolled back on every "
                                   f"source: {err}", source=failing) from err

    def _complete(self, redo: list[StoreWriter]) -> None:
        """Past the decision: every store commits, or is completed from the journal."""
        failed: list[tuple[StoreWriter, Exception]] = []
        pruned: dict[tuple[str, str], tuple[str, ...]] = {}
        for writer in redo:
            try:
                step(f"commit:{writer.name}")
                writer.commit()
                pruned[(writer.kind, writer.path)] = self._forget.get(writer.name, ())
            except Exception as err:
                failed.append((writer, err))
        for writer, _ in failed:
            try:
                writer.rollback()  # what is left of its open transaction, if anything
                complete(writer, self.id, Part(writer.name, writer.kind, writer.path,
                                               tuple(self._ops[writer.name])))
            except Exception as err:
                self.state = "committed (pending recovery)"
                raise TransactionError(
                    f"committed, but this store's commit failed twice ({err}); it is completed "
                    "from the journal on the next connect of the workspace",
                    source=writer.name) from err
        try:
            step("finish")
            self.journal.finish(self.id, "done", pruned)
        except Exception:
            pass  # decided and applied everywhere: recovery finds every marker, redoes nothing

    def rollback(self) -> None:
        """Discard every store's writes: SQLite/Kuzu roll back, LanceDB tables go back to their
        starting versions; an error doing so leaves the journal to the next connect."""
        if self.state != "open":
            return
        self.state = "rolled back"
        errors: list[Exception] = []
        for writer in self._writers.values():
            try:
                if writer.redo:
                    writer.rollback()
            except Exception as err:
                errors.append(err)
        for (name, table), start in self._lance.items():
            try:
                self._writers[name].restore(table, start)
            except Exception as err:
                errors.append(err)
        if errors:
            raise errors[0]
        if self._lance:
            self.journal.finish(self.id, "aborted")

    def _rollback_after(self, cause: Exception) -> None:
        try:
            self.rollback()
        except Exception as err:
            raise TransactionError(f"{cause}; rolling back failed too ({err}): the next "
                                   "connect of the workspace finishes it") from err
