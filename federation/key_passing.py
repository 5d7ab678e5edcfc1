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
    import pyarrow.compute as pc  # 50 ms at import: only when keys are passed

    keyed: list[tuple[ParamRef, ColumnRef, Sequence[object], int | None]] = []
    notes: list[str] = []
    for n, kp in enumerate(p for p in passes if p.receiver == fragment.index):
        # sorted: each chunk is then a narrow range of keys (a Kuzu receiver guards its
        # list test with that range: federation.sources.cypher_expr)
        keys = pc.unique(tables[kp.sender].column(kp.sender_key.key)).drop_null().sort()
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
