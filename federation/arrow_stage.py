"""A stage that only picks, renames and slices one fragment's columns runs in Arrow.

A primary-key lookup is one fragment and an ``Output`` that renames its columns; handing it to
DuckDB costs a millisecond of registration and SQL for nothing. When the stage is a chain of
``Output``, column-only ``Project`` and ``Limit`` nodes over one ``FragmentInput``, the same
columns are selected from the fragment's Arrow table directly (zero-copy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from planner.expressions import ColumnRef
from planner.logical import FragmentInput, Limit, Output, Plan, Project


@dataclass(frozen=True)
class ArrowStage:
    """Select ``columns`` of fragment ``index`` under ``names``, then apply ``slices``
    (``(offset, limit)`` pairs, innermost first)."""

    index: int
    columns: tuple[str, ...]
    names: tuple[str, ...]
    slices: tuple[tuple[int, int | None], ...] = ()

    def run(self, table: pa.Table) -> pa.Table:
        for offset, limit in self.slices:
            table = table.slice(offset, limit)
        return table.select(self.columns).rename_columns(self.names)

    def describe(self) -> str:
        cols = ", ".join(f"{c} AS {n}" for c, n in zip(self.columns, self.names, strict=True))
        text = f"Arrow: select {cols} from fragment #{self.index}"
        for offset, limit in self.slices:
            text += f", slice(offset={offset}, limit={limit})"
        return text


@dataclass
class _Walk:
    wanted: list[str]  # keys the node above reads, in output order
    slices: list[tuple[int, int | None]]


def _project(node: Plan, walk: _Walk) -> Plan | None:
    assert isinstance(node, Project)
    source = {c.key: e for c, e in node.items}
    if not all(isinstance(source[k], ColumnRef) for k in walk.wanted):
        return None
    walk.wanted = [source[k].key for k in walk.wanted]  # type: ignore[union-attr]
    return node.child


def _limit(node: Plan, walk: _Walk) -> Plan | None:
    assert isinstance(node, Limit)
    walk.slices.insert(0, (node.offset, node.limit))  # the inner limit applies first
    return node.child


def _kept(typ: pa.DataType) -> bool:
    """Whether DuckDB returns a column of this Arrow type as the same type (it reads
    ``date64`` back as ``date32`` and gives a zoned timestamp its own session time zone)."""
    t = pa.types
    if t.is_list(typ) or t.is_fixed_size_list(typ):
        return _kept(typ.value_type)
    if t.is_struct(typ):
        return all(_kept(typ.field(i).type) for i in range(typ.num_fields))
    if t.is_timestamp(typ):
        return typ.tz is None
    return (t.is_null(typ) or t.is_boolean(typ) or t.is_integer(typ) or t.is_float64(typ)
            or t.is_float32(typ) or t.is_string(typ) or t.is_binary(typ) or t.is_date32(typ)
            or t.is_decimal128(typ) or typ == pa.time64("us"))


_STEPS: dict[type, Callable[[Plan, _Walk], Plan | None]] = {Project: _project, Limit: _limit}


def arrow_stage(stage: Plan) -> ArrowStage | None:
    """The Arrow form of ``stage``, or None when it needs DuckDB.

    >>> import pyarrow as pa
    >>> col = ColumnRef("t", "id", pa.int64())
    >>> arrow_stage(Output(FragmentInput(0, "s", (col,)), (col,), ("id",))).describe()
    'Arrow: select t.id AS id from fragment #0'
    """
    if not isinstance(stage, Output):
        return None
    walk = _Walk([c.key for c in stage.columns], [])
    node: Plan | None = stage.child
    while node is not None and not isinstance(node, FragmentInput):
        step = _STEPS.get(type(node))
        node = step(node, walk) if step is not None else None
    if node is None:
        return None
    types = {c.key: c.type for c in node.columns}
    if not all(_kept(types[k]) for k in walk.wanted if k in types):
        return None  # DuckDB would hand it back as another type
    return ArrowStage(node.index, tuple(walk.wanted), stage.names, tuple(walk.slices))
