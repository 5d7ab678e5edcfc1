"""Run random queries through the engine and the DuckDB oracle and classify each outcome.

* ``ok``: same rows (multisets; sequences when the query orders every output column);
* ``failure``: different rows, or a raw (non-``FederationError``) exception from the engine;
* ``refusal``: the engine raised a typed ``FederationError`` (counted apart, by reason);
* ``oracle-error``: DuckDB rejects the generated text (an overflow, say) and the engine raises
  a ``FederationError`` too; ``divergent`` when the engine returned rows instead;
* ``ambiguous``: different rows, but the oracle itself changes when distances are computed in
  float64 (a near-tie at a top-K or ORDER BY boundary), so float32 cannot decide.

CLI: ``python -m tests.random --queries 10000 --seed 7`` prints the report.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import duckdb
import pyarrow as pa

import federation as fed
from federation.domain import write_kuzu, write_lancedb, write_sqlite
from federation.errors import FederationError
from tests.differential.compare import table_rows
from tests.random import boundary
from tests.random.generator import RandomQuery, generate
from tests.three.check_oracle import float64_text
from tests.three.compare3 import _same, diff_results, tolerances
from tests.three.data import oracle

QUERY_TIMEOUT = 30.0  # seconds: a query running longer is reported (QueryTimeoutError)
MAX_ORACLE_ROWS = 200_000  # larger answers are skipped: comparing them costs too much


@dataclass
class Outcome:
    kind: str
    query: RandomQuery
    detail: str = ""


@dataclass
class Report:
    seed: int
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[Outcome] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)
    oracle_errors: Counter[str] = field(default_factory=Counter)
    features: Counter[str] = field(default_factory=Counter)
    others: list[Outcome] = field(default_factory=list)  # divergent and ambiguous outcomes
    nonempty: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.kind] += 1
        self.features.update(outcome.query.features)
        if outcome.kind == "failure":
            self.failures.append(outcome)
        elif outcome.kind == "refusal":
            self.refusals[reason(outcome.detail)] += 1
        elif outcome.kind == "oracle-error":
            self.oracle_errors[reason(outcome.detail)] += 1
        elif outcome.kind in ("divergent", "ambiguous"):
            self.others.append(outcome)

    def text(self, shown: int = 10) -> str:
        lines = [f"random differential: seed {self.seed}, {self.total} queries in "
                 f"{self.seconds:.1f} s: " + ", ".join(f"{k} {v}" for k, v in
                                                      sorted(self.counts.items())),
                 f"  non-empty answers among ok: {self.nonempty}",
                 "  features: " + ", ".join(f"{k} {v}" for k, v in sorted(self.features.items()))]
        for title, counter in (("refusals", self.refusals), ("oracle errors", self.oracle_errors)):
            if counter:
                lines.append(f"  top {title}:")
                lines += [f"    {n:5d}  {r}" for r, n in counter.most_common(shown)]
        for outcome in self.failures[:shown] + self.others[:shown]:
            q = outcome.query
            lines += [f"  {outcome.kind.upper()} seed={q.seed} index={q.index}: "
                      f"{outcome.detail[:1500]}",
                      f"    FQL:    {q.fql}", f"    oracle: {q.oracle}", f"    params: {q.params}"]
        return "\n".join(lines)


def reason(message: str) -> str:
    """A refusal's message with the query-specific parts (values, positions) blanked."""
    first = message.splitlines()[0] if message else ""
    first = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", first)
    return re.sub(r"\d+", "N", first)[:160]


