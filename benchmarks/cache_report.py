"""The result cache benchmark's report (``benchmarks.cache_bench``): the tables it prints and
``benchmarks/results/cache.md``, both from the result dictionary it saves as ``cache.json``."""

from __future__ import annotations

from typing import Any

from benchmarks.common import print_table


def _rows(res: dict[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    h, v, m = res["hits"], res["versions"], res["misses"]
    one = h["one_source"]
    return {
        "Cache hit, text to Arrow (µs)": (
            ["query", "p50", "p99", "samples", "target p50", "verdict"],
            [[k, s["median_us"], s["p99_us"], s["samples"], f"< {s['goal_us']:.0f}",
              s["verdict"]] for k, s in h.items()]
            + [["one_source (goal)", one["median_us"], one["p99_us"], one["samples"],
                f"< {one['stretch_goal_us']:.0f}", one["stretch_verdict"]]]),
        "Version check per source, Source.version() (µs)": (
            ["source", "p50", "p99", "samples"],
            [[k, s["median_us"], s["p99_us"], s["samples"]] for k, s in v.items()]),
        "Miss vs cache off, same route, fresh values every run (µs)": (
            ["query", "on p50", "off p50", "on p99", "off p99", "pairs",
             "median on/off", "on/off of p50s", "target", "verdict"],
            [[k, s["on"]["median_us"], s["off"]["median_us"], s["on"]["p99_us"],
              s["off"]["p99_us"], s["pairs"], s["median_paired_ratio"], s["ratio_of_medians"],
              f"<= {s['limit']:.2f}", s["verdict"]] for k, s in m.items()]),
    }


def print_report(res: dict[str, Any]) -> None:
    for title, (headers, rows) in _rows(res).items():
        print_table(title, headers, rows)
    for k, text in res.get("profile", {}).items():
        n = res["sizes"]["profile_hits"]
        print(f"\n== cProfile of {n} {k} hits, top 15 by tottime ==\n{text}")


def markdown(res: dict[str, Any]) -> str:
    env = res["environment"]
    lines = ["# Result cache benchmark (`benchmarks/cache_bench.py`)", "",
             f"{env['time']}, {env['platform']}, {env['cpus']} cpus, load {env['loadavg']}, "
             f"commit {env['git']['commit']}; {res['seconds']:.1f} s interleaved, "
             f"{res['sizes']['rounds']} rounds.", ""]
    for title, (headers, rows) in _rows(res).items():
        lines += [f"## {title}", "", "| " + " | ".join(headers) + " |",
                  "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
        lines.append("")
    for k, text in res.get("profile", {}).items():
        n = res["sizes"]["profile_hits"]
        lines += [f"## cProfile of {n} {k} hits (top 15 by tottime)", "", "```", text, "```",
                  ""]
    return "\n".join(lines)


def _cell(v: Any) -> str:
    return f"{v:.3f}" if isinstance(v, float) and abs(v) < 10 else \
        f"{v:.1f}" if isinstance(v, float) else str(v)
