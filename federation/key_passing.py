"""Runs the key passes of a cut plan (``planner.semijoin``): the receiver of a pass is
compiled again with ``in_keys(column, $keys)`` added to its filters, the keys being the
distinct non-NULL values its sender returned. A sender that returned more keys than the pass
allows is skipped (the receiver is then read as planned), and the executed plan says which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

import pyarrow as pa

from federation.sources.base import CompiledFragment, Source
from federation.sources.keys import KeyList
from planner.expressions import ColumnRef, Func, ParamRef
from planner.fragments import Fragment, KeyPass

# whether a receiver should use the keys it got (how many), and why: the router's run-time say
KeyDecision = Callable[[KeyPass, int], tuple[bool, str]]


def with_keys(fragment: Fragment, passes: tuple[KeyPass, ...], tables: Mapping[int, pa.Table],
              source: Source, params: Mapping[str, object], planned: CompiledFragment,
              decide: KeyDecision | None = None
              ) -> tuple[list[CompiledFragment], list[str], int]:
    """The receiver ``fragment`` compiled with the keys of its senders (one fragment per chunk
    of its largest pass's keys, as the receiver's source takes them: their rows, together, are
    the keyed read's),
    what was done, and how many keys were passed (statistics record them). ``decide`` may
    turn a pass down once the number of keys is known (None: every pass within its cap)."""
    keyed: list[tuple[ParamRef, ColumnRef, Sequence[object], int | None]] = []
    notes: list[str] = []
    for n, kp in enumerate(p for p in passes if p.receiver == fragment.index):
        # sorted: each chunk is then a narrow range of keys (a Kuzu receiver guards its
        # list test with that range: federation.sources.cypher_expr)
        keys = distinct_sorted(tables[kp.sender].column(kp.sender_key.key))
        if len(keys) > kp.max_keys:
            notes.append(f"skipped: {kp.describe()} (fragment #{kp.sender} gave "
                         f"{len(keys)} keys)")
            continue
        if decide is not None:
            use, why = decide(kp, len(keys))
            if not use:
                notes.append(f"skipped: {kp.describe()} ({len(keys)} keys; router: {why})")
                continue
        name = f"keys#{fragment.index}.{n}"  # not an identifier: never a user's parameter
        keyed.append((ParamRef(name, pa.list_(kp.receiver_key.type)), kp.receiver_key,
                      KeyList(keys), kp.chunk))
        notes.append(f"applied: {kp.describe()} ({len(keys)} keys)")
    if not keyed:
        return [planned], notes, 0
    leaf = replace(fragment.plan, filters=(*fragment.plan.filters, *(
        Func("in_keys", (column, param), pa.bool_()) for param, column, _, _ in keyed)))
    values = dict(params) | {param.name: keys for param, _, keys, _ in keyed}
    largest = max(keyed, key=lambda k: len(k[2]))
    size = largest[3] or max(len(largest[2]), 1)
    chunks: list[Sequence[object]] = \
        [largest[2][i:i + size] for i in range(0, len(largest[2]), size)] or [[]]
    if len(chunks) > 1:
        notes.append(f"fragment #{fragment.index} read in {len(chunks)} chunks of at most "
                     f"{size} keys")
    compiled = [source.compile(leaf, values | {largest[0].name: chunk}) for chunk in chunks]
    return compiled, notes, sum(len(k[2]) for k in keyed)


def distinct_sorted(column: pa.ChunkedArray) -> pa.Array:
    """The distinct non-NULL values of ``column``, ascending. Integer, string and date keys
    are sorted, then each kept where it differs from the one before: hashing them
    (``pc.unique``) held 3x the memory for TPC-H SF1 Q21's 3.8 M order keys (286 MB against
    95) and took longer; other types (floats: NaN is not equal to itself) are hashed.

    >>> distinct_sorted(pa.chunked_array([[3, None, 1], [3, 2, 1]])).to_pylist()
    [1, 2, 3]
    >>> distinct_sorted(pa.chunked_array([["b", "a"], ["b"]])).to_pylist()
    ['a', 'b']
    >>> distinct_sorted(pa.chunked_array([[2.0, float("nan"), 2.0]])).to_pylist()
    [2.0, nan]
    """
    import pyarrow.compute as pc  # 50 ms at import: only when keys are passed

    t = column.type
    if not (pa.types.is_integer(t) or pa.types.is_string(t) or pa.types.is_date(t)):
        return pc.unique(column).drop_null().sort()
    values = column.drop_null()
    if len(values) < 2:
        return values.combine_chunks()
    ordered = values.take(pc.sort_indices(values)).combine_chunks()
    changed = pc.not_equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1))
    return ordered.filter(pa.concat_arrays([pa.array([True]), changed]))
