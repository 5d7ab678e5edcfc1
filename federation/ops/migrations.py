"""``eng.migrate(folder)``: versioned schema migrations for every attached source.

A folder holds one sub-folder per source name, and in it ``NNN_description.<ext>`` files:
``.sql`` for SQLite, ``.cypher`` for Kuzu, ``.json`` for LanceDB (a declarative schema change,
``federation.ops.migrate_lance``). Each store keeps a ledger of what was applied: version, name,
a SHA-256 checksum of the file and a digest of the schema the migration left
(``federation.ops.ledgers``).

Everything is checked before anything runs, so a problem is never half-accepted: an applied
migration whose file is gone or whose text changed, a new file numbered below one already
applied, and a live schema that differs from the digest the last migration recorded (drift:
someone changed the schema by hand) all raise ``MigrationError`` with nothing applied. Then
the pending migrations run in order, each atomically where the store allows; the first failure
stops the run and raises ``MigrationError`` whose ``report`` says what was applied before it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from federation.errors import ConfigurationError, FederationError
from federation.sources.base import Source

EXTENSIONS = {"sqlite": ".sql", "kuzu": ".cypher", "lancedb": ".json"}
ADOPTED = -1  # the ledger version of a baseline row (``adopt=True``)
_FILE = re.compile(r"^(?P<version>\d+)_(?P<name>[A-Za-z0-9][A-Za-z0-9_\-]*)"
                   r"(?P<ext>\.sql|\.cypher|\.json)$")


@dataclass(frozen=True)
class Migration:
    """One migration file: its version (the leading number), name and checksum."""

    source: str
    version: int
    name: str
    path: Path
    checksum: str

    def __post_init__(self) -> None:
        if self.version < 0 or not self.name:
            raise ValueError("a migration has a version >= 0 and a name")

    @property
    def label(self) -> str:
        return f"{self.version:03d}_{self.name}"

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class Applied:
    """A ledger row: what was applied, and the schema digest it left."""

    version: int
    name: str
    checksum: str
    schema: str


class Ledger(Protocol):
    """One store's migration bookkeeping and its way to apply a migration atomically."""

    def applied(self) -> list[Applied]: ...

    def schema(self) -> str: ...

    def apply(self, migration: Migration) -> None: ...

    def adopt(self, schema: str) -> None:
        """Record ``schema`` as the baseline of a store migrations did not build."""

    def close(self) -> None: ...


@dataclass
class SourceReport:
    applied: list[str] = field(default_factory=list)  # labels applied by this run
    already: list[str] = field(default_factory=list)  # labels applied before
    pending: list[str] = field(default_factory=list)  # not applied (a failure stopped the run)
    problems: list[str] = field(default_factory=list)  # edited, missing, drift, failure
    adopted: bool = False  # its existing schema was taken as the baseline (``adopt=True``)


@dataclass
class MigrationReport:
    """What ``migrate`` did per source; ``ok`` when nothing is wrong."""

    sources: dict[str, SourceReport] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(r.problems for r in self.sources.values())

    @property
    def applied(self) -> dict[str, list[str]]:
        return {name: list(r.applied) for name, r in self.sources.items()}

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {name: {"applied": list(r.applied), "already": list(r.already),
                       "pending": list(r.pending), "problems": list(r.problems)}
                | ({"adopted": True} if r.adopted else {})
                for name, r in sorted(self.sources.items())}

    def __str__(self) -> str:
        lines = []
        for name, r in sorted(self.sources.items()):
            lines.append(f"{name}: applied {r.applied or '-'}, already {len(r.already)}, "
                         f"pending {r.pending or '-'}")
            lines += [f"  problem: {p}" for p in r.problems]
        return "\n".join(lines)


