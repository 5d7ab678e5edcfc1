"""Printed tables and the bar chart of the ``tpch`` suite."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from benchmarks.common import RESULTS, print_table
from benchmarks.tpch.systems import SYSTEMS

PARTS = ("plan", "fragments", "duckdb")  # Federation's ``res.plan.timings`` (medians)
LABELS = {"peer": "DuckDB 1.5.5 + sqlite/lance ext", "glue": "hand glue (ADBC/lance/kuzu + DuckDB)",
          "native": "native DuckDB file", "fed": "Federation (no statistics yet)",
          "fed_ws": "Federation (trained workspace, reopened)"}


def print_report(res: dict[str, Any]) -> None:
    for sf, r in res["scales"].items():
        _timings(sf, r)
        _failures(sf, r)
    _overall(res)


def _timings(sf: str, r: dict[str, Any]) -> None:
    rows = []
    for qid in r["overall"]["timed"]:
        q = r["queries"][qid]
        m = q["median_ms"]
        flag = "ok" if q["fed_matches"] else "MISMATCH"
        others = [s for s in ("peer", "glue") if q["status"][s].get("match") is False]
        if others:
            flag += " (" + ", ".join(f"{s} differs" for s in others) + ")"
        p = q.get("fed_parts_ms", {})
        split = "/".join(f"{p[k]:.0f}" if k in p else "-" for k in PARTS)
        rows.append([qid, q.get("rows") or 0, *(m[s] for s in SYSTEMS), q["fed_over_peer"],
                     q["fed_over_glue"], q["fed_over_native"], q["fed_ws_over_peer"],
                     f"{q.get('fed_fragments', '-')}: {split}", flag])
    o = r["overall"]
    rows.append(["geomean", "", *(o[f"geomean_ms_{s}"] for s in SYSTEMS),
                 o["geomean_fed_over_peer"], o["geomean_fed_over_glue"],
                 o["geomean_fed_over_native"], o["geomean_fed_ws_over_peer"], "",
                 f"over {len(o['compared'])} matching queries"])
    print_table(f"TPC-H SF {sf}: median ms ({r['repetitions']} rounds after {r['warmup']} "
                f"warm-up, interleaved)",
                ["query", "rows", "peer", "glue", "native", "fed", "fed_ws", "fed/peer",
                 "fed/glue", "fed/native", "fed_ws/peer", "fed frags: plan/frags/duckdb ms",
                 "answer"], rows)


def _failures(sf: str, r: dict[str, Any]) -> None:
    rows = [[qid, f["error"], (f["message"] or "")[:110]]
            for qid, f in r["overall"]["fed_fails"].items()]
    if rows:
        print_table(f"TPC-H SF {sf}: queries Federation does not run "
                    f"({len(rows)} of {len(r['queries'])})", ["query", "error", "message"], rows)
    bad = [[qid, s, st.get("error") or "MISMATCH",
            (st.get("message") or st.get("diff") or "")[:110]]
           for qid, q in r["queries"].items() for s, st in q["status"].items()
           if s != "fed" and (not st["ok"] or st.get("match") is False)]
    if bad:
        print_table(f"TPC-H SF {sf}: other systems' failures or mismatches",
                    ["query", "system", "error", "detail"], bad)


def _fmt_ratio(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{x:.2f}"


def _overall(res: dict[str, Any]) -> None:
    rows = []
    for sf, r in res["scales"].items():
        o, v, rss = r["overall"], res["verdicts"][sf], r["peak_rss_mb"]
        wp, ww = o["worst_fed_over_peer"], o["worst_fed_ws_over_peer"]
        rows.append([f"SF {sf}", len(o["timed"]), len(o["mismatches"]),
                     f"{_fmt_ratio(o['geomean_fed_over_peer'])} (worst {wp['query']} "
                     f"{_fmt_ratio(wp['ratio'])})", v["fed_over_peer"],
                     f"{_fmt_ratio(o['geomean_fed_ws_over_peer'])} (worst {ww['query']} "
                     f"{_fmt_ratio(ww['ratio'])})",
                     _fmt_ratio(o["geomean_fed_over_glue"]), v["fed_over_glue"],
                     _fmt_ratio(o["geomean_fed_over_native"]),
                     " / ".join("-" if rss.get(s) is None else f"{rss[s]:.0f}"
                                for s in SYSTEMS), v.get("rss_vs_peer", "-")])
    g = res["goals"]
    print_table(f"TPC-H verdicts (goals: fed/peer geomean <= {g['peer_geomean']} and no query > "
                f"{g['peer_max']}x; fed/glue <= {g['glue_geomean']}; SF1 peak RSS <= "
                f"{g['rss_vs_peer']}x peer)",
                ["scale", "timed", "mismatch", "fed/peer geomean", "peer",
                 "fed_ws/peer geomean", "fed/glue", "glue", "fed/native",
                 "peak RSS MB peer/glue/native/fed/fed_ws", "rss"], rows)


def chart(res: dict[str, Any]) -> Path:
    """Per-query median per system, log scale, one panel per scale: results/tpch.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = list(res["scales"].items())
    fig, axes = plt.subplots(len(panels), 1, figsize=(11, 3.6 * len(panels)), squeeze=False)
    width = 0.16
    for ax, (sf, r) in zip(axes[:, 0], panels, strict=True):
        qids = r["overall"]["timed"]
        for i, system in enumerate(SYSTEMS):
            xs = [j + (i - (len(SYSTEMS) - 1) / 2) * width for j in range(len(qids))]
            ys = [r["queries"][q]["median_ms"][system] for q in qids]
            ax.bar(xs, [y if y and not math.isnan(y) else 0 for y in ys], width,
                   label=LABELS[system])
        ax.set_xticks(range(len(qids)), [q.upper() for q in qids])
        ax.set_yscale("log")
        ax.set_ylabel("median ms (log)")
        ax.set_title(f"TPC-H SF {sf}: queries Federation runs "
                     f"(fed/peer geomean {_fmt_ratio(r['overall']['geomean_fed_over_peer'])}, "
                     f"trained workspace "
                     f"{_fmt_ratio(r['overall']['geomean_fed_ws_over_peer'])})")
        ax.grid(axis="y", which="both", alpha=0.3)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, ncol=5, loc="lower center")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "tpch.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
