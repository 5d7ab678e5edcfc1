"""Reading a compiled LanceDB fragment from a Lance dataset, and shaping it to its schema.

Scans go through the dataset scanner with large batches: ``table.search().to_arrow()`` streams
1024-row batches, about 15x slower on a 1M-row table than ``ds.scanner(batch_size=...)``. The
filter text is the same DataFusion SQL LanceDB passes to this scanner (``lance_filter``), so its
semantics are unchanged (the DuckDB-oracle filter tests run on this path).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from federation import cancel
from federation.sources.base import CompiledFragment, arrow_schema, empty_table
from federation.sources.keys import key_array
from federation.sources.lance_vector import Tuning, nearest_options
from planner.vectors import ROW_ID

if TYPE_CHECKING:
    from lance import LanceDataset

DISTANCE = "_distance"
# 64k..1M rows per batch measured within noise of each other on 1M rows of 1-16 columns (all
# far above search()'s 1024); 256k keeps a streamed batch of wide rows at tens of MB
BATCH_ROWS = 1 << 18
# a scan reads this many Lance fragments (or rows) at a time, checking for cancellation
# between groups; a group of 1M rows reads in about 0.1 s
GROUP_FRAGMENTS = 16
GROUP_ROWS = 1 << 20
# an exact search under a deadline runs group by group too; its cost grows faster than its
# rows when K is large (64k rows ranked whole: 0.1 s; 300k: 3.5 s), so its groups are smaller
SEARCH_GROUP_ROWS = 1 << 16
# a scan whose passed keys keep few rows and whose other conjuncts read costly columns reads
# the keys' row ids first, then those rows with the rest of the filter (``narrowed``): Lance
# decodes every column a filter names for every row, and TPC-H Q19's lineitem read at SF 1
# (485 part keys keep 14 301 of 6 M rows; ship mode and instruction strings) took 288 ms in
# one step, 31 + 57 ms in two. Reading rows by id costs about 2.4 us a row against ~45 ns a
# row for a scan decoding them, so the first step gives up past 1% of the table
NARROW_SHARE = 0.01
NARROW_IDS = 8192  # row ids per filter of the second step


@dataclass(frozen=True)
class LanceFragment(CompiledFragment):
    """A compiled LanceDB query: what ``execute`` runs, besides the EXPLAIN text in ``native``.

    ``fetch`` are the table columns read (in output order); ``vector``/``k``/``tuning`` are set
    for a nearest-neighbour search, ``limit`` for a scan. ``version`` and ``incarnation`` name
    the table version the query was planned on (``incarnation`` tells a recreated table apart).
    """

    table: str = ""
    fetch: tuple[str, ...] = ()
    filter: str | None = None
    limit: int | None = None
    vector_column: str | None = None
    vector: tuple[float, ...] | None = None
    vector_dtype: str = "float32"
    k: int | None = None
    tuning: Tuning | None = None
    version: int | None = None
    incarnation: int = 0
    # passed join keys (planner.semijoin): (column, keys) kept batch by batch after the scan;
    # (more keys than lance_filter.FILTER_KEYS; fewer go into the filter as an IN list)
    keys: tuple[tuple[str, Sequence[object]], ...] = ()
    # the filter is guessed to keep many rows: the fetched columns are decoded with the
    # filter's, but for these wide ones (vectors, lists, binary), taken afterwards as Lance's
    # default does for all (it guesses 0.1% kept); None: that default
    late: tuple[str, ...] | None = None
    # (the passed keys' filter, the rest of it): read in two steps when the rest decodes
    # costly columns (``_key_row_ids``, ``_rows_by_id``); ``filter`` is both, the one-step
    # fallback
    narrowed: tuple[str, str] | None = None


def scanner(ds: LanceDataset, c: LanceFragment, fragments: list[Any] | None = None,
            limit: int | None = None) -> Any:
    """The Lance scanner for a fragment (every row of a scan unless limited); a scan may be
    restricted to some of the dataset's ``fragments``, with its own ``limit``."""
    fetch = list(c.fetch) or [cheapest_column(ds.schema)]
    if c.vector is None:
        return ds.scanner(columns=fetch, filter=c.filter,
                          limit=c.limit if fragments is None else limit,
                          batch_size=BATCH_ROWS, fragments=fragments,
                          late_materialization=_late(c.late))
    assert c.vector_column is not None and c.tuning is not None
    query = np.asarray(c.vector, dtype=c.vector_dtype)
    # k None: every row of this version, ranked (the exact search orders ties by row id)
    k = c.k if c.k is not None else max(1, ds.count_rows())
    nearest = nearest_options(c.vector_column, query, k, c.tuning.for_k(k))
    # a search over some ``fragments`` keeps the row id: its top-K is merged by it
    wanted = fragments is not None or any(col.name == ROW_ID for col in c.schema)
    row_id = [ROW_ID] if wanted else []
    # name _distance explicitly: relying on its implicit projection is deprecated in Lance
    return ds.scanner(columns=[*fetch, *row_id, DISTANCE], filter=c.filter, nearest=nearest,
                      prefilter=True, fragments=fragments)


