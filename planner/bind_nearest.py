"""``NEAREST src.table TO <vector> K <n> [APPROXIMATE] [AS a]``: the top-n rows nearest to a
vector, with the ``_distance`` column."""

from __future__ import annotations

import pyarrow as pa

from grammar import ast_relations
from planner.bind_catalog import find_source, find_table
from planner.bind_context import BindContext, BoundRelation
from planner.bind_scope import RelBinding, Scope
from planner.errors import BindError
from planner.expressions import ColumnRef
from planner.logical import VectorSearch
from planner.vectors import DISTANCE, check_vector

DISTANCE_TYPE = pa.float32()


def bind_nearest(binder: BindContext, ref: ast_relations.NearestRef, outer: Scope | None
                 ) -> BoundRelation:
    source = find_source(binder, ref.source, ref)
    table = find_table(source, ref.table, ref)
    if not table.vectors:
        raise BindError(f"table {ref.source}.{table.name} has no vector column for NEAREST",
                        line=ref.line, column=ref.column)
    column = table.vectors[0]
    vector = binder.exprs.bind(ref.vector, Scope([]))
    check_vector(vector, binder.exprs.params, column.dimension, ref.vector)
    k = binder.count(ref.k)
    if k is None or not 1 <= k <= binder.max_k:
        raise BindError(f"K must be between 1 and {binder.max_k}", line=ref.k.line,
                        column=ref.k.column)
    alias = ref.alias or table.name
    rel = binder.unique_rel(alias)
    distance = ColumnRef(rel, DISTANCE, DISTANCE_TYPE)
    columns = (*(ColumnRef(rel, n, t) for n, t in table.columns), distance)
    plan = VectorSearch(source.name, table.name, rel, column.name, vector, k, columns,
                        approximate=ref.approximate, available=columns)
    return plan, [RelBinding.of(alias, columns, {column.name: column.metric})]
