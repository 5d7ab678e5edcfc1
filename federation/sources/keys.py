"""Passed join keys (``federation.key_passing``) as a sequence over their Arrow array.

A receiver that binds its keys as a list (SQLite, Kuzu) iterates them as Python values, a
slice at a time; one that filters in Arrow (LanceDB, ``lance_read.keep_keys``) takes
``arrow`` and never makes a Python int per key. TPC-H SF1 Q21 passes 1.4 M order keys into
a lineitem read: as a Python list they held ~55 MB for the whole query, and the LanceDB
receiver made them an Arrow array again.

>>> import pyarrow as pa
>>> keys = KeyList(pa.array([1, 5, 9, 12]))
>>> len(keys), list(keys), keys[-1], list(keys[1:3]), list(keys[3:9])
(4, [1, 5, 9, 12], 12, [5, 9], [12])
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import pyarrow as pa

_ITER_KEYS = 1 << 16  # Python values made at a time while iterating


class KeyList(Sequence[object]):
    """Read-only; slices share the array. Equal and hashed by identity, like the list the
    executor built before (a compiled fragment holding keys is never a cache key)."""

    __slots__ = ("arrow",)

    def __init__(self, arrow: pa.Array) -> None:
        self.arrow = arrow

    def __len__(self) -> int:
        return len(self.arrow)

    def __iter__(self) -> Iterator[object]:
        for start in range(0, len(self.arrow), _ITER_KEYS):
            yield from self.arrow.slice(start, _ITER_KEYS).to_pylist()

    @overload
    def __getitem__(self, index: int) -> object: ...
    @overload
    def __getitem__(self, index: slice) -> KeyList: ...

    def __getitem__(self, index: int | slice) -> object:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self.arrow))
            if step != 1:
                raise ValueError("passed keys are sliced in order only")
            return KeyList(self.arrow.slice(start, max(stop - start, 0)))
        return self.arrow[index].as_py()

    def __repr__(self) -> str:
        return f"KeyList({len(self.arrow)} keys of {self.arrow.type})"


def key_array(keys: Sequence[object]) -> pa.Array:
    """The keys as an Arrow array (no copy for a ``KeyList``)."""
    return keys.arrow if isinstance(keys, KeyList) else pa.array(list(keys))
