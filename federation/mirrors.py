"""``eng.mirror(primary, copy, …)``: declared mirrors, checked against the catalog and kept.

Three kinds (``planner.mirrors`` says what the planner does with them):

- ``eng.mirror("graph.ASSIGNED_TO", "crm.assignments", source="agent_id", target="task_id")``:
  a Kuzu relationship type and a SQLite link table (either may be the primary). ``source``
  and ``target`` name the link columns holding the FROM and TO nodes' primary keys; each
  property of the relationship is a link column of the same name and type family.
- ``eng.mirror("graph.Agent", "crm.agents")``: a Kuzu node table and a SQLite table;
- ``eng.mirror("crm.notes", "docs.notes")``: a table in SQLite and in LanceDB.
  For a table mirror every column of the primary is a column of the copy, of the same type
  family (the copy may have more).

A mirror is checked when it is declared (``ConfigurationError`` naming what is missing and
what exists) and again whenever the catalog it is used with changes (a mirror that no longer
fits is left out until it does again). With a workspace the declarations are kept in
``<workspace>/mirrors.sqlite`` (apsw) and loaded at ``connect(path)``; ``connect()`` keeps
them in memory. Declaring the same mirror again changes nothing (or replaces its columns).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from federation.errors import ConfigurationError
from planner.catalog import SourceInfo, TableSchema
from planner.mirrors import Mirrors, Place, RelMirror, TableMirror
from planner.types import family

FILE_NAME = "mirrors.sqlite"
_TABLE_KINDS = {("sqlite", "table"), ("lancedb", "table"), ("kuzu", "node")}
Declared = tuple[str, str, str | None, str | None]  # primary, copy, source, target


class MirrorRegistry:
    """The engine's declared mirrors (thread-safe)."""

    def __init__(self, workspace: Path | None) -> None:
        self._lock = threading.Lock()
        self._declared: dict[tuple[str, str], Declared] = {}
        self._con: Any = None
        self._cache: tuple[tuple[object, ...], Mirrors] | None = None
        # source (lower-cased) → the sources holding a mirror of one of its relations; read
        # by every query, so kept ready rather than derived from the declarations each time
        self._partners: dict[str, frozenset[str]] = {}
        if workspace is not None:
            self._open(Path(workspace) / FILE_NAME)

    def _open(self, path: Path) -> None:
        import apsw

        try:
            self._con = apsw.Connection(str(path))
            self._con.set_busy_timeout(5000)
            self._con.execute("CREATE TABLE IF NOT EXISTS mirrors (primary_name TEXT NOT NULL, "
                              "copy_name TEXT NOT NULL, source TEXT, target TEXT, "
                              "PRIMARY KEY (primary_name, copy_name))")
            rows = self._con.execute("SELECT primary_name, copy_name, source, target "
                                     "FROM mirrors ORDER BY rowid").fetchall()
        except apsw.Error as err:
            if self._con is not None:
                self._con.close()  # opened, then refused: not left open
                self._con = None
            raise ConfigurationError(f"cannot keep mirrors in {str(path)!r}: {err}") from err
        for primary, copy, source, target in rows:
            self._declared[(str(primary), str(copy))] = (
                str(primary), str(copy), _text(source), _text(target))
        self._partners = _partners(self._declared.values())

    def add(self, primary: str, copy: str, source: str | None, target: str | None,
            catalog: Mapping[str, SourceInfo]) -> None:
        """Check a mirror against ``catalog`` and keep it (see the module docstring)."""
        for what, value in (("source", source), ("target", target)):
            if value is not None and (not isinstance(value, str) or not value):
                raise ConfigurationError(f"mirror {what}= takes a column name")
        a, b = _place(primary, catalog, "primary"), _place(copy, catalog, "copy")
        _checked(a, b, source, target, catalog)  # raises what does not fit
        declared = (f"{a[0]}.{a[1]}", f"{b[0]}.{b[1]}", source, target)
        with self._lock:
            self._declared[(declared[0], declared[1])] = declared
            self._partners = _partners(self._declared.values())
            self._cache = None
            if self._con is not None:
                self._con.execute(  # an upsert keeps the declaration's place (its rowid)
                    "INSERT INTO mirrors VALUES (?, ?, ?, ?) ON CONFLICT (primary_name, "
                    "copy_name) DO UPDATE SET source = excluded.source, "
                    "target = excluded.target", declared)

    def partners(self, names: frozenset[str]) -> frozenset[str]:
        """The sources (lower-cased) holding a mirror of a relation of the sources ``names``
        (lower-cased), other than those."""
        partners = self._partners  # replaced whole on a change: no lock needed to read it
        if not partners:  # nothing declared: every query asks this, so answer at once
            return frozenset()
        return frozenset().union(*(partners.get(n, frozenset()) for n in names)) - names

    def declared(self) -> tuple[Declared, ...]:
        with self._lock:
            return tuple(self._declared.values())

    def current(self, catalog: Mapping[str, SourceInfo]) -> Mirrors:
        """The mirrors whose two sources are attached and that still fit their catalog."""
        declared = self.declared()
        names = sorted({n.split(".", 1)[0] for d in declared for n in d[:2]})
        key = (declared, tuple((n, catalog[n].fingerprint) for n in names if n in catalog))
        cached = self._cache
        if cached is not None and cached[0] == key:
            return cached[1]
        tables: list[TableMirror] = []
        rels: list[RelMirror] = []
        for primary, copy, source, target in declared:
            try:
                a, b = _place(primary, catalog, "primary"), _place(copy, catalog, "copy")
                mirror = _checked(a, b, source, target, catalog)
            except ConfigurationError:  # a source is not attached, or its schema moved
                continue
            if isinstance(mirror, RelMirror):
                rels.append(mirror)
            else:
                tables.append(mirror)
        mirrors = Mirrors(tuple(tables), tuple(rels))
        self._cache = (key, mirrors)
        return mirrors

    def close(self) -> None:
        with self._lock:
            con, self._con = self._con, None
        if con is not None:
            con.close()


