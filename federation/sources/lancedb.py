"""LanceDB: table scans and exact nearest-neighbour search, results as Arrow.

``fed.LanceDB("lance/")`` opens (creating if missing) a local LanceDB directory through the
synchronous ``lancedb.connect`` with ``read_consistency_interval=0`` by default, so writes by
other connections and processes are seen on the next read (DESIGN §8). Remote URIs are refused:
this source never touches the network.

Fragments: a ``Scan`` of one table (``table.search()`` without a vector, which returns every
row unless a limit is set, with ``where``/``select``/``limit``) and a ``VectorSearch``
(``table.search(vec).distance_type("l2").where(f, prefilter=True).select(...).limit(k)``).
Filters are DataFusion text written by ``lance_filter`` (semantics and escaping findings there).

Findings (lancedb 0.40.0):

* distance: the "l2" metric reports the *squared* Euclidean distance in ``_distance``
  (float32), verified against numpy; the DuckDB stage must compute the same for
  ``distance(col, vec)``. Without a vector index the search is a flat, exact scan; with an
  index it is approximate unless ``exact_search=True`` (then ``bypass_vector_index()``).
* rows whose vector is NULL never appear in a vector search (they have no distance).
* the prefilter gives the k nearest rows *among the rows passing the filter*.
* catalog types: ``large_string`` → ``string``, ``large_binary`` → ``binary``, dictionary
  columns → their value type, ``string_view`` → ``string``; everything else (including
  ``fixed_size_list<float>[d]`` vectors) is reported as Lance stores it. Results are cast to
  the declared types.
* ``select([])`` means *all* columns in LanceDB, and ``limit(0)`` means *no* limit: an empty
  projection reads one column and drops it; a limit or k of 0 returns an empty table directly.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import lancedb
import numpy as np
import pyarrow as pa

from federation.errors import (
    ConfigurationError,
    FederationError,
    SourceError,
    SourceUnavailableError,
)
from federation.sources.base import CompiledFragment, Source, empty_table
from federation.sources.lance_filter import FilterWriter, quote_ident
from planner.capabilities import Capabilities
from planner.catalog import SourceInfo, TableSchema, VectorColumn
from planner.errors import BindError, PlanError
from planner.expressions import Const, ParamRef
from planner.logical import Plan, Scan, Schema, VectorSearch

CAPABILITIES = Capabilities(
    predicates=frozenset({"eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "is_null",
                          "is_not_null", "in", "not_in", "between", "not_between", "like",
                          "not_like"}),
    value_families=frozenset({"int", "float", "decimal", "string", "date", "bool"}),
    projection=True,
    limit=True,
    joins=frozenset(),
)
DISTANCE = "_distance"
METRIC = "l2"  # LanceDB's default: squared Euclidean distance


@dataclass(frozen=True)
class LanceFragment(CompiledFragment):
    """A compiled LanceDB query: what ``execute`` runs, besides the EXPLAIN text in ``native``.

    ``fetch`` are the table columns read (in output order); ``vector``/``k`` are set for a
    nearest-neighbour search, ``limit`` for a scan.
    """

    table: str = ""
    fetch: tuple[str, ...] = ()
    filter: str | None = None
    limit: int | None = None
    vector_column: str | None = None
    vector: tuple[float, ...] | None = None
    k: int | None = None


class LanceDB(Source):
    """``fed.LanceDB("lance/")``: a local LanceDB directory, created if missing."""

    kind = "lancedb"

    def __init__(self, path: str | Path, *,
                 read_consistency_interval: timedelta | None = timedelta(0),
                 exact_search: bool = False) -> None:
        if not isinstance(path, str | Path) or not str(path):
            raise ConfigurationError("fed.LanceDB needs a directory path")
        if "://" in str(path):
            raise ConfigurationError("fed.LanceDB takes a local directory, not a URI")
        self.path = Path(path)
        self.read_consistency_interval = read_consistency_interval
        self.exact_search = exact_search
        self.name = ""
        self._db: Any = None
        self._tables: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._info: SourceInfo | None = None
        self._info_token: Hashable = None
        self._raw_types: dict[str, dict[str, pa.DataType]] = {}

    # ---- connection
    def open(self, name: str) -> None:
        self.name = name
        self._connect()

    def _connect(self) -> Any:
        with self._lock:
            if self._db is not None:
                return self._db
            try:
                if self.path.exists() and not self.path.is_dir():
                    raise NotADirectoryError(f"{str(self.path)!r} is not a directory")
                self.path.mkdir(parents=True, exist_ok=True)
                db = lancedb.connect(str(self.path),
                                     read_consistency_interval=self.read_consistency_interval)
                db.list_tables()
            except Exception as err:
                raise SourceUnavailableError(
                    f"cannot open LanceDB directory {str(self.path)!r}: {err}",
                    source=self.name or str(self.path)) from err
            self._db = db
            return db

    def _table_names(self) -> list[str]:
        db = self._connect()
        names: list[str] = []
        token = None
        while True:
            page = db.list_tables(page_token=token)
            names.extend(page.tables)
            token = page.page_token
            if not token:
                return sorted(names)

    def _table(self, name: str) -> Any:
        with self._lock:
            handle = self._tables.get(name)
        if handle is None:
            handle = self._connect().open_table(name)
            with self._lock:
                self._tables[name] = handle
        return handle

    def _unavailable(self, what: str, err: Exception) -> SourceUnavailableError:
        return SourceUnavailableError(f"cannot read {what} of {str(self.path)!r}: {err}",
                                      source=self.name or str(self.path))

    # ---- catalog
    def _versions(self) -> tuple[tuple[str, int], ...]:
        names = self._table_names()
        with self._lock:  # forget handles of dropped tables
            for gone in set(self._tables) - set(names):
                del self._tables[gone]
        versions = []
        for name in names:
            try:
                version = self._table(name).version
            except Exception:  # a stale handle (table dropped and recreated): reopen once
                with self._lock:
                    self._tables.pop(name, None)
                version = self._table(name).version
            versions.append((name, int(version)))
        return tuple(versions)

    def version(self) -> Hashable:
        """(table, Lance version) for every table: every write makes a new version."""
        try:
            return self._versions()
        except FederationError:
            raise
        except Exception as err:
            raise self._unavailable("table versions", err) from err

    def info(self) -> SourceInfo:
        try:
            token = self._versions()
            if self._info is None or token != self._info_token:
                tables = {name: self._describe(name) for name, _ in token}
                self._info = SourceInfo(self.name, self.kind, CAPABILITIES, tables)
                self._info_token = token
        except FederationError:
            raise
        except Exception as err:
            raise self._unavailable("the catalog", err) from err
        return self._info

    def _describe(self, name: str) -> TableSchema:
        table = self._table(name)
        schema: pa.Schema = table.schema
        self._raw_types[name] = {f.name: f.type for f in schema}  # for compile, per version
        columns = tuple((f.name, normalize_type(f.type)) for f in schema)
        vectors = tuple(VectorColumn(f.name, f.type.list_size, METRIC)
                        for f in schema if is_vector_type(f.type))
        return TableSchema(name, columns, int(table.count_rows()), vectors=vectors)

    # ---- fragments
    def compile(self, fragment: Plan, params: Mapping[str, object]) -> CompiledFragment:
        if isinstance(fragment, Scan):
            return self._compile_scan(fragment, params)
        if isinstance(fragment, VectorSearch):
            return self._compile_search(fragment, params)
        raise TypeError("LanceDB runs Scan and VectorSearch fragments")

    def _schema_of(self, table: str) -> dict[str, pa.DataType]:
        cached = self._raw_types.get(table)
        if cached is not None:  # read with the catalog this query was planned on
            return cached
        try:
            return {f.name: f.type for f in self._table(table).schema}
        except FederationError:
            raise
        except Exception as err:
            raise SourceError(f"cannot open table {table!r}: {err}", source=self.name) from err

    def _fetch(self, columns: Schema, rel: str, table_columns: Mapping[str, pa.DataType],
               extra: frozenset[str] = frozenset()) -> tuple[str, ...]:
        names: list[str] = []
        for col in columns:
            if col.name in extra:
                continue
            if col.rel != rel or col.name not in table_columns:
                raise PlanError(f"column {col.key} is not a column of LanceDB table of {rel}")
            quote_ident(col.name)  # rejects names LanceDB cannot address
            if col.name not in names:
                names.append(col.name)
        return tuple(names)

    def _compile_scan(self, scan: Scan, params: Mapping[str, object]) -> LanceFragment:
        if len(scan.tables) != 1:
            raise PlanError("LanceDB scans read exactly one table (no joins inside LanceDB)")
        access = scan.tables[0]
        table_columns = self._schema_of(access.table)
        writer = FilterWriter(access.rel, table_columns, params)
        where = writer.where(scan.filters)
        fetch = self._fetch(scan.columns, access.rel, table_columns)
        limit = _check_count("LIMIT", scan.limit) if scan.limit is not None else None
        native = f"{access.table}.search()"
        native += _native_tail(where, False, fetch, limit)
        bound = (*writer.values, limit) if limit is not None else tuple(writer.values)
        return LanceFragment(self.name, self.kind, native, bound, scan.columns,
                             table=access.table, fetch=fetch, filter=where, limit=limit)

    def _compile_search(self, search: VectorSearch,
                        params: Mapping[str, object]) -> LanceFragment:
        table_columns = self._schema_of(search.table)
        vtype = table_columns.get(search.vector_column)
        if vtype is None or not is_vector_type(vtype):
            raise BindError(f"{search.table}.{search.vector_column} is not a vector column")
        vector = _query_vector(search.vector, params, vtype)
        k = _check_count("K", search.k)
        writer = FilterWriter(search.rel, table_columns, params)
        where = writer.where(search.filters)
        fetch = self._fetch(search.columns, search.rel, table_columns, frozenset({DISTANCE}))
        native = (f"{search.table}.search(vector[{len(vector)}] -> {search.vector_column}, "
                  f"k={k})")
        if self.exact_search:
            native += ".bypass_vector_index()"
        native += _native_tail(where, True, fetch, None)
        return LanceFragment(self.name, self.kind, native, (*writer.values, vector, k),
                             search.columns, table=search.table, fetch=fetch, filter=where,
                             vector_column=search.vector_column, vector=vector, k=k)

    def execute(self, compiled: CompiledFragment) -> pa.Table:
        if not isinstance(compiled, LanceFragment):
            raise TypeError("LanceDB executes fragments it compiled")
        if compiled.limit == 0 or compiled.k == 0:
            return empty_table(compiled.schema)
        try:
            result = self._run(compiled)
        except FederationError:
            raise
        except Exception as err:
            raise SourceError(str(err), source=self.name, fragment=compiled.native) from err
        return self._shape(result, compiled)

    def _run(self, c: LanceFragment) -> pa.Table:
        table = self._table(c.table)
        fetch = list(c.fetch) or [_cheapest_column(table.schema)]
        if c.vector is None:
            query = table.search()
        else:
            query = table.search(list(c.vector), vector_column_name=c.vector_column)
            query = query.distance_type(METRIC)
            if self.exact_search:
                query = query.bypass_vector_index()
        if c.filter is not None:
            query = query.where(c.filter, prefilter=True)
        # name _distance explicitly: relying on its implicit projection is deprecated in Lance
        query = query.select(fetch if c.vector is None else [*fetch, DISTANCE])
        limit = c.k if c.vector is not None else c.limit
        if limit is not None:
            query = query.limit(limit)
        result: pa.Table = query.to_arrow()
        return result

    def _shape(self, result: pa.Table, c: LanceFragment) -> pa.Table:
        if not c.schema:
            return result.select([])  # keeps the row count
        if result.num_rows == 0:
            return empty_table(c.schema)
        try:
            arrays = [_as_type(result.column(col.name), col.type) for col in c.schema]
        except (KeyError, pa.ArrowInvalid, pa.ArrowTypeError,
                pa.ArrowNotImplementedError) as err:
            raise SourceError(f"a result column does not fit its declared type: {err}",
                              source=self.name, fragment=c.native) from err
        return pa.Table.from_arrays(arrays, names=[col.key for col in c.schema])

    def close(self) -> None:
        with self._lock:
            self._tables.clear()
            self._db = None
            self._info = None


# ---- helpers
def is_vector_type(t: pa.DataType) -> bool:
    """A fixed-size list of floats: a column LanceDB can search."""
    return pa.types.is_fixed_size_list(t) and pa.types.is_floating(t.value_type)


def normalize_type(t: pa.DataType) -> pa.DataType:
    """The type the catalog reports for a Lance column (see the module docstring)."""
    if pa.types.is_dictionary(t):
        return normalize_type(t.value_type)
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pa.string()
    if pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        return pa.binary()
    return t


def _as_type(column: pa.ChunkedArray, t: pa.DataType) -> pa.ChunkedArray:
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column if column.type == t else column.cast(t)


def _cheapest_column(schema: pa.Schema) -> str:
    """A small column to read when only the row count matters."""
    for field in schema:
        if pa.types.is_primitive(field.type) and "`" not in field.name:
            return str(field.name)
    return str(schema[0].name)


def _check_count(what: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise BindError(f"{what} must be a non-negative integer, not {value!r}")
    return int(value)


def _query_vector(expr: object, params: Mapping[str, object],
                  column_type: pa.DataType) -> tuple[float, ...]:
    """The query vector as floats: numeric, finite, of the column's dimension."""
    if isinstance(expr, Const):
        raw = expr.value
    elif isinstance(expr, ParamRef):
        if expr.name not in params:
            raise BindError(f"parameter ${expr.name} has no value")
        raw = params[expr.name]
    else:
        raise BindError("the NEAREST vector must be a literal or a $parameter")
    if isinstance(raw, str | bytes) or not (isinstance(raw, list | tuple)
                                            or hasattr(raw, "__array__")):
        raise BindError(f"the NEAREST vector must be a list of numbers, not "
                        f"{type(raw).__name__}")
    try:
        array = np.asarray(raw)
    except (ValueError, TypeError) as err:
        raise BindError(f"the NEAREST vector is not a list of numbers: {err}") from err
    if array.ndim != 1 or array.dtype.kind not in "iuf":
        raise BindError("the NEAREST vector must be a flat list of numbers")
    dim = column_type.list_size
    if array.shape[0] != dim:
        raise BindError(f"the NEAREST vector has {array.shape[0]} dimensions, the column has "
                        f"{dim}")
    with np.errstate(over="ignore", invalid="ignore"):
        stored = array.astype(column_type.value_type.to_pandas_dtype())
    if not np.isfinite(stored).all():
        raise BindError("the NEAREST vector holds a NaN or infinite value (after conversion to "
                        f"{column_type.value_type})")
    return tuple(float(x) for x in stored)


def _native_tail(where: str | None, prefilter: bool, fetch: tuple[str, ...],
                 limit: int | None) -> str:
    text = ""
    if where is not None:
        text += f".where({where!r}" + (", prefilter=True)" if prefilter else ")")
    text += ".select([" + ", ".join(fetch) + "])"
    if limit is not None:
        text += f".limit({limit})"
    return text