def _late(columns: tuple[str, ...] | None) -> bool | list[str] | None:
    return None if columns is None else list(columns) if columns else False


def scan_batches(ds: LanceDataset, c: LanceFragment) -> Iterator[pa.RecordBatch]:
    """The fragment's batches, checked against the query's token (taken now: streams are
    drained on DuckDB's threads). A Lance reader blocks until it has a batch, which with a
    selective filter may come only after the whole table was read, so a scan reads a group
    of the dataset's fragments at a time and the token is checked between groups too: a
    cancelled scan stops within one group's read. Under a deadline an exact search is split
    into groups the same way (``_grouped_search``)."""
    token = cancel.current()
    if c.vector is None:
        return _grouped_scan(ds, c, token)
    assert c.tuning is not None
    if token is not None and token.deadline is not None and c.tuning.exact:
        return _grouped_search(ds, c, token)
    # one search call: without a deadline it is the fastest path; an APPROXIMATE (index)
    # search cannot be split by fragments (the index spans them), so it stays one call
    return cancel.checked(scanner(ds, c).to_reader(), token)


def _grouped_scan(ds: LanceDataset, c: LanceFragment, token: cancel.QueryToken | None
                  ) -> Iterator[pa.RecordBatch]:
    if c.narrowed is not None:
        ids = _key_row_ids(ds, c.narrowed[0], token)
        if ids is not None:
            yield from _rows_by_id(ds, c, ids, token)
            return
    remaining = c.limit
    for group in _fragment_groups(ds.get_fragments()):
        if remaining is not None and remaining <= 0:
            return
        if token is not None:
            token.check()
        for batch in scanner(ds, c, group, remaining).to_reader():
            if token is not None:
                token.check()
            if remaining is not None:
                batch = batch.slice(0, remaining)
                remaining -= batch.num_rows
            yield batch


def _key_row_ids(ds: LanceDataset, keys: str, token: cancel.QueryToken | None
                 ) -> list[int] | None:
    """Row ids of the rows the passed keys' filter keeps, in dataset order; None once they
    are more than ``NARROW_SHARE`` of the table (the rows are then read in one scan)."""
    most = int(ds.count_rows() * NARROW_SHARE)
    ids: list[int] = []
    for group in _fragment_groups(ds.get_fragments()):
        if token is not None:
            token.check()
        for batch in ds.scanner(columns=[], filter=keys, with_row_id=True,
                                batch_size=BATCH_ROWS, fragments=group).to_reader():
            ids += batch.column(ROW_ID).to_pylist()
            if len(ids) > most:
                return None
    return ids


def _rows_by_id(ds: LanceDataset, c: LanceFragment, ids: list[int],
                token: cancel.QueryToken | None) -> Iterator[pa.RecordBatch]:
    """The rows among ``ids`` that the rest of the filter keeps: Lance reads rows named by
    row id, so the costly columns are decoded for those rows only. The ids are numbers the
    first step read, never a user's value."""
    assert c.narrowed is not None
    fetch = list(c.fetch) or [cheapest_column(ds.schema)]
    for start in range(0, len(ids), NARROW_IDS):
        if token is not None:
            token.check()
        listed = ", ".join(str(int(i)) for i in ids[start:start + NARROW_IDS])
        text = f"{ROW_ID} IN ({listed}) AND ({c.narrowed[1]})"
        yield from ds.scanner(columns=fetch, filter=text, batch_size=BATCH_ROWS).to_reader()


def _grouped_search(ds: LanceDataset, c: LanceFragment, token: cancel.QueryToken
                    ) -> Iterator[pa.RecordBatch]:
    """An exact search as one search per group of fragments, the token checked between
    groups: the top-K of the whole table is among the groups' top-Ks (each group applies the
    prefilter itself), and ordering them by distance, then row id, is the order of one exact
    search (ties included). The kept candidates are cut back to K once they reach 2K rows."""
    k = c.k if c.k is not None else max(1, ds.count_rows())
    kept: list[pa.Table] = []
    held = 0
    for group in _fragment_groups(ds.get_fragments(), SEARCH_GROUP_ROWS):
        token.check()
        found = scanner(ds, c, group).to_table()
        token.check()
        kept.append(found)
        held += found.num_rows
        if held >= 2 * k:
            kept = [_nearest_first(pa.concat_tables(kept), k)]
            held = kept[0].num_rows
    if not kept:
        return iter(())
    merged = _nearest_first(pa.concat_tables(kept), k)
    if not any(col.name == ROW_ID for col in c.schema):
        merged = merged.drop_columns([ROW_ID])
    return iter(merged.to_batches(max_chunksize=BATCH_ROWS))


def _nearest_first(found: pa.Table, k: int) -> pa.Table:
    return found.sort_by([(DISTANCE, "ascending"), (ROW_ID, "ascending")]).slice(0, k)


