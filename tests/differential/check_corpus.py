"""Validate the corpus against the DuckDB oracle alone (no engine needed).

Run: ``python -m tests.differential.check_corpus`` from the repository root.

Checks that every query runs on DuckDB, that most return rows, that results do not depend on
the physical row order (a second oracle holds the rows shuffled), and, when the project
grammar is importable, that every text parses as FQL.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from . import dataset
from .compare import diff_results
from .corpus import Query
from .queries import QUERIES, missing_constructs


@dataclass
class Report:
    errors: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    unstable: dict[str, str] = field(default_factory=dict)
    unparsed: dict[str, str] = field(default_factory=dict)

    @property
    def nonempty_share(self) -> float:
        return sum(1 for n in self.rows.values() if n > 0) / max(1, len(self.rows))


def run_oracle(con: duckdb.DuckDBPyConnection, query: Query) -> pa.Table:
    """The oracle answer: the exact FQL text run by DuckDB with the same parameters."""
    cur = con.cursor()
    try:
        return cur.sql(query.text, params=query.params or None).to_arrow_table()
    finally:
        cur.close()


def _fql_parser() -> Any:
    try:
        from grammar.parser import parse  # the project's parser, if present
    except Exception:
        return None
    return parse


def check(queries: list[Query] = QUERIES) -> Report:
    report = Report()
    tables = dataset.generate()
    main = dataset.load_duckdb(tables)
    shuffled = dataset.load_duckdb(tables, shuffle_seed=7)
    shuffled.execute("SET threads = 1")
    parse = _fql_parser()
    for qq in queries:
        try:
            expected = run_oracle(main, qq)
        except duckdb.Error as exc:
            report.errors[qq.id] = str(exc).splitlines()[0]
            continue
        report.rows[qq.id] = expected.num_rows
        diff = diff_results(run_oracle(shuffled, qq), expected, ordered=qq.ordered)
        if diff is not None:
            report.unstable[qq.id] = diff
        if parse is not None:
            try:
                parse(qq.text)
            except Exception as exc:
                report.unparsed[qq.id] = f"{type(exc).__name__}: {exc}"
    return report


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        dataset.build(Path(tmp) / "crm.db")  # the SQLite writer must work too
    report = check()
    print(f"{len(QUERIES)} queries; {len(report.errors)} rejected by DuckDB; "
          f"non-empty share {report.nonempty_share:.0%}; {len(report.unstable)} order-dependent; "
          f"{len(report.unparsed)} not parsed by grammar/parser.py")
    for label, items in (("DuckDB error", report.errors), ("order-dependent", report.unstable),
                         ("FQL parse error", report.unparsed)):
        for qid, msg in items.items():
            print(f"[{label}] {qid}: {msg}")
    empty = sorted(qid for qid, n in report.rows.items() if n == 0)
    print(f"empty results ({len(empty)}): {', '.join(empty)}")
    missing = missing_constructs()
    if missing:
        print(f"constructs not covered: {missing}")
    ok = not report.errors and not report.unstable and not missing
    return 0 if ok and report.nonempty_share > 0.7 else 1


if __name__ == "__main__":
    sys.exit(main())
