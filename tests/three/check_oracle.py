"""Validate the three-engine corpus against the DuckDB oracle alone (no engine needed).

Run: ``python -m tests.three.check_oracle`` from the repository root.

Checks that every FQL text parses (``grammar.parser.parse``) and names exactly the record's
parameters; that every oracle text runs on DuckDB and at least 80% return rows; that answers
do not depend on the physical row order (a second oracle holds every table shuffled); and that
queries ranked by vector distance give the same answer when distances are computed in float64
instead of float32 (no near-ties at a top-K boundary or between ordered rows, which would make
the engine's float32 answer ambiguous).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

from federation.domain import duckdb_oracle

from .compare3 import diff_results
from .data import oracle, run_oracle
from .queries import QUERIES
from .record import DIM, Q3

MIN_NONEMPTY = 0.8
F32_DISTANCE = re.compile(rf"array_distance\(([\w.]+), \$(\w+)::FLOAT\[{DIM}\]\)")
PARAM = re.compile(r"\$([A-Za-z_]\w*)")


@dataclass
class Report:
    errors: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    unparsed: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    unstable: dict[str, str] = field(default_factory=dict)
    fragile: dict[str, str] = field(default_factory=dict)

    @property
    def nonempty_share(self) -> float:
        return sum(1 for n in self.rows.values() if n > 0) / max(1, len(self.rows))

    @property
    def ok(self) -> bool:
        return (not (self.errors or self.unparsed or self.params or self.unstable
                     or self.fragile) and self.nonempty_share >= MIN_NONEMPTY)


def shuffled(tables: dict[str, pa.Table], seed: int = 3) -> dict[str, pa.Table]:
    rng = np.random.default_rng(seed)
    return {k: t.take(pa.array(rng.permutation(t.num_rows))) for k, t in tables.items()}


def float64_text(sql: str) -> str:
    return F32_DISTANCE.sub(rf"array_distance(CAST(\1 AS DOUBLE[{DIM}]), $\2::DOUBLE[{DIM}])",
                            sql)


def _check_fql(qq: Q3, report: Report) -> None:
    from grammar.parser import parse

    try:
        parse(qq.fql)
    except Exception as exc:
        report.unparsed[qq.id] = f"{type(exc).__name__}: {exc}"
    named = set(PARAM.findall(qq.fql))
    if named != set(qq.params):
        report.params[qq.id] = f"FQL names {sorted(named)}, record has {sorted(qq.params)}"
    extra = set(PARAM.findall(qq.oracle_sql)) - set(qq.params)
    if extra:
        report.params[qq.id] = f"oracle names unknown parameters {sorted(extra)}"


def check(queries: list[Q3] = QUERIES) -> Report:
    report = Report()
    tables, main, vectors = oracle()
    other = duckdb_oracle(shuffled(tables), threads=1)
    for qq in queries:
        _check_fql(qq, report)
        try:
            expected = run_oracle(main, qq, vectors)
        except duckdb.Error as exc:
            report.errors[qq.id] = str(exc).splitlines()[0]
            continue
        report.rows[qq.id] = expected.num_rows
        diff = diff_results(run_oracle(other, qq, vectors), expected, ordered=qq.ordered)
        if diff is not None:
            report.unstable[qq.id] = diff
        wide = float64_text(qq.oracle_sql)
        if wide != qq.oracle_sql:
            diff = diff_results(run_oracle(main, qq, vectors, wide), expected,
                                ordered=qq.ordered)
            if diff is not None:
                report.fragile[qq.id] = diff
    main.close()
    other.close()
    return report


def main() -> int:
    report = check()
    cats: dict[str, int] = {}
    for qq in QUERIES:
        cats[qq.category] = cats.get(qq.category, 0) + 1
    print(f"{len(QUERIES)} queries {cats}; {len(report.errors)} rejected by DuckDB; "
          f"non-empty share {report.nonempty_share:.0%}; {len(report.unparsed)} not parsed; "
          f"{len(report.params)} parameter mismatches; {len(report.unstable)} order-dependent; "
          f"{len(report.fragile)} fragile under float64 distances")
    for label, items in (("DuckDB error", report.errors), ("FQL parse error", report.unparsed),
                         ("parameters", report.params), ("order-dependent", report.unstable),
                         ("float64-fragile", report.fragile)):
        for qid, msg in items.items():
            print(f"[{label}] {qid}: {msg}")
    empty = sorted(qid for qid, n in report.rows.items() if n == 0)
    print(f"empty results ({len(empty)}): {', '.join(empty) or '-'}")
    print("OK" if report.ok else "FAILED")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