def _partners(declared: Iterable[Declared]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for primary, copy, _, _ in declared:
        a, b = (name.split(".", 1)[0].lower() for name in (primary, copy))
        found.setdefault(a, set()).add(b)
        found.setdefault(b, set()).add(a)
    return {name: frozenset(others) for name, others in found.items()}


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _place(name: str, catalog: Mapping[str, SourceInfo], what: str) -> Place:
    """``"source.table"`` resolved in the catalog (names compare without case when that
    leaves one candidate, as the binder resolves them)."""
    if not isinstance(name, str) or "." not in name:
        raise ConfigurationError(f"mirror {what} {name!r} must be written source.table")
    source, table = name.split(".", 1)
    found = _one(source, catalog, f"no attached source {source!r} (attached: "
                 f"{', '.join(sorted(catalog)) or 'none'})")
    tables = catalog[found].tables
    return found, _one(table, tables, f"source {found!r} has no table {table!r} "
                                      f"(it has: {', '.join(sorted(tables)) or 'none'})")


def _one(name: str, names: Mapping[str, object], error: str) -> str:
    if name in names:
        return name
    folded = [n for n in names if n.lower() == name.lower()]
    if len(folded) != 1:
        raise ConfigurationError(error)
    return folded[0]


def _checked(a: Place, b: Place, source: str | None, target: str | None,
             catalog: Mapping[str, SourceInfo]) -> TableMirror | RelMirror:
    """The mirror of ``a`` (primary) and ``b`` (copy), or ConfigurationError."""
    if a == b:
        raise ConfigurationError(f"a table cannot mirror itself ({a[0]}.{a[1]})")
    kinds = [(catalog[s].kind, catalog[s].tables[t].kind) for s, t in (a, b)]
    if ("kuzu", "rel") in kinds:
        graph_is_primary = kinds[0] == ("kuzu", "rel")
        graph, link = (a, b) if graph_is_primary else (b, a)
        if (catalog[link[0]].kind, catalog[link[0]].tables[link[1]].kind) != ("sqlite", "table"):
            raise ConfigurationError(f"a relationship type ({graph[0]}.{graph[1]}) mirrors a "
                                     f"SQLite link table, not {link[0]}.{link[1]}")
        return _rel_mirror(graph, link, source, target, catalog, graph_is_primary)
    if source is not None or target is not None:
        raise ConfigurationError("source= and target= belong to a relationship mirror; "
                                 f"{a[0]}.{a[1]} and {b[0]}.{b[1]} are tables")
    for (s, t), kind in zip((a, b), kinds, strict=True):
        if kind not in _TABLE_KINDS:
            raise ConfigurationError(f"{s}.{t} ({kind[0]} {kind[1]}) cannot be mirrored")
    _same_columns(a, b, catalog)
    return TableMirror(a, b)


def _same_columns(a: Place, b: Place, catalog: Mapping[str, SourceInfo]) -> None:
    ours = catalog[a[0]].tables[a[1]]
    theirs = dict(catalog[b[0]].tables[b[1]].columns)
    missing = [f"{n} ({family(t)})" for n, t in ours.columns
               if n not in theirs or family(theirs[n]) != family(t)]
    if missing:
        raise ConfigurationError(
            f"{b[0]}.{b[1]} does not hold every column of {a[0]}.{a[1]}: missing or of "
            f"another type: {', '.join(missing)}; it has: {_listing(theirs)}")


def _listing(columns: Mapping[str, Any]) -> str:
    return ", ".join(f"{n} ({family(t)})" for n, t in columns.items()) or "no columns"


def _rel_mirror(graph: Place, link: Place, source: str | None, target: str | None,
                catalog: Mapping[str, SourceInfo], graph_is_primary: bool) -> RelMirror:
    if source is None or target is None:
        raise ConfigurationError(f"mirroring relationship type {graph[0]}.{graph[1]} needs "
                                 "source= and target=: the link columns holding the FROM and "
                                 "TO node keys")
    rel = catalog[graph[0]].tables[graph[1]]
    if len(rel.endpoints) != 1:
        raise ConfigurationError(f"relationship type {graph[0]}.{graph[1]} connects "
                                 f"{len(rel.endpoints)} pairs of node tables; a mirror needs "
                                 "exactly one")
    columns = dict(catalog[link[0]].tables[link[1]].columns)
    (start, end), = rel.endpoints
    wanted = [(source, _key(catalog, graph[0], start)), (target, _key(catalog, graph[0], end))]
    wanted += list(rel.columns)
    missing = [f"{n} ({family(t)})" for n, t in wanted
               if n not in columns or family(columns[n]) != family(t)]
    if missing:
        raise ConfigurationError(
            f"link table {link[0]}.{link[1]} does not fit {graph[0]}.{graph[1]}: missing or "
            f"of another type: {', '.join(missing)}; it has: {_listing(columns)}")
    return RelMirror(graph, link, source, target, graph_is_primary)


def _key(catalog: Mapping[str, SourceInfo], graph: str, label: str) -> Any:
    """The type of node table ``label``'s primary key."""
    table: TableSchema = catalog[graph].tables[label]
    if len(table.unique) != 1:
        raise ConfigurationError(f"node table {graph}.{label} has no single-column primary key")
    return dict(table.columns)[table.unique[0]]
