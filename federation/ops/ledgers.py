"""Migration ledgers of SQLite and Kuzu (LanceDB's: ``federation.ops.migrate_lance``).

SQLite: a table ``_federation_migrations`` in the file, written on a read-write apsw
connection of the migration's own (the source reads through read-only ones). A migration runs
in one ``BEGIN IMMEDIATE`` transaction together with its ledger row and the schema digest,
read inside the same transaction from ``sqlite_schema``: it is applied entirely or not at all,
even across a crash. A script must therefore not open or end transactions itself.

Kuzu: a node table ``_FederationMigration``, written through the source's own ``write()``
(which reopens the path's shared Database read-write, ``kuzu_db.make_writable``). The script
and the ledger row run in one Kuzu transaction (DDL is transactional in Kuzu 0.11; a failing
statement rolls the whole transaction back). The schema digest is read from the catalog after
the commit and stored next: a crash between the two leaves the row without a digest, and the
next run takes the live schema for it (the one window where drift could pass unseen).
"""

from __future__ import annotations

import hashlib
import time
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from federation.errors import ConfigurationError, FederationError, SourceError
from federation.ops.migrations import ADOPTED, Applied, Migration
from federation.ops.retry import transient_retry
from planner.catalog import SourceInfo

if TYPE_CHECKING:
    from federation.sources.kuzu import Kuzu
    from federation.sources.sqlite import SQLite

SQLITE_LEDGER = "_federation_migrations"
_SQLITE_CREATE = ("CREATE TABLE IF NOT EXISTS _federation_migrations (version INTEGER PRIMARY "
                  "KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, schema TEXT NOT NULL, "
                  "applied_at TEXT NOT NULL)")
_SQLITE_APPLIED = ("SELECT version, name, checksum, schema FROM _federation_migrations "
                   "ORDER BY version")
_SQLITE_RECORD = "INSERT INTO _federation_migrations VALUES (?, ?, ?, ?, ?)"
_KUZU_CREATE = ("CREATE NODE TABLE IF NOT EXISTS _FederationMigration(version INT64, name "
                "STRING, checksum STRING, schema STRING, applied_at STRING, "
                "PRIMARY KEY (version))")
_KUZU_APPLIED = ("MATCH (m:_FederationMigration) RETURN m.version AS v, m.name AS n, "
                 "m.checksum AS c, m.schema AS s ORDER BY m.version")
_KUZU_RECORD = ("CREATE (:_FederationMigration {version: $v, name: $n, checksum: $c, "
                "schema: $s, applied_at: $t})")
_KUZU_SCHEMA = "MATCH (m:_FederationMigration) WHERE m.version = $v SET m.schema = $s"
KUZU_LEDGER = "_FederationMigration"
BUSY_MS = 1_000
LEDGER_NAMES = frozenset({SQLITE_LEDGER.lower(), KUZU_LEDGER.lower()})


def now_text() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def catalog_digest(info: SourceInfo) -> str:
    """A digest of the tables, their columns and types, kinds, endpoints and keys (ledgers
    left out); "" for a source with no table."""
    tables = sorted((t.name, t.kind, tuple((c, str(typ)) for c, typ in t.columns),
                     t.endpoints, t.unique) for name, t in info.tables.items()
                    if name.lower() not in LEDGER_NAMES)
    return hashlib.sha256(repr(tables).encode()).hexdigest() if tables else ""


class SqliteLedger:
    def __init__(self, source: SQLite) -> None:
        import apsw

        self._apsw = apsw
        self.name = source.name
        try:
            self._con = apsw.Connection(str(source.path))
            self._con.set_busy_timeout(BUSY_MS)  # then retried (federation.ops.retry)
            self._con.execute(_SQLITE_CREATE)
        except apsw.Error as err:
            raise SourceError(f"cannot open for migrations: {err}", source=self.name) from err

    def applied(self) -> list[Applied]:
        rows = self._con.execute(_SQLITE_APPLIED).fetchall()
        return [Applied(int(str(v)), str(n), str(c), str(s)) for v, n, c, s in rows]

    def schema(self) -> str:
        rows = self._con.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE "
            "'sqlite_%' AND tbl_name != ? ORDER BY type, name", (SQLITE_LEDGER,)).fetchall()
        return hashlib.sha256(repr(rows).encode()).hexdigest() if rows else ""

    def apply(self, migration: Migration) -> None:
        text = migration.text()
        transient_retry(lambda: self._con.execute("BEGIN IMMEDIATE"))
        try:
            # drained: apsw runs a script's later statements only as the rows of the
            # earlier ones are read
            for _ in self._con.execute(text):
                pass
            self._con.execute(_SQLITE_RECORD,
                              (migration.version, migration.name, migration.checksum,
                               self.schema(), now_text()))
        except self._apsw.Error as err:
            if not self._con.getautocommit():
                self._con.execute("ROLLBACK")
            raise SourceError(str(err), source=self.name, fragment=migration.label) from err
        self._con.execute("COMMIT")

    def adopt(self, schema: str) -> None:
        self._con.execute(_SQLITE_RECORD, (ADOPTED, "adopted", "", schema, now_text()))

    def close(self) -> None:
        self._con.close()


class KuzuLedger:
    def __init__(self, source: Kuzu) -> None:
        if source.read_only:
            raise ConfigurationError(f"source {source.name!r} was attached with "
                                     "read_only=True: migrations cannot write to it")
        self.source = source
        if KUZU_LEDGER not in source.info().tables:
            source.write(_KUZU_CREATE)

    def _rows(self, cypher: str) -> list[dict[str, Any]]:
        return self.source._rows(cypher)  # this thread's connection of the source

    def applied(self) -> list[Applied]:
        rows = self._rows(_KUZU_APPLIED)
        done = [Applied(int(r["v"]), r["n"], r["c"], r["s"] or "") for r in rows]
        if done and not done[-1].schema:  # a crash after the commit, before the digest
            done[-1] = Applied(done[-1].version, done[-1].name, done[-1].checksum,
                               self.schema())
        return done

    def schema(self) -> str:
        return catalog_digest(self.source.info())

    def apply(self, migration: Migration) -> None:
        text = migration.text().strip()
        write = self.source.write
        write("BEGIN TRANSACTION")
        try:
            write(text)
            write(_KUZU_RECORD, {"v": migration.version, "n": migration.name,
                                 "c": migration.checksum, "s": "", "t": now_text()})
            write("COMMIT")
        except FederationError as err:
            _rollback(self.source)
            raise SourceError(str(err.__cause__ or err), source=self.source.name,
                              fragment=migration.label) from err
        write(_KUZU_SCHEMA, {"v": migration.version, "s": self.schema()})

    def adopt(self, schema: str) -> None:
        self.source.write(_KUZU_RECORD, {"v": ADOPTED, "n": "adopted", "c": "", "s": schema,
                                         "t": now_text()})

    def close(self) -> None:
        pass  # the source's connections stay the source's


def _rollback(source: Kuzu) -> None:
    """Kuzu ends a transaction itself when a statement in it fails; otherwise roll back."""
    # no transaction active any more: Kuzu rolled it back already
    with suppress(FederationError):
        source.write("ROLLBACK")
