"""LanceDB fragments: a Scan compiled to a dataset scan, a VectorSearch to a nearest-neighbour
search; the filter is written by the strict escaper (``lance_filter``) with values bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pyarrow as pa

from federation.sources.lance_filter import FilterWriter, is_keys, key_values, passed_keys
from federation.sources.lance_literals import quote_ident
from federation.sources.lance_read import DISTANCE, LanceFragment, is_vector_type, native_tail
from federation.sources.lance_vector import EXACT, Tuning, check_count, query_vector
from planner.cardinality import selectivity
from planner.errors import BindError, PlanError
from planner.expressions import BExpr, ColumnRef, walk
from planner.logical import Scan, Schema, VectorSearch
from planner.vectors import ROW_ID

if TYPE_CHECKING:
    from federation.sources.lancedb import LanceDB

# a filter guessed to keep at least this share of the rows is read with its fetched columns
# (but for wide ones) decoded as the filter runs: TPC-H Q1's ``l_shipdate <= …`` keeps 98% of
# 6 M lineitem rows, 170 ms read so against 260-320 ms with Lance's default (take the other
# columns after the filter); Q19's, Q12's and Q14's selective filters measured the same
# either way
EARLY_SHARE = 0.3
# rows a passed key is guessed to match (keys are distinct values of a join column): 150 000
# order keys keep every row of 600 000 lineitems, the demo's 7 task keys 12 of 200 000 notes
ROWS_PER_KEY = 10
# a smaller table is read in one step whatever its filter (``narrowing``): decoding its text
# for every row costs about as much as the second scan call
NARROW_MIN_ROWS = 100_000


def _fetch(columns: Schema, rel: str, table_columns: Mapping[str, pa.DataType],
           extra: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The table columns to read for ``columns`` (each once; ``extra`` are the search's own
    columns, such as the distance); a name LanceDB cannot address is refused."""
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


def compile_scan(source: LanceDB, scan: Scan, params: Mapping[str, object]) -> LanceFragment:
    """A Scan of one table as a Lance dataset scan: filter, projection, limit, passed keys."""
    if len(scan.tables) != 1:
        raise PlanError("LanceDB scans read exactly one table (no joins inside LanceDB)")
    access = scan.tables[0]
    table_columns = source.schema_of(access.table)
    writer = FilterWriter(access.rel, table_columns, params)
    filters, keys = passed_keys(scan.filters, params)
    where = writer.where(filters)
    fetch = _fetch(scan.columns, access.rel, table_columns)
    limit = check_count("LIMIT", scan.limit) if scan.limit is not None else None
    native = f"{access.table}.scan()" + native_tail(where, False, fetch, limit)
    native += "".join(f".keep({col} in <{len(values)} passed keys>)" for col, values in keys)
    bound = (*writer.values, limit) if limit is not None else tuple(writer.values)
    version, incarnation = source.planned(access.table)
    late = None
    rows = source.planned_rows(access.table)
    if where is not None and broad(filters, params, rows):
        late = tuple(c for c in fetch if is_wide(table_columns[c]))
        native += f".early(late={list(late)})" if late else ".early()"
    narrowed = narrowing(filters, access.rel, table_columns, params) \
        if limit is None and rows is not None and rows >= NARROW_MIN_ROWS else None
    if narrowed is not None:
        native += ".narrowed(rows of the passed keys first, then the rest by row id)"
    return LanceFragment(source.name, source.kind, native, bound, scan.columns,
                         table=access.table, fetch=fetch, filter=where, limit=limit,
                         version=version, incarnation=incarnation, keys=keys, late=late,
                         narrowed=narrowed)


def narrowing(filters: list[BExpr], rel: str, table_columns: Mapping[str, pa.DataType],
              params: Mapping[str, object]) -> tuple[str, str] | None:
    """(the passed keys' filter, the rest's) when a scan has both and the rest reads a column
    costly to decode for every row (text, binary, lists): ``lance_read`` then reads the
    keys' rows first (``NARROW_SHARE``)."""
    keyed = [f for f in filters if is_keys(f)]
    rest = [f for f in filters if not is_keys(f)]
    read = {e.name for f in rest for e in walk(f) if isinstance(e, ColumnRef)}
    if not keyed or not any(costly(table_columns[n]) for n in read if n in table_columns):
        return None
    first = FilterWriter(rel, table_columns, params).where(keyed)
    second = FilterWriter(rel, table_columns, params).where(rest)
    return (first, second) if first is not None and second is not None else None


