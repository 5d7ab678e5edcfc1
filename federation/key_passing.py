"""Runs the key passes of a cut plan (``planner.semijoin``): the receiver of a pass is
compiled again with ``in_keys(column, $keys)`` added to its filters, the keys being the
distinct non-NULL values its sender returned. A sender that returned more keys than the pass
allows is skipped (the receiver is then read as planned), and the executed plan says which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

import pyarrow as pa

from federation.sources.base import CompiledFragment, Source
from planner.expressions import BExpr, Func, ParamRef
from planner.fragments import Fragment, KeyPass

# whether a receiver should use the keys it got (how many), and why: the router's run-time say
KeyDecision = Callable[[KeyPass, int], tuple[bool, str]]


def with_keys(fragment: Fragment, passes: tuple[KeyPass, ...], tables: Mapping[int, pa.Table],
              source: Source, params: Mapping[str, object], planned: CompiledFragment,
              decide: KeyDecision | None = None) -> tuple[CompiledFragment, list[str], int]:
    """The receiver ``fragment`` compiled with the keys of its senders, what was done, and
    how many keys were passed (statistics record them). ``decide`` may turn a pass down
    once the number of keys is known (None: every pass within its cap is made)."""
    import pyarrow.compute as pc  # 50 ms at import: only when keys are passed

    filters: list[BExpr] = []
    values = dict(params)
    notes: list[str] = []
    passed = 0
    for n, kp in enumerate(p for p in passes if p.receiver == fragment.index):
        keys = pc.unique(tables[kp.sender].column(kp.sender_key.key)).drop_null()
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
        values[name] = keys.to_pylist()
        typ = pa.list_(kp.receiver_key.type)
        filters.append(Func("in_keys", (kp.receiver_key, ParamRef(name, typ)), pa.bool_()))
        passed += len(keys)
        notes.append(f"applied: {kp.describe()} ({len(keys)} keys)")
    if not filters:
        return planned, notes, 0
    leaf = replace(fragment.plan, filters=(*fragment.plan.filters, *filters))
    return source.compile(leaf, values), notes, passed