class MigrationError(FederationError):
    """Migrations were refused (edited, missing, out of order, drift) or one failed; the
    ``report`` says what was applied, per source."""

    def __init__(self, message: str, report: MigrationReport, *, source: str = "",
                 migration: str = "") -> None:
        self.report = report
        self.source = source
        self.migration = migration
        super().__init__(f"{message}\n{report}")


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def discover(folder: str | Path, sources: Mapping[str, Source]) -> dict[str, list[Migration]]:
    """The migrations of every source that has a sub-folder, in version order."""
    root = Path(folder)
    if not root.is_dir():
        raise ConfigurationError(f"migrations folder {str(root)!r} does not exist")
    by_lower = {name.lower(): name for name in sources}
    found: dict[str, list[Migration]] = {}
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        name = by_lower.get(sub.name.lower())
        if name is None:
            raise ConfigurationError(f"migrations folder {sub.name!r} names no attached source")
        found[name] = _files(sub, name, EXTENSIONS.get(sources[name].kind, ""))
    return found


def _files(folder: Path, source: str, ext: str) -> list[Migration]:
    migrations: dict[int, Migration] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        m = _FILE.match(path.name)
        if m is None or m["ext"] != ext:
            raise ConfigurationError(
                f"{source}/{path.name}: migrations of this source are named "
                f"NNN_description{ext}")
        version = int(m["version"])
        if version in migrations:
            raise ConfigurationError(f"{source}: two migrations numbered {version}: "
                                     f"{migrations[version].path.name} and {path.name}")
        migrations[version] = Migration(source, version, m["name"], path, checksum(path))
    return [migrations[v] for v in sorted(migrations)]


def verify(files: list[Migration], done: list[Applied], live_schema: str,
           report: SourceReport) -> list[Migration]:
    """The pending migrations; problems with what was applied go to ``report``."""
    by_version = {m.version: m for m in files}
    for row in done:
        if row.version == ADOPTED:
            continue  # a baseline: no file
        file = by_version.get(row.version)
        label = f"{row.version:03d}_{row.name}"
        if file is None:
            report.problems.append(f"applied migration {label} has no file any more")
        elif file.checksum != row.checksum:
            report.problems.append(f"applied migration {label} was edited since it ran "
                                   f"(checksum {row.checksum[:12]} → {file.checksum[:12]})")
        else:
            report.already.append(label)
    last = max((row.version for row in done), default=-1)
    applied = {row.version for row in done}
    pending = [m for m in files if m.version not in applied]
    for m in pending:
        if m.version < last:
            report.problems.append(f"migration {m.label} is numbered below {last:03d}, "
                                   f"which was applied already")
    expected = done[-1].schema if done else ""
    if expected != live_schema:
        report.problems.append(
            "drift: the live schema differs from what the applied migrations built"
            if done else "drift: the source has a schema no migration built")
    report.pending = [m.label for m in pending]
    return pending


def migrate(found: Mapping[str, list[Migration]], ledgers: Mapping[str, Ledger],
            dry_run: bool = False, adopt: bool = False) -> MigrationReport:
    """Check every source, then apply what is pending, source by source in name order.
    ``adopt``: a source that has a schema but no ledger row takes its schema as the
    baseline (recorded, unless ``dry_run``) instead of reporting drift."""
    report = MigrationReport({name: SourceReport() for name in found})
    plans = {}
    for name in sorted(found):
        done, live = ledgers[name].applied(), ledgers[name].schema()
        if adopt and not done and live:
            if not dry_run:
                ledgers[name].adopt(live)
            done = [Applied(ADOPTED, "adopted", "", live)]
            report.sources[name].adopted = True
        plans[name] = verify(found[name], done, live, report.sources[name])
    if not report.ok:
        raise MigrationError("migrations refused, nothing was applied", report)
    if dry_run:
        return report
    for name, pending in plans.items():
        for migration in pending:
            try:
                ledgers[name].apply(migration)
            except FederationError as err:
                report.sources[name].problems.append(f"{migration.label} failed: {err}")
                raise MigrationError(f"migration {name}/{migration.label} failed and was "
                                     f"not applied", report, source=name,
                                     migration=migration.label) from err
            report.sources[name].applied.append(migration.label)
            report.sources[name].pending.remove(migration.label)
    return report