def costly(column: pa.DataType) -> bool:
    """Text, binary or nested: decoded at many bytes a row, unlike numbers and dates."""
    return is_wide(column) or pa.types.is_string(column) or pa.types.is_large_string(column)


def is_wide(column: pa.DataType) -> bool:
    """A column too wide to decode for rows the filter may drop: vectors and other lists,
    binary, structs and maps."""
    return (pa.types.is_nested(column) or pa.types.is_binary(column)
            or pa.types.is_large_binary(column))


def broad(filters: tuple[BExpr, ...] | list[BExpr], params: Mapping[str, object] | None = None,
          rows: int | None = None) -> bool:
    """Whether the filters are guessed to keep at least ``EARLY_SHARE`` of the rows (the
    planner's selectivity guesses: a range keeps a third, an equality a tenth; passed keys
    ``ROWS_PER_KEY`` rows each, of the table's ``rows``).

    >>> import pyarrow as pa
    >>> from planner.expressions import ColumnRef, Const, Func, ParamRef
    >>> day = ColumnRef("l", "d", pa.date32())
    >>> def cmp(name): return Func(name, (day, Const(1, pa.date32())), pa.bool_())
    >>> broad([cmp("le")]), broad([cmp("eq")]), broad([cmp("ge"), cmp("lt")])
    (True, False, False)
    >>> keys = Func("in_keys", (day, ParamRef("k", pa.list_(pa.date32()))), pa.bool_())
    >>> broad([keys], {"k": [1] * 7}, 200_000), broad([keys], {"k": [1] * 150_000}, 600_000)
    (False, True)
    """
    share = 1.0
    for f in filters:
        share *= _kept_share(f, params, rows)
    return share >= EARLY_SHARE


def _kept_share(f: BExpr, params: Mapping[str, object] | None, rows: int | None) -> float:
    if params is not None and rows and is_keys(f):
        return min(1.0, len(key_values(f, params)[1]) * ROWS_PER_KEY / rows)
    return selectivity(f)


def compile_search(source: LanceDB, search: VectorSearch,
                   params: Mapping[str, object]) -> LanceFragment:
    """A NEAREST search: exact by default, through the index at calibrated settings when
    the query asked for APPROXIMATE."""
    table_columns = source.schema_of(search.table)
    vtype = table_columns.get(search.vector_column)
    if vtype is None or not is_vector_type(vtype):
        raise BindError(f"{search.table}.{search.vector_column} is not a vector column")
    vector = query_vector(search.vector, params, vtype)
    # k None: rank every row (a prefilter finished in DuckDB, planner.prefilters)
    k = None if search.k is None else check_count("K", search.k)
    writer = FilterWriter(search.rel, table_columns, params)
    where = writer.where(search.filters)
    fetch = _fetch(search.columns, search.rel, table_columns,
                        frozenset({DISTANCE, ROW_ID}))
    version, incarnation = source.planned(search.table)
    tuning = EXACT
    if search.approximate and k:
        tuning = (Tuning(reason="APPROXIMATE overridden by exact_search=True")
                  if source.exact_search else
                  source.tuning(search.table, version, incarnation, search.vector_column, k))
    native = (f"{search.table}.nearest(vector[{len(vector)}] -> {search.vector_column}, "
              + (f"k={k}, {tuning.for_k(k).describe(k)})" if k is not None else
                 "k=every row, exact, with _rowid; the top-K is finished in DuckDB)"))
    native += native_tail(where, True, fetch, None)
    dtype = str(vtype.value_type.to_pandas_dtype().__name__)
    bound = (*writer.values, vector) + ((k,) if k is not None else ())
    return LanceFragment(source.name, source.kind, native, bound,
                         search.columns, table=search.table, fetch=fetch, filter=where,
                         vector_column=search.vector_column, vector=vector,
                         vector_dtype=dtype, k=k, tuning=tuning, version=version,
                         incarnation=incarnation)
