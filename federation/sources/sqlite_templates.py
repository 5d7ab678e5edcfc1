"""SQLite fragment texts reused across parameter values, and row estimates across runs.

Writing a fragment's SQL and estimating its rows cost about as much as the primary-key lookup
it runs. A cached plan hands the source the same fragment object on every run, and its text
depends on the parameter values only where a value decides the text: a NUL in a LIKE operand,
an exact decimal comparison, a long IN list, passed keys. Those paths read the parameters other
than by binding one (``SqlWriter.expr`` of a ``ParamRef``), so a fragment is written once with a
``RecordingWriter`` that counts every read: when each read was a plain binding, the text is kept
with, for each bound value, the constant or the parameter it came from, and the next run binds
the new values in that order (converted as ``SqlWriter.bind`` converts them). Anything else is
written afresh on every run.

An entry is found by the fragment's identity (the entry holds the fragment, so its id is not
reused meanwhile) and the Python types of the values it binds (a value of another type
is written afresh: a type can change what binding does). The text never depends on the catalog:
a changed schema gives a new plan, hence new fragments. The row estimate does depend on it, and
on the table sizes: it is kept with the catalog object and the connection's data version it was
made on, and made again when either moved.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import NamedTuple, TypeVar

from federation.sources.sqlite_sql import SqliteWriter
from federation.sqlgen import sqlite_value
from planner.expressions import BExpr, ColumnRef, ParamRef
from planner.logical import Plan

E = TypeVar("E")
MAX_ENTRIES = 1024  # fragments of recent plans (the plan cache holds 512 plans)


class _CountedReads(Mapping[str, object]):
    """The parameters, counting every value read."""

    def __init__(self, params: Mapping[str, object]) -> None:
        self._params = params
        self.reads = 0

    def __getitem__(self, name: str) -> object:
        self.reads += 1
        return self._params[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)


class RecordingWriter(SqliteWriter):
    """A ``SqliteWriter`` that records which bound values are parameters bound as they are."""

    def __init__(self, params: Mapping[str, object], column: Callable[[ColumnRef], str]) -> None:
        self._reads = _CountedReads(params)
        super().__init__(self._reads, column)
        self.slots: list[tuple[int, str]] = []  # (index in ``values``, parameter name)

    def expr(self, e: BExpr) -> str:
        if isinstance(e, ParamRef):  # one read, one value bound (``SqlWriter.expr``)
            self.slots.append((len(self.values), e.name))
        return super().expr(e)

    @property
    def value_free(self) -> bool:
        """Whether the text holds no parameter's value: every read was a plain binding."""
        return self._reads.reads == len(self.slots)


class _Text(NamedTuple):
    fragment: Plan
    types: tuple[type, ...]  # of the values bound in ``slots``
    sql: str
    values: tuple[object, ...]  # constants in place; parameters' places overwritten
    slots: tuple[tuple[int, str], ...]


class _Estimate(NamedTuple):
    fragment: Plan
    stamp: tuple[object, Hashable]  # (catalog object, data version)
    rows: int | None


class Templates:
    """One source's kept texts and estimates (thread-safe: entries are immutable, and a
    dict's get and set are atomic)."""

    def __init__(self) -> None:
        self._texts: dict[int, _Text] = {}
        self._estimates: dict[int, _Estimate] = {}

    def text(self, fragment: Plan, params: Mapping[str, object],
             column: Callable[[ColumnRef], str],
             write: Callable[[SqliteWriter], str]) -> tuple[str, tuple[object, ...]]:
        """The SQL of ``fragment`` and its bound values: ``write`` prints it with a writer."""
        kept = self._texts.get(id(fragment))
        if kept is not None and kept.fragment is fragment:
            bound = [params[name] for _, name in kept.slots]
            if tuple(map(type, bound)) == kept.types:
                fresh = list(kept.values)
                for (index, _), value in zip(kept.slots, bound, strict=True):
                    fresh[index] = sqlite_value(value)
                return kept.sql, tuple(fresh)
        writer = RecordingWriter(params, column)
        sql = write(writer)
        values = tuple(writer.values)
        if writer.value_free:
            slots = tuple(writer.slots)
            types = tuple(type(params[name]) for _, name in slots)
            _bounded(self._texts)[id(fragment)] = _Text(fragment, types, sql, values, slots)
        return sql, values

    def estimate(self, fragment: Plan, stamp: tuple[object, Hashable],
                 make: Callable[[], int | None]) -> int | None:
        kept = self._estimates.get(id(fragment))
        if kept is not None and kept.fragment is fragment and kept.stamp[0] is stamp[0] \
                and kept.stamp[1] == stamp[1]:
            return kept.rows
        rows = make()
        _bounded(self._estimates)[id(fragment)] = _Estimate(fragment, stamp, rows)
        return rows

    def clear(self) -> None:
        self._texts.clear()
        self._estimates.clear()


def _bounded(entries: dict[int, E]) -> dict[int, E]:
    if len(entries) >= MAX_ENTRIES:  # plans come and go: start over rather than track use
        entries.clear()
    return entries
