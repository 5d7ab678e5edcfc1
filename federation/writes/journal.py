"""The write journal: ``journal.sqlite`` in the workspace (apsw, synchronous=FULL), or in
memory without one.

Rows, per cross-store transaction ``txn``:

* ``lance``: a LanceDB table's version before the transaction's first write to it, written
  (durably) *before* that write; the transaction's row in ``txns`` is then ``active``.
* ``parts``: at the commit decision, in one journal transaction with ``txns.state =
  'commit'``: every SQLite and Kuzu store's native writes (pickled ``Op`` lists) — the
  decision record. Before it exists a crash means abort, after it commit.
* ``marks``: at the decision too, one row per SQLite/Kuzu store the transaction leaves its
  marker in. Recovery reads markers only of undone transactions, so once a later decision
  (synced) made a ``done`` durable its markers can go: the next cross-store commit on that
  store deletes them inside its own local transaction (``prunable``), and its ``finish`` drops
  their ``marks`` rows, then every ``done``/``aborted`` transaction left without one. The
  journal and the marker tables stay bounded (about ``PRUNE_AT`` rows per store).
* ``txns.state`` ends ``done`` or ``aborted``; its ``parts`` and ``lance`` rows are dropped.
"""

from __future__ import annotations

import pickle
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from federation.errors import ConfigurationError
from federation.writes.store import Op

FILE = "journal.sqlite"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS txns (id TEXT PRIMARY KEY, state TEXT NOT NULL, at REAL)",
    "CREATE TABLE IF NOT EXISTS parts (txn TEXT, source TEXT, kind TEXT, path TEXT, "
    "ops BLOB, PRIMARY KEY (txn, source))",
    "CREATE TABLE IF NOT EXISTS lance (txn TEXT, source TEXT, path TEXT, tbl TEXT, "
    "start INTEGER, PRIMARY KEY (txn, source, tbl))",
    # every store the engine ever held a transaction on (recovery looks at them all)
    "CREATE TABLE IF NOT EXISTS stores (kind TEXT, path TEXT, PRIMARY KEY (kind, path))",
    "CREATE TABLE IF NOT EXISTS marks (txn TEXT, kind TEXT, path TEXT, "
    "PRIMARY KEY (txn, kind, path))",
)
PRUNE_AT = 16  # finished transactions whose markers a store's next commit deletes at once


@dataclass(frozen=True)
class Part:
    source: str
    kind: str
    path: str
    ops: tuple[Op, ...] = ()


@dataclass(frozen=True)
class LanceStart:
    source: str
    path: str
    table: str
    start: int


@dataclass(frozen=True)
class Pending:
    txn: str
    state: str  # "active" (no decision: undo) or "commit" (decided: complete)
    parts: tuple[Part, ...]
    lance: tuple[LanceStart, ...]