class Harness:
    """The engine over the three sources and the oracle, on data written once."""

    def __init__(self, root: Path) -> None:
        tables, self.duck, self.vectors = oracle()
        write_sqlite(tables, root / "crm.db")
        write_kuzu(tables, root / "graph.kuzu")
        write_lancedb(tables, root / "lance")
        boundary.write(root, self.duck)
        # every execution takes a random one of the query's routes: all must agree
        self.engine = fed.connect(timeout=QUERY_TIMEOUT, route="random", route_seed=3)
        self.engine.attach("crm", fed.SQLite(str(root / "crm.db")))
        self.engine.attach("graph", fed.Kuzu(str(root / "graph.kuzu")))
        self.engine.attach("docs", fed.LanceDB(str(root / "lance")))

    def close(self) -> None:
        self.engine.close()
        self.duck.close()

    def values(self, q: RandomQuery) -> dict[str, Any]:
        return {**q.params, **{v: self.vectors[v] for v in q.vectors}}

    def expected(self, q: RandomQuery, text: str | None = None) -> pa.Table:
        cur = self.duck.cursor()
        try:
            return cur.sql(text or q.oracle, params=self.values(q) or None).to_arrow_table()
        finally:
            cur.close()

    def run(self, q: RandomQuery) -> Outcome:
        try:
            expected = self.expected(q)
        except duckdb.Error as err:
            return self._oracle_failed(q, err)
        if expected.num_rows > MAX_ORACLE_ROWS:
            return Outcome("skipped", q, f"{expected.num_rows} rows")
        try:
            actual = self.engine.query(q.fql, params=self.values(q)).arrow()
        except FederationError as err:
            return Outcome("refusal", q, f"{type(err).__name__}: {err}")
        except Exception as err:  # a raw exception is a bug in itself
            return Outcome("failure", q, _raw(err))
        diff = diff_results(actual, expected, ordered=q.ordered)
        if diff is None or (not q.ordered and sorted_match(actual, expected)):
            return Outcome("ok", q, "nonempty" if expected.num_rows else "")
        wide = float64_text(q.oracle)
        if wide != q.oracle and diff_results(self.expected(q, wide), expected,
                                             ordered=q.ordered) is not None:
            return Outcome("ambiguous", q, diff)
        return Outcome("failure", q, diff)


    def _oracle_failed(self, q: RandomQuery, err: duckdb.Error) -> Outcome:
        """DuckDB refuses the text (an overflow, say): the engine must raise as well."""
        said = f"{type(err).__name__}: {err}"
        try:
            rows = self.engine.query(q.fql, params=self.values(q)).arrow().num_rows
        except FederationError:
            return Outcome("oracle-error", q, said)
        except Exception as raw:
            return Outcome("failure", q, _raw(raw))
        return Outcome("divergent", q, f"the oracle raised {said}; the engine returned {rows} "
                                       "rows")


def sorted_match(actual: pa.Table, expected: pa.Table) -> bool:
    """Both sides sorted at full precision, then compared row by row with the suite's
    tolerances: a second chance for large answers with many close distances, where the
    greedy multiset matching of ``compare3`` can pair a row with its neighbour's twin."""
    names, rows = table_rows(expected)
    _, other = table_rows(actual)
    if len(rows) != len(other):
        return False
    tols = tolerances(names, len(names))
    return all(_same(a, e, tols) for a, e in zip(sorted(other, key=_order),
                                                   sorted(rows, key=_order), strict=True))


def _order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((v is None, type(v).__name__ if v is not None else "", v if v is not None
                  else 0) for v in row)


def _raw(err: Exception) -> str:
    return f"raw {type(err).__module__}.{type(err).__name__}: {err}"


@contextmanager
def harness() -> Iterator[Harness]:
    with TemporaryDirectory(prefix="fed-random-") as tmp:
        h = Harness(Path(tmp))
        try:
            yield h
        finally:
            h.close()


def run_queries(h: Harness, seed: int, count: int, *, start: int = 0,
                budget: float | None = None,
                progress: Callable[[Report], None] | None = None) -> Report:
    """Queries ``start`` .. ``start + count - 1`` of ``seed``; stops early past ``budget``
    seconds (the report says how many ran)."""
    report = Report(seed)
    began = time.perf_counter()
    for index in range(start, start + count):
        outcome = h.run(generate(seed, index))
        report.add(outcome)
        report.nonempty += outcome.detail == "nonempty"
        report.seconds = time.perf_counter() - began
        if progress is not None and report.total % 500 == 0:
            progress(report)
        if budget is not None and report.seconds > budget:
            break
    return report