def _fragment_groups(fragments: list[Any], most_rows: int = GROUP_ROWS
                     ) -> Iterator[list[Any]]:
    """Consecutive fragments, at most ``GROUP_FRAGMENTS`` or about ``most_rows`` rows each
    (one large fragment alone), in dataset order, so a scan keeps its row order."""
    group: list[Any] = []
    rows = 0
    for fragment in fragments:
        size = fragment.metadata.physical_rows or 0
        if group and (len(group) >= GROUP_FRAGMENTS or rows + size > most_rows):
            yield group
            group, rows = [], 0
        group.append(fragment)
        rows += size
    if group:
        yield group


def keep_keys(batches: Iterator[pa.RecordBatch], c: LanceFragment
              ) -> Iterator[pa.RecordBatch]:
    """The rows whose key columns hold one of the passed keys (hash lookups, batch by batch,
    so only matching rows are ever held). Each key set is typed once per column type, not
    once per batch: typing millions of keys per batch held them as Python ints again
    (TPC-H SF1 Q21, 3.8 M keys: ~200 MB more at its peak)."""
    import pyarrow.compute as pc  # imported when keys are passed, not with the engine

    sets = [(column, key_array(values)) for column, values in c.keys]
    typed: dict[tuple[int, pa.DataType], pa.Array] = {}
    for batch in batches:
        for n, (column, values) in enumerate(sets):
            array = batch.column(column)
            value_set = typed.get((n, array.type))
            if value_set is None:
                value_set = typed[n, array.type] = _key_set(values, array.type)
            batch = batch.filter(pc.is_in(array, value_set=value_set))
        if batch.num_rows:
            yield batch


def _key_set(values: pa.Array, typ: pa.DataType) -> pa.Array:
    """The keys as the column's type, without NULLs: a key outside a narrower integer
    column's range (an int8 column joined with BIGINT keys) matches no row there and is left
    out.

    >>> _key_set(pa.array([1, None, 300]), pa.int8()).to_pylist()
    [1]
    >>> _key_set(pa.array([1, None, 300]), pa.int64()).to_pylist()
    [1, 300]
    """
    if pa.types.is_integer(typ) and pa.types.is_integer(values.type):
        try:  # every key fits (a safe cast checks): no Python int is made
            return values.drop_null().cast(typ)
        except pa.ArrowInvalid:
            pass
        info = np.iinfo(typ.to_pandas_dtype())
        values = pa.array([v for v in values.to_pylist()
                           if v is not None and info.min <= v <= info.max], values.type)
    return values.cast(typ)


def shape(result: pa.Table | pa.RecordBatch, c: LanceFragment) -> Any:
    """The result with the fragment's column keys, cast to the declared types.

    Raises ``KeyError`` or an Arrow error when a column does not fit.
    """
    if not c.schema:
        return result.select([])  # keeps the row count
    arrays = [_as_type(result.column(col.name), col.type) for col in c.schema]
    names = [col.key for col in c.schema]
    if isinstance(result, pa.RecordBatch):
        return pa.RecordBatch.from_arrays(arrays, names=names)
    if result.num_rows == 0:
        return empty_table(c.schema)
    return pa.Table.from_arrays(arrays, names=names)


def stream(batches: Iterator[pa.RecordBatch], c: LanceFragment) -> pa.RecordBatchReader:
    """A reader in the declared schema over the scanner's batches."""
    schema = arrow_schema(c.schema)

    def shaped() -> Iterator[pa.RecordBatch]:
        for batch in batches:
            if batch.num_rows:
                yield shape(batch, c)
    return pa.RecordBatchReader.from_batches(schema, shaped())


def _as_type(column: Any, t: pa.DataType) -> Any:
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column if column.type == t else column.cast(t)


def cheapest_column(schema: pa.Schema) -> str:
    """A small column to read when only the row count matters."""
    for field in schema:
        if pa.types.is_primitive(field.type) and "`" not in field.name:
            return str(field.name)
    return str(schema[0].name)


def is_vector_type(t: pa.DataType) -> bool:
    """A fixed-size list of floats: a column LanceDB can search."""
    return pa.types.is_fixed_size_list(t) and pa.types.is_floating(t.value_type)


def normalize_type(t: pa.DataType) -> pa.DataType:
    """The type the catalog reports for a Lance column (see the lancedb module docstring)."""
    if pa.types.is_dictionary(t):
        return normalize_type(t.value_type)
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pa.string()
    if pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        return pa.binary()
    return t


def native_tail(where: str | None, prefilter: bool, fetch: tuple[str, ...],
                 limit: int | None) -> str:
    text = ""
    if where is not None:
        text += f".where({where!r}" + (", prefilter=True)" if prefilter else ")")
    text += ".select([" + ", ".join(fetch) + "])"
    if limit is not None:
        text += f".limit({limit})"
    return text