class Journal:
    def __init__(self, folder: Path | None) -> None:
        import apsw

        self.durable = folder is not None
        self.path = str(folder / FILE) if folder is not None else ":memory:"
        self._lock = threading.Lock()
        self._stores: set[tuple[str, str]] = set()
        try:
            self._con: Any = apsw.Connection(self.path)
            self._con.set_busy_timeout(5000)
            self._con.execute("PRAGMA journal_mode = WAL")  # one fsync per journal commit
            self._con.execute("PRAGMA synchronous = FULL")
            for ddl in _SCHEMA:
                self._con.execute(ddl)
        except apsw.Error as err:
            raise ConfigurationError(f"cannot use the write journal {self.path!r}: "
                                     f"{err}") from err

    def _write(self, statements: list[tuple[str, tuple[object, ...]]],
               synced: bool = True) -> None:
        with self._lock:
            if not synced:
                self._con.execute("PRAGMA synchronous = NORMAL")
            try:
                with self._con:  # one journal transaction: all or nothing
                    for sql, values in statements:
                        self._con.execute(sql, values)
            finally:
                if not synced:
                    self._con.execute("PRAGMA synchronous = FULL")

    def register(self, kind: str, path: str) -> None:
        """A store about to hold an open transaction: recorded once (a killed process may
        leave it needing recovery of its own, e.g. a SQLite hot journal)."""
        if (kind, path) in self._stores:
            return
        self._write([("INSERT OR IGNORE INTO stores VALUES (?, ?)", (kind, path))])
        self._stores.add((kind, path))

    def stores(self) -> list[tuple[str, str]]:
        with self._lock:
            return [(str(k), str(p)) for k, p in
                    self._con.execute("SELECT kind, path FROM stores").fetchall()]

    def note_lance(self, txn: str, start: LanceStart) -> None:
        self._write([
            ("INSERT OR IGNORE INTO txns VALUES (?, 'active', ?)", (txn, time.time())),
            ("INSERT OR REPLACE INTO lance VALUES (?, ?, ?, ?, ?)",
             (txn, start.source, start.path, start.table, start.start))])

    def decide(self, txn: str, parts: list[Part]) -> None:
        """The commit decision, with every redo store's writes: durable when it returns (and
        with it every ``done`` written before: ``prunable`` relies on that)."""
        self._write([
            ("INSERT OR REPLACE INTO txns VALUES (?, 'commit', ?)", (txn, time.time())),
            *(("INSERT INTO parts VALUES (?, ?, ?, ?, ?)",
               (txn, p.source, p.kind, p.path, pickle.dumps(p.ops, protocol=5)))
              for p in parts),
            *(("INSERT OR IGNORE INTO marks VALUES (?, ?, ?)", (txn, p.kind, p.path))
              for p in parts)])

    def prunable(self, kind: str, path: str) -> tuple[str, ...]:
        """Finished transactions whose markers the store may delete inside the transaction
        about to be decided (the decision's sync makes their ``done`` durable before that
        store commits), once there are ``PRUNE_AT`` of them; else none."""
        with self._lock:
            found = self._con.execute(
                "SELECT m.txn FROM marks AS m JOIN txns AS t ON t.id = m.txn "
                "WHERE m.kind = ? AND m.path = ? AND t.state = 'done'",
                (kind, path)).fetchall()
        return tuple(str(t) for t, in found) if len(found) >= PRUNE_AT else ()

    def finish(self, txn: str, state: str,
               pruned: Mapping[tuple[str, str], Sequence[str]] | None = None) -> None:
        """Not synced: lost in a crash, recovery finds the stores' markers (nothing to redo)
        or restores versions already restored. ``pruned``: (kind, path) → transactions whose
        markers that store's commit deleted; finished transactions without markers go."""
        forgotten = [(t, kind, path) for (kind, path), txns in (pruned or {}).items()
                     for t in txns]
        self._write([("UPDATE txns SET state = ? WHERE id = ?", (state, txn)),
                     ("DELETE FROM parts WHERE txn = ?", (txn,)),
                     ("DELETE FROM lance WHERE txn = ?", (txn,)),
                     *(("DELETE FROM marks WHERE txn = ? AND kind = ? AND path = ?", row)
                       for row in forgotten),
                     ("DELETE FROM txns WHERE state IN ('done', 'aborted') AND NOT EXISTS "
                      "(SELECT 1 FROM marks WHERE marks.txn = txns.id)", ())],
                    synced=False)

    def sizes(self) -> dict[str, int]:
        """Rows per journal table (tests check that they stay bounded)."""
        counts = ("SELECT 'txns', count(*) FROM txns UNION ALL SELECT 'parts', count(*) "
                  "FROM parts UNION ALL SELECT 'lance', count(*) FROM lance UNION ALL "
                  "SELECT 'marks', count(*) FROM marks")
        with self._lock:
            return {str(name): int(n) for name, n in self._con.execute(counts).fetchall()}

    def pending(self) -> list[Pending]:
        with self._lock:
            txns = self._con.execute("SELECT id, state FROM txns WHERE state IN "
                                     "('active', 'commit') ORDER BY at").fetchall()
            found = []
            for txn, state in txns:
                parts = tuple(Part(s, k, p, tuple(pickle.loads(o))) for s, k, p, o in
                              self._con.execute("SELECT source, kind, path, ops FROM parts "
                                                "WHERE txn = ?", (txn,)).fetchall())
                lance = tuple(LanceStart(*row) for row in self._con.execute(
                    "SELECT source, path, tbl, start FROM lance WHERE txn = ?",
                    (txn,)).fetchall())
                found.append(Pending(txn, state, parts, lance))
        return found

    def states(self) -> dict[str, str]:
        """Every transaction's state (tests compare the stores against it)."""
        with self._lock:
            return dict(self._con.execute("SELECT id, state FROM txns").fetchall())

    def close(self) -> None:
        with self._lock:
            self._con.close()
