"""The two ways to answer ``NEAREST … APPROXIMATE`` on a column an ANN index covers: through
the index, or by the exact search (DESIGN §5.3, "vector strategy").

APPROXIMATE lets an index answer, tuned to recall ≥ 0.95 (DESIGN §3), so the exact top-K is
always a valid answer too. Which is faster depends on the prefilter: the index pays off on a
broad one (it visits a few partitions instead of every vector), while under a selective one
the exact search only ranks the rows passing it. That is the router's call (by recorded
latency); this module only says which leaves are equivalent.

A search ``planner.prefilters`` already made exact (``k`` None: every row ranked, the top-K
finished in DuckDB) and a plain NEAREST have no alternative: exact is their meaning.

>>> import pyarrow as pa
>>> from planner.capabilities import Capabilities
>>> from planner.catalog import SourceInfo, TableSchema, VectorColumn
>>> from planner.expressions import ColumnRef, ParamRef
>>> vec = pa.list_(pa.float32(), 2)
>>> table = TableSchema("kb", (("id", pa.int64()), ("v", vec)),
...                     vectors=(VectorColumn("v", 2, "l2", indexed=True),))
>>> catalog = {"docs": SourceInfo("docs", "lancedb", Capabilities(), {"kb": table})}
>>> cols = (ColumnRef("k", "id", pa.int64()),)
>>> leaf = VectorSearch("docs", "kb", "k", "v", ParamRef("q", vec), 5, cols, approximate=True)
>>> [(v.name, sorted(v.features)) for v in vector_variants(leaf, catalog)]
[('ann index', ['vector:index']), ('exact scan', ['vector:exact'])]
>>> vector_variants(replace(leaf, approximate=False), catalog)
()
"""

from __future__ import annotations

from dataclasses import replace

from planner.catalog import Catalog
from planner.logical import SourceLeaf, VectorSearch
from planner.variants import LeafVariant

INDEX = "ann index"
EXACT = "exact scan"


def vector_variants(leaf: SourceLeaf, catalog: Catalog) -> tuple[LeafVariant, ...]:
    """The index and the exact search of an APPROXIMATE search on an indexed column (the
    leaf as planned first), else nothing."""
    if not (isinstance(leaf, VectorSearch) and leaf.approximate and leaf.k is not None
            and _indexed(leaf, catalog)):
        return ()
    return (LeafVariant(INDEX, frozenset({"vector:index"}), leaf),
            LeafVariant(EXACT, frozenset({"vector:exact"}), replace(leaf, approximate=False)))


def _indexed(search: VectorSearch, catalog: Catalog) -> bool:
    info = catalog.get(search.source)
    table = info.tables.get(search.table) if info is not None else None
    return table is not None and any(
        v.name == search.vector_column and v.indexed for v in table.vectors)
