"""Random expressions over the domain's columns, each spelled for FQL and for the DuckDB
oracle (the same text but for ``distance``), with literals or bound parameters that probe
NULLs and type boundaries."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from tests.random.schema import (
    BOOL,
    DATE,
    DATE_VALUES,
    DECIMAL_EDGES,
    FLOAT,
    FLOAT_EDGES,
    FLOAT_VALUES,
    INT,
    INT_EDGES,
    INT_VALUES,
    LIKE_PATTERNS,
    STRING,
    STRING_EDGES,
    STRING_VALUES,
    Col,
)
from tests.three.record import DIM

Pair = tuple[str, str]  # (FQL text, oracle text)
COMPARISONS = ["=", "<>", "<", "<=", ">", ">="]
LOWERED = ["note", "core", "done", "o'brien", "zoë ångström"]


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Exprs:
    """Expressions of one query; ``params`` collects the values bound to ``$p<n>``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.params: dict[str, Any] = {}

    # ---- literals
    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def value(self, col: Col) -> str:
        """A literal or parameter of ``col``'s kind: mostly the data's own values."""
        rng = self.rng
        edge = rng.random() < 0.15
        as_param = rng.random() < 0.25
        if col.kind == INT:
            if edge and rng.random() < 0.4:
                text = rng.choice(DECIMAL_EDGES)
                return self.param(Decimal(text)) if as_param else text
            v = rng.choice(INT_EDGES if edge else INT_VALUES.get(col.name, [0, 1, 5, 10]))
            return self.param(v) if as_param else str(v)
        if col.kind == FLOAT:
            f = rng.choice(FLOAT_EDGES if edge else FLOAT_VALUES.get(col.name, [0.5, 1.0]))
            return self.param(f) if as_param else repr(f)
        if col.kind == STRING:
            s = rng.choice(STRING_EDGES if edge else STRING_VALUES.get(col.name, STRING_EDGES))
            return self.param(s) if as_param else quote(s)
        if col.kind == DATE:
            d = rng.choice(DATE_VALUES)
            return self.param(d) if as_param else f"DATE '{d.isoformat()}'"
        b = rng.random() < 0.5
        return self.param(b) if as_param else ("TRUE" if b else "FALSE")

    # ---- predicates
    def conjuncts(self, cols: list[Col]) -> tuple[str, list[Pair]]:
        """A predicate's FQL text and its conjuncts (FQL, oracle): ``(a AND b)`` is two, as
        SQL reads it — and as the engine does when it picks NEAREST prefilters."""
        rng = self.rng
        if rng.random() < 0.08:
            a, b = self.predicate(cols), self.predicate(cols)
            return f"({a[0]} AND {b[0]})", [a, b]
        pair = self.predicate(cols)
        return pair[0], [pair]

    def predicate(self, cols: list[Col], depth: int = 0) -> Pair:
        rng = self.rng
        if depth < 1 and rng.random() < 0.12:  # (an AND at the top is ``conjuncts``')
            a, b = self.predicate(cols, depth + 1), self.predicate(cols, depth + 1)
            return f"({a[0]} OR {b[0]})", f"({a[1]} OR {b[1]})"
        if depth < 1 and rng.random() < 0.04:  # an AND that is not a conjunct
            a, b = self.predicate(cols, depth + 1), self.predicate(cols, depth + 1)
            return f"NOT ({a[0]} AND {b[0]})", f"NOT ({a[1]} AND {b[1]})"
        if depth < 1 and rng.random() < 0.07:
            a = self.predicate(cols, depth + 1)
            return f"NOT ({a[0]})", f"NOT ({a[1]})"
        col = rng.choice(cols)
        text = self._simple(col, cols)
        return text, text

    def _simple(self, col: Col, cols: list[Col]) -> str:
        rng = self.rng
        c = col.ref
        roll = rng.random()
        if roll < 0.06:
            return f"{c} IS {'NOT ' if rng.random() < 0.5 else ''}NULL"
        if roll < 0.09:
            return f"{c} {rng.choice(COMPARISONS)} NULL"
        if roll < 0.14 and col.kind != BOOL:
            return f"coalesce({c}, {self.value(col)}) {rng.choice(COMPARISONS)} {self.value(col)}"
        if roll < 0.22 and col.kind != BOOL:
            values = [self.value(col) for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.2:
                values.append("NULL")
            neg = "NOT " if rng.random() < 0.3 else ""
            return f"{c} {neg}IN ({', '.join(values)})"
        if roll < 0.28 and col.kind in (INT, FLOAT, DATE):
            neg = "NOT " if rng.random() < 0.2 else ""
            return f"{c} {neg}BETWEEN {self.value(col)} AND {self.value(col)}"
        if roll < 0.36:
            numeric = {INT, FLOAT}
            other = [o for o in cols if o != col and (o.kind == col.kind or
                                                       {o.kind, col.kind} <= numeric)]
            if other:
                return f"{c} {rng.choice(COMPARISONS)} {rng.choice(other).ref}"
        kind_specific = self._kind_specific(col)
        if kind_specific is not None and roll < 0.6:
            return kind_specific
        if col.kind == BOOL:
            return rng.choice([c, f"NOT {c}", f"{c} = {self.value(col)}"])
        if rng.random() < 0.2:
            return f"{self.value(col)} {rng.choice(COMPARISONS)} {c}"
        return f"{c} {rng.choice(COMPARISONS)} {self.value(col)}"

    def _kind_specific(self, col: Col) -> str | None:
        rng = self.rng
        c = col.ref
        if col.kind == STRING:
            pattern = rng.choice(LIKE_PATTERNS)
            return rng.choice([
                f"{c} {'NOT ' if rng.random() < 0.2 else ''}LIKE {quote(pattern)}",
                f"lower({c}) = {quote(rng.choice(LOWERED))}",
                f"upper({c}) LIKE {quote(pattern.upper())}",
                f"length({c}) {rng.choice(COMPARISONS)} {rng.randint(0, 40)}",
                f"substr({c}, 1, 2) = {quote(rng.choice(['no', 'co', 'Ad', 'lo', '日本']))}"])
        if col.kind == INT:
            n = rng.randint(2, 7)
            return rng.choice([
                f"{c} % {n} = {rng.randint(0, n - 1)}",
                f"{c} + 1 {rng.choice(COMPARISONS)} {self.value(col)}",
                f"abs({c} - 50) < {rng.randint(1, 60)}",
                f"{c} * 2 {rng.choice(COMPARISONS)} {self.value(col)}",
                f"{c} / 2 {rng.choice(COMPARISONS)} {self.value(col)}"])
        if col.kind == FLOAT:
            return rng.choice([f"round({c}, 1) {rng.choice(COMPARISONS)} {self.value(col)}",
                               f"{c} * 10 > {self.value(col)}",
                               f"{c} - {self.value(col)} < 0.5"])
        if col.kind == DATE:
            return rng.choice([f"extract(year FROM {c}) = {rng.randint(2019, 2026)}",
                               f"{c} >= {self.value(col)}"])
        return None

    # ---- select items
    def scalar(self, col: Col) -> Pair:
        rng = self.rng
        c = col.ref
        if rng.random() < 0.6 or (col.kind == BOOL and rng.random() < 0.7):
            return c, c
        options = {
            INT: [f"{c} + 1", f"{c} * 3", f"abs({c} - 50)", f"{c} % 4", f"{c} / 4",
                  f"CAST({c} AS VARCHAR)", f"coalesce({c}, -1)"],
            FLOAT: [f"round({c}, 2)", f"{c} * 2", f"{c} + 0.5", f"coalesce({c}, 0.0)"],
            STRING: [f"lower({c})", f"upper({c})", f"length({c})", f"substr({c}, 2, 3)",
                     f"coalesce({c}, '?')"],
            DATE: [f"extract(year FROM {c})", f"extract(month FROM {c})",
                   f"CAST({c} AS VARCHAR)", f"coalesce({c}, DATE '2000-01-01')"],
            BOOL: [f"CASE WHEN {c} THEN 'yes' ELSE 'no' END", f"NOT {c}"],
        }[col.kind]
        text = rng.choice(options)
        if rng.random() < 0.1:
            pred = self._simple(col, [col])
            text = f"CASE WHEN {pred} THEN 1 ELSE 0 END"
        return text, text

    def aggregate(self, col: Col | None) -> Pair:
        rng = self.rng
        if col is None:
            return "count(*)", "count(*)"
        c = col.ref
        funcs = ["count", "min", "max"] + (["sum", "avg"] if col.kind in (INT, FLOAT) else [])
        f = rng.choice(funcs)
        text = f"count(DISTINCT {c})" if f == "count" and rng.random() < 0.4 else f"{f}({c})"
        return text, text

    @staticmethod
    def distance(alias: str, vector: str) -> Pair:
        return (f"distance({alias}.vector, ${vector})",
                f"(array_distance({alias}.vector, ${vector}::FLOAT[{DIM}]) ** 2)")
