"""Figures of the routing benchmark from its execution records: regret, top-1 accuracy, the
fixed policies, convergence; markdown tables and PNG plots.

Definitions (every figure from one run's records):

* **regret** of a set of executions = Σ router time ÷ Σ oracle time, where the oracle time of
  an execution is its fastest alternative's and the router time is the ``route="auto"`` run's
  own wall time (measured in the same interleaved round);
* **top-1** = share of *decisive* executions (slowest ÷ fastest alternative ≥ 1.5) in which
  the router chose the fastest alternative;
* a **fixed policy**'s regret = Σ time of the alternative the policy picks ÷ Σ oracle time;
* **converged** = executions in the second half of a phase (``execution > N/2``);
* **convergence** = cumulative regret over executions 1..k, and per-execution regret (all
  templates' k-th executions pooled), from a cold workspace and from the reopened one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

DECISIVE = 1.5
Record = dict[str, Any]


def _usable(records: Iterable[Record]) -> list[Record]:
    return [r for r in records if r["best"] is not None and math.isfinite(r["auto_s"])]


def regret(records: Iterable[Record]) -> float:
    rs = _usable(records)
    best = sum(r["times_s"][r["best"]] for r in rs)
    return sum(r["auto_s"] for r in rs) / best if best > 0 else math.nan


def policy_regret(records: Iterable[Record], policy: str) -> float:
    """NaN when the policy named no alternative the oracle ran in some execution."""
    rs = _usable(records)
    chosen = [r["times_s"].get(r["policies"].get(policy) or "") for r in rs]
    if not rs or any(t is None for t in chosen):
        return math.nan
    best = sum(r["times_s"][r["best"]] for r in rs)
    return sum(t for t in chosen if t is not None) / best if best > 0 else math.nan


def decisive(r: Record) -> bool:
    times = list(r["times_s"].values())
    return len(times) > 1 and min(times) > 0 and max(times) / min(times) >= DECISIVE


def top1(records: Iterable[Record]) -> tuple[float, int]:
    """Share of decisive executions where the router chose the fastest; their number."""
    rs = [r for r in _usable(records) if decisive(r)]
    if not rs:
        return math.nan, 0
    return sum(r["chosen"] == r["best"] for r in rs) / len(rs), len(rs)


def converged(records: Sequence[Record]) -> list[Record]:
    last = max((r["execution"] for r in records), default=0)
    return [r for r in records if r["execution"] > last / 2]


def summarize(records: Sequence[Record], policies: Sequence[str]) -> dict[str, Any]:
    cold = [r for r in records if r["phase"] == "cold"]
    reopened = [r for r in records if r["phase"] == "reopened"]
    acc, n_decisive = top1(records)
    late = converged(cold) + reopened
    fixed = {p: policy_regret(records, p) for p in policies}
    fixed_late = {p: policy_regret(late, p) for p in policies}
    finite = {p: v for p, v in fixed_late.items() if math.isfinite(v)}
    best_policy = min(finite, key=lambda p: finite[p]) if finite else None
    late_regret = regret(late)
    return {
        "executions": len(records), "alternatives": _alternatives(records),
        "decisive": n_decisive, "top1": acc,
        "top1_converged": top1(late)[0],
        "regret": regret(records), "regret_cold": regret(cold),
        "regret_reopened": regret(reopened), "regret_converged": late_regret,
        "regret_reopened_first5": regret([r for r in reopened if r["execution"] <= 5]),
        "policies": fixed, "policies_converged": fixed_late, "best_policy": best_policy,
        "vs_best_policy_converged": (late_regret / finite[best_policy]
                                     if best_policy else math.nan),
        "mismatches": sorted({f"{r['template']}:{n}" for r in records for n in r["mismatches"]}),
        "errors": sorted({f"{r['template']}:{n}: {e}" for r in records
                          for n, e in r["errors"].items()}),
    }


def _alternatives(records: Iterable[Record]) -> list[str]:
    return sorted({n for r in records for n in r["times_s"]})


def curves(records: Sequence[Record]) -> dict[str, dict[str, list[float]]]:
    """Per phase: cumulative and per-execution regret at executions 1..N (all templates)."""
    out = {}
    for phase in ("cold", "reopened"):
        rs = [r for r in records if r["phase"] == phase]
        n = max((r["execution"] for r in rs), default=0)
        out[phase] = {
            "cumulative": [regret(r for r in rs if r["execution"] <= k) for k in range(1, n + 1)],
            "per_execution": [regret(r for r in rs if r["execution"] == k)
                              for k in range(1, n + 1)]}
    return out


def analyse(records: Sequence[Record], templates: Sequence[str],
            policies: Sequence[str]) -> dict[str, Any]:
    return {"overall": summarize(records, policies),
            "templates": {t: summarize([r for r in records if r["template"] == t], policies)
                          for t in templates},
            "convergence": curves(records),
            "convergence_by_template": {t: curves([r for r in records if r["template"] == t])
                                        for t in templates}}


# ---- markdown


def _f(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _pct(x: float) -> str:
    return "-" if not math.isfinite(x) else f"{100 * x:.0f}%"


def markdown(result: dict[str, Any]) -> str:
    policies = result["policies"]
    lines = ["# Routing benchmark", "",
             f"Mode: {result['mode']}; executions per template and phase: "
             f"{result['executions']}; git {result['environment']['git']}.", ""]
    for size, block in result["sizes"].items():
        a = block["analysis"]
        lines += [f"## {size}: domain scale {block['domain_scale']:g}, TPC-H "
                  f"{block['tpch_scale']:g}", ""]
        head = ["template", "alts", "decisive", "top-1", "regret cold", "regret reopened",
                "converged", "best policy", "÷ best policy", *policies]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for name, s in [*a["templates"].items(), ("**overall**", a["overall"])]:
            cells = [name, str(len(s["alternatives"])), str(s["decisive"]), _pct(s["top1"]),
                     _f(s["regret_cold"]), _f(s["regret_reopened"]), _f(s["regret_converged"]),
                     s["best_policy"] or "-", _f(s["vs_best_policy_converged"]),
                     *(_f(s["policies"][p]) for p in policies)]
            lines.append("| " + " | ".join(cells) + " |")
        notes = a["overall"]["mismatches"] + a["overall"]["errors"] + block["mirror_problems"]
        lines += [""] + [f"- {n}" for n in notes[:20]] + [""]
    lines += relations_markdown(result.get("relations", {}))
    return "\n".join(lines) + "\n"


def relations_markdown(rel: dict[str, Any]) -> list[str]:
    if not rel:
        return []
    lines = ["## Relationship queries: Kuzu vs the SQLite link table", "",
             "Medians (ms) of interleaved runs; `kuzu ÷ sqlite` < 1 means Kuzu is faster.", ""]
    for size, block in rel.items():
        head = ["shape", "rows", *block["columns"], "kuzu ÷ sqlite (native)",
                "kuzu ÷ sqlite (engine)", "Kuzu faster by"]
        lines += [f"### {size} (domain scale {block['scale']:g}, {block['runs']} runs)", "",
                  "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for shape, s in block["shapes"].items():
            cells = [shape, str(s["rows"]), *(_f(s["median_ms"].get(c), 3)
                                              for c in block["columns"]),
                     _f(s["ratio_native"]), _f(s["ratio_engine"]), s["kuzu_faster_by"]]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return lines


# ---- plots


def plot(result: dict[str, Any], path: Path) -> Path | None:
    """Convergence (cumulative regret against execution number), one panel per size."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    sizes = list(result["sizes"].items())
    fig, axes = plt.subplots(1, max(1, len(sizes)), figsize=(6 * max(1, len(sizes)), 4.2),
                             squeeze=False)
    for ax, (size, block) in zip(axes[0], sizes, strict=False):
        a = block["analysis"]
        for phase, style in (("cold", "-"), ("reopened", "--")):
            c = a["convergence"][phase]["cumulative"]
            ax.plot(range(1, len(c) + 1), c, style, lw=2.2, color="black",
                    label=f"all templates, {phase}")
            for name, tc in a["convergence_by_template"].items():
                ys = tc[phase]["cumulative"]
                ax.plot(range(1, len(ys) + 1), ys, style, lw=0.8, alpha=0.6,
                        label=name if phase == "cold" else None)
        ax.axhline(1.10, color="red", lw=0.8, ls=":", label="target 1.10")
        ax.set_title(f"{size}: cumulative regret (router ÷ oracle)")
        ax.set_xlabel("execution")
        ax.set_ylabel("regret")
        ax.set_yscale("log")
        ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_policies(result: dict[str, Any], path: Path) -> Path | None:
    """Regret of the router and of each fixed policy, per template (largest size)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    size, block = list(result["sizes"].items())[-1]
    templates = block["analysis"]["templates"]
    series = {"router": [t["regret"] for t in templates.values()]}
    for p in result["policies"]:
        series[p] = [t["policies"][p] for t in templates.values()]
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(templates)), 4.5))
    width = 0.8 / len(series)
    for i, (name, ys) in enumerate(series.items()):
        xs = [j + i * width for j in range(len(templates))]
        ax.bar(xs, [y if y is not None and math.isfinite(y) else 0 for y in ys], width,
               label=name)
    ax.set_xticks([j + 0.4 for j in range(len(templates))], list(templates), rotation=30,
                  ha="right", fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("regret (÷ oracle)")
    ax.set_title(f"{size}: router vs fixed policies")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
