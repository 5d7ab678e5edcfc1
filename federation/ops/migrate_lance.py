"""LanceDB migrations: a declarative JSON file of schema operations, and the ledger.

A ``NNN_description.json`` file holds ``{"operations": [...]}``, each one of::

    {"op": "create_table", "table": "docs", "schema": {"id": "int64", "vec": "float32[4]"}}
    {"op": "add_columns", "table": "docs", "columns": {"lang": "string"}}
    {"op": "drop_columns", "table": "docs", "columns": ["lang"]}
    {"op": "create_index", "table": "docs", "column": "id", "kind": "BTREE"}

Types: ``int8/16/32/64``, ``float32/64``, ``string``, ``bool``, ``date32``, ``binary`` and
``float32[N]`` (a vector of N floats). Index kinds: ``BTREE``, ``BITMAP``, ``LABEL_LIST``,
``FTS`` and the vector kinds LanceDB names (``IVF_PQ``, ``IVF_FLAT``, ``IVF_HNSW_SQ`` …).

What holds: every operation is one Lance commit, so a migration of several is not atomic on
disk. When one fails, the ones before it are undone (tables it created are dropped, the
others restored to the version they had before the migration: a new commit with the old
contents), and the ledger is not written. A crash in the middle leaves the commits made so
far and no ledger entry; the next ``migrate`` then reports drift instead of applying anything.
The ledger is ``_federation_migrations.json`` in the LanceDB directory, replaced atomically
(LanceDB lists only ``*.lance`` directories, so it is no table).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from federation.errors import SourceError
from federation.ops.ledgers import catalog_digest, now_text
from federation.ops.migrations import ADOPTED, Applied, Migration
from federation.ops.retry import transient_retry

if TYPE_CHECKING:
    from federation.sources.lancedb import LanceDB

LEDGER_FILE = "_federation_migrations.json"
_TYPES = {"int8": pa.int8(), "int16": pa.int16(), "int32": pa.int32(), "int64": pa.int64(),
          "float32": pa.float32(), "float64": pa.float64(), "string": pa.string(),
          "bool": pa.bool_(), "date32": pa.date32(), "binary": pa.binary()}
_VECTOR = re.compile(r"^float32\[(\d+)\]$")
_SCALAR_INDEXES = {"BTREE", "BITMAP", "LABEL_LIST"}


def arrow_type(text: object, where: str) -> pa.DataType:
    if isinstance(text, str):
        if text in _TYPES:
            return _TYPES[text]
        if m := _VECTOR.match(text):
            return pa.list_(pa.float32(), int(m[1]))
    raise ValueError(f"{where}: unknown type {text!r} (one of {sorted(_TYPES)} or float32[N])")


def _schema(spec: object, where: str) -> pa.Schema:
    if not isinstance(spec, dict) or not spec:
        raise ValueError(f"{where}: a non-empty object of column name → type")
    return pa.schema([pa.field(str(name), arrow_type(typ, f"{where}.{name}"))
                      for name, typ in spec.items()])


class LanceLedger:
    def __init__(self, source: LanceDB) -> None:
        import lancedb

        self.source = source
        self.path = Path(source.path)
        self._db = lancedb.connect(str(self.path))
        self._file = self.path / LEDGER_FILE

    def _rows(self) -> list[dict[str, Any]]:
        if not self._file.exists():
            return []
        rows: list[dict[str, Any]] = json.loads(self._file.read_text(encoding="utf-8"))["applied"]
        return rows

    def applied(self) -> list[Applied]:
        return [Applied(int(r["version"]), r["name"], r["checksum"], r["schema"])
                for r in self._rows()]

    def schema(self) -> str:
        indexes = []
        for name in self._tables():
            table = self._db.open_table(name)
            indexes += sorted((name, i.index_type, tuple(i.columns))
                              for i in table.list_indices())
        tables = catalog_digest(self.source.info())
        return f"{tables}:{hash_text(repr(indexes))}" if tables else ""

    def _tables(self) -> list[str]:
        return sorted(self._db.list_tables().tables)

    def apply(self, migration: Migration) -> None:
        try:
            operations = _operations(migration)
        except ValueError as err:
            raise SourceError(str(err), source=self.source.name,
                              fragment=migration.label) from err
        before = {name: self._db.open_table(name).version for name in self._tables()}
        try:
            for op in operations:
                transient_retry(lambda op=op: self._run(op))  # type: ignore[misc]
        except Exception as err:
            self._undo(before)
            raise SourceError(f"{type(err).__name__}: {err}", source=self.source.name,
                              fragment=migration.label) from err
        self._record(migration.version, migration.name, migration.checksum, self.schema())

    def adopt(self, schema: str) -> None:
        self._record(ADOPTED, "adopted", "", schema)

    def _record(self, version: int, name: str, checksum: str, schema: str) -> None:
        rows = self._rows()
        rows.append({"version": version, "name": name, "checksum": checksum,
                     "schema": schema, "applied_at": now_text()})
        _replace(self._file, json.dumps({"applied": rows}, indent=1))

    def _run(self, op: dict[str, Any]) -> None:
        kind, table = op["op"], op["table"]
        if kind == "create_table":
            self._db.create_table(table, schema=_schema(op.get("schema"), f"{table}.schema"))
            return
        target = self._db.open_table(table)
        if kind == "add_columns":
            target.add_columns(_schema(op.get("columns"), f"{table}.columns"))
        elif kind == "drop_columns":
            target.drop_columns([str(c) for c in op["columns"]])
        else:
            _create_index(target, str(op["column"]), str(op.get("kind", "BTREE")).upper(), op)

    def _undo(self, before: dict[str, int]) -> None:
        """Tables created by the failed migration dropped, the others restored."""
        for name in self._tables():
            try:
                if name not in before:
                    self._db.drop_table(name)
                    continue
                table = self._db.open_table(name)
                if table.version != before[name]:
                    table.restore(before[name])
            except Exception as err:
                warnings.warn(f"could not undo a failed migration on {name}: {err}",
                              RuntimeWarning, stacklevel=2)

    def close(self) -> None:
        pass


def _create_index(table: Any, column: str, kind: str, op: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the config= form misbinds
        if kind in _SCALAR_INDEXES:
            table.create_scalar_index(column, index_type=kind)
        elif kind == "FTS":
            table.create_fts_index(column)
        else:
            table.create_index(vector_column_name=column, index_type=kind,
                               metric=op.get("metric", "l2"),
                               num_partitions=op.get("num_partitions"),
                               num_sub_vectors=op.get("num_sub_vectors"))


def _operations(migration: Migration) -> list[dict[str, Any]]:
    try:
        spec = json.loads(migration.text())
    except json.JSONDecodeError as err:
        raise ValueError(f"not JSON: {err}") from err
    ops = spec.get("operations") if isinstance(spec, dict) else None
    if not isinstance(ops, list) or not ops:
        raise ValueError('a LanceDB migration is {"operations": [ ... ]}')
    known = {"create_table", "add_columns", "drop_columns", "create_index"}
    for i, op in enumerate(ops):
        if not isinstance(op, dict) or op.get("op") not in known or \
                not isinstance(op.get("table"), str):
            raise ValueError(f"operation {i}: needs \"op\" (one of {sorted(known)}) and "
                             "\"table\"")
    return ops


def hash_text(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a temporary file renamed over it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".fedmig-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise

