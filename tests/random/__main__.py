"""``python -m tests.random [--queries N] [--seed S] [--start I] [--show N]``: run the random
differential generator and print its report (exit status 1 when a query failed)."""

from __future__ import annotations

import argparse
import sys

from tests.random.runner import harness, run_queries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.random")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start", type=int, default=0, help="first query index (reproduce one)")
    parser.add_argument("--show", type=int, default=10, help="failures and reasons shown")
    args = parser.parse_args(argv)
    with harness() as h:
        report = run_queries(h, args.seed, args.queries, start=args.start,
                             progress=lambda r: print(f"... {r.total} queries, "
                                                      f"{dict(r.counts)}", flush=True))
    print(report.text(args.show))
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
