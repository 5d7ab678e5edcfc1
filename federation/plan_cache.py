"""Plans of recent queries, reused across parameter values that cannot change the plan.

A plan depends on the query (its AST, whose literals compare by type and spelling; the
engine passes it with its hash computed once, ``federation.answers.QueryKey``), on the
*types* of the parameters (a family decides what a source accepts), on the values of the
parameters that give a LIMIT, OFFSET or K (they are frozen into the plan), and on the catalog
of every source the query reads (its fingerprint, a digest of the schema). Lookup is in two
steps: the first key, without values, says which parameters shape the plan; the second adds
their values. A query whose only parameters are filter values is planned once.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping

import pyarrow as pa
from cachetools import LRUCache

from federation.routing import Routes
from planner.catalog import SourceInfo
from planner.types import INT64_RANGE, type_of_value

_Key = tuple[Hashable, ...]


def param_types(values: Mapping[str, object]) -> tuple[Hashable, ...]:
    """What every parameter contributes regardless of its value: name, Arrow type and, for
    vectors, the dimension.

    >>> param_types({"a": True, "b": 1, "c": [0.5, 0.25]})
    (('a', DataType(bool)), ('b', DataType(int64)), ('c', ListType(list<item: float>), 2))
    """
    def shape(name: str, value: object) -> Hashable:
        kind = type(value)
        typ = _PLAIN_TYPES.get(kind)  # the usual kinds: no Arrow type built per query
        if typ is not None:
            return (name, typ)
        if kind is int and INT64_RANGE[0] <= value <= INT64_RANGE[1]:  # type: ignore[operator]
            return (name, _INT64)
        typ = type_of_value(value)
        if pa.types.is_list(typ):
            return (name, typ, len(value))  # type: ignore[arg-type]
        return (name, typ)

    if len(values) == 1:
        for name, value in values.items():
            return (shape(name, value),)
    return tuple(shape(name, value) for name, value in sorted(values.items()))


_INT64 = pa.int64()
# Python types whose Arrow type does not depend on the value (an int may be a DECIMAL(38, 0))
_PLAIN_TYPES: dict[type, pa.DataType] = {
    bool: pa.bool_(), float: pa.float64(), str: pa.string(), type(None): pa.null()}


class PlanCache:
    """Bounded and thread-safe; ``len()`` counts distinct plans."""

    def __init__(self, maxsize: int = 512) -> None:
        self._shapes: LRUCache[_Key, frozenset[str]] = LRUCache(maxsize=maxsize)
        self._plans: LRUCache[_Key, Routes] = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    @staticmethod
    def base_key(query: Hashable, values: Mapping[str, object],
                 catalog: Mapping[str, SourceInfo]) -> _Key:
        schemas = tuple((name, info.fingerprint) for name, info in sorted(catalog.items()))
        return (query, param_types(values), schemas)

    @staticmethod
    def _full_key(base: _Key, shaping: frozenset[str], values: Mapping[str, object]) -> _Key:
        return (base, tuple((name, values[name]) for name in sorted(shaping)))

    def get(self, base: _Key, values: Mapping[str, object]) -> Routes | None:
        with self._lock:
            shaping = self._shapes.get(base)
            if shaping is None:
                return None
            return self._plans.get(self._full_key(base, shaping, values))

    def put(self, base: _Key, values: Mapping[str, object], shaping: frozenset[str],
            plan: Routes) -> None:
        with self._lock:
            self._shapes[base] = shaping
            self._plans[self._full_key(base, shaping, values)] = plan

    def clear(self) -> None:
        with self._lock:
            self._shapes.clear()
            self._plans.clear()

    def __len__(self) -> int:
        return len(self._plans)
