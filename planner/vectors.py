"""Query vectors: lists of finite numbers of a column's dimension."""

from __future__ import annotations

import math
from collections.abc import Mapping

from grammar import ast
from planner.errors import BindError
from planner.expressions import BExpr, Const, ParamRef

DISTANCE = "_distance"  # the column NEAREST adds: the distance in the source's metric
# the row id the exact search breaks distance ties by (ascending), read when the ranking
# is finished in DuckDB (planner.prefilters)
ROW_ID = "_rowid"


def check_vector(vector: BExpr, params: Mapping[str, object], dimension: int,
                 node: ast.Node) -> None:
    """A query vector is a list of finite numbers of the column's dimension."""
    if isinstance(vector, Const):
        value = vector.value
    elif isinstance(vector, ParamRef):
        value = params[vector.name]
    else:
        raise BindError("the query vector must be a $parameter", line=node.line,
                        column=node.column)
    try:
        numbers = [float(x) for x in value]  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise BindError("the query vector must be a list of numbers", line=node.line,
                        column=node.column) from None
    if len(numbers) != dimension:
        raise BindError(f"the query vector has {len(numbers)} dimensions; the column has "
                        f"{dimension}", line=node.line, column=node.column)
    if not all(math.isfinite(x) for x in numbers):
        raise BindError("the query vector has NaN or infinite values", line=node.line,
                        column=node.column)
