"""Figures of the routing benchmark from its execution records: regret, top-1 accuracy, the
fixed policies, convergence; markdown tables and PNG plots.

Definitions (every figure from one run's records; an execution is one template run once with
one set of values, and its *round* is the oracle running every alternative of it, forced by
name, interleaved with the router's own run; each alternative's time in a round is the median
of ``ORACLE_REPEATS`` (3) interleaved timings, the first beside the router's run):

* **regret** of a set of executions = Σ oracle time of the alternative the router chose ÷
  Σ oracle time of the fastest alternative, both taken from each execution's own round (so
  a slow moment of the machine weighs on both sides alike);
* **router overhead** = Σ the router's own wall time (its ``route="auto"`` run in the same
  round: planning, prediction, recording statistics) ÷ Σ oracle time of the alternative it
  chose; about 1.0 when choosing costs nothing;
* **top-1** = share of *decisive* executions (slowest ÷ fastest alternative ≥ 1.5) in which
  the router chose the fastest alternative or one timed within ``TIE`` (10%) of it in that
  round: two alternatives that close are the same within one round's noise (two copies of a
  small table, say); ``top1_strict`` in the JSON counts the fastest only;
* **top-1 ceiling** = the top-1 of a clairvoyant fixed choice: per template and setting,
  the alternative with the lowest median time over the run's rounds. What a router that knew
  every alternative's typical time could score against each round's noise: far below 100%
  where the alternatives are within the rounds' noise of each other (ten alternatives
  1.0-1.5x apart make many rounds "decisive" by noise alone);
* a **fixed policy**'s regret = Σ oracle time of the alternative the policy engine picks ÷
  Σ oracle time of the fastest;
* **converged** = the second half of each phase (``execution > N/2``, cold and reopened);
  **reopened first 5** = the reopened workspace's executions 1-5;
* **convergence** = regret of the executions numbered k (all templates pooled) and cumulative
  regret over 1..k, from a cold workspace and from the reopened one.

An execution counts where the oracle timed at least one alternative and the router's choice
is one of them (``unmatched`` counts the others: a choice the oracle did not list).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

DECISIVE = 1.5
TIE = 1.10
Record = dict[str, Any]


def _usable(records: Iterable[Record]) -> list[Record]:
    return [r for r in records if r["best"] is not None and r.get("chosen_s") is not None]


def unmatched(records: Iterable[Record]) -> int:
    return sum(1 for r in records if r["best"] is not None and r.get("chosen_s") is None)


def regret(records: Iterable[Record]) -> float:
    rs = _usable(records)
    best = sum(r["times_s"][r["best"]] for r in rs)
    return sum(r["chosen_s"] for r in rs) / best if best > 0 else math.nan


def overhead(records: Iterable[Record]) -> float:
    """Σ the router's own time ÷ Σ the oracle's time of the same alternative."""
    rs = [r for r in _usable(records) if r["auto_s"] is not None and math.isfinite(r["auto_s"])]
    chosen = sum(r["chosen_s"] for r in rs)
    return sum(r["auto_s"] for r in rs) / chosen if chosen > 0 else math.nan


def policy_regret(records: Iterable[Record], policy: str) -> float:
    """NaN when the policy named no alternative the oracle ran in some execution."""
    rs = [r for r in records if r["best"] is not None]
    chosen = [r["times_s"].get(r["policies"].get(policy) or "") for r in rs]
    if not rs or any(t is None for t in chosen):
        return math.nan
    best = sum(r["times_s"][r["best"]] for r in rs)
    return sum(t for t in chosen if t is not None) / best if best > 0 else math.nan


def decisive(r: Record) -> bool:
    times = list(r["times_s"].values())
    return len(times) > 1 and min(times) > 0 and max(times) / min(times) >= DECISIVE


def top1(records: Iterable[Record], tie: float = TIE) -> tuple[float, int]:
    """Share of decisive executions where the router chose the fastest (or one within
    ``tie`` of it); their number."""
    rs = [r for r in _usable(records) if decisive(r)]
    if not rs:
        return math.nan, 0
    hits = sum(r["chosen"] == r["best"]
               or r["chosen_s"] <= tie * r["times_s"][r["best"]] for r in rs)
    return hits / len(rs), len(rs)


def top1_ceiling(records: Iterable[Record], tie: float = TIE) -> float:
    """Top-1 of always choosing, per template and setting, the alternative fastest by
    median over these records (NaN without decisive executions)."""
    rs = [r for r in _usable(records) if decisive(r)]
    times: dict[tuple[str, str], dict[str, list[float]]] = {}
    for r in _usable(records):
        by_name = times.setdefault((r["template"], r.get("setting", "")), {})
        for name, seconds in r["times_s"].items():
            by_name.setdefault(name, []).append(seconds)
    typical = {key: min(by_name, key=lambda n: statistics.median(by_name[n]))
               for key, by_name in times.items()}
    if not rs:
        return math.nan
    hits = sum(r["times_s"].get(typical[(r["template"], r.get("setting", ""))], math.inf)
               <= tie * r["times_s"][r["best"]] for r in rs)
    return hits / len(rs)


def converged(records: Sequence[Record]) -> list[Record]:
    """The second half of each phase."""
    out = []
    for phase in ("cold", "reopened"):
        rs = [r for r in records if r["phase"] == phase]
        last = max((r["execution"] for r in rs), default=0)
        out += [r for r in rs if r["execution"] > last / 2]
    return out


def summarize(records: Sequence[Record], policies: Sequence[str]) -> dict[str, Any]:
    cold = [r for r in records if r["phase"] == "cold"]
    reopened = [r for r in records if r["phase"] == "reopened"]
    acc, n_decisive = top1(records)
    late = converged(records)
    fixed = {p: policy_regret(records, p) for p in policies}
    fixed_late = {p: policy_regret(late, p) for p in policies}
    finite = {p: v for p, v in fixed_late.items() if math.isfinite(v)}
    best_policy = min(finite, key=lambda p: finite[p]) if finite else None
    late_regret = regret(late)
    return {
        "executions": len(records), "alternatives": _alternatives(records),
        "decisive": n_decisive, "top1": acc, "top1_strict": top1(records, 1.0)[0],
        "top1_ceiling": top1_ceiling(records),
        "top1_converged": top1(late)[0],
        "regret": regret(records), "regret_cold": regret(cold),
        "regret_reopened": regret(reopened), "regret_converged": late_regret,
        "regret_reopened_first5": regret([r for r in reopened if r["execution"] <= 5]),
        "overhead": overhead(records), "overhead_converged": overhead(late),
        "unmatched": unmatched(records),
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
             f"{result['executions']}; git {result['environment']['git']}; "
             f"{result['seconds']:.0f} s.", "",
             "Regret = Σ oracle time of the router's choice ÷ Σ oracle time of the fastest "
             "alternative, each from the execution's own round; overhead = Σ the router's own "
             "run ÷ Σ oracle time of its choice; converged = second half of each phase; "
             "policies over all executions (definitions: `benchmarks/routing_report.py`).", ""]
    for size, block in result["sizes"].items():
        a = block["analysis"]
        lines += [f"## {size}: domain scale {block['domain_scale']:g}, TPC-H "
                  f"{block['tpch_scale']:g} ({block['seconds']:.0f} s)", ""]
        head = ["template", "alts", "decisive", "top-1", "top-1 ceiling", "regret cold",
                "regret reopened", "reopened 1-5", "converged", "overhead", "best policy",
                "÷ best policy", *policies]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for name, s in [*a["templates"].items(), ("**overall**", a["overall"])]:
            cells = [name, str(len(s["alternatives"])), str(s["decisive"]), _pct(s["top1"]),
                     _pct(s.get("top1_ceiling", math.nan)),
                     _f(s["regret_cold"]), _f(s["regret_reopened"]),
                     _f(s["regret_reopened_first5"]), _f(s["regret_converged"]),
                     _f(s["overhead"]), s["best_policy"] or "-",
                     _f(s["vs_best_policy_converged"]),
                     *(_f(s["policies"][p]) for p in policies)]
            lines.append("| " + " | ".join(cells) + " |")
        over = a["overall"]
        notes = over["mismatches"] + over["errors"] + block["mirror_problems"]
        if over.get("unmatched"):
            notes.append(f"{over['unmatched']} executions whose route the oracle did not list")
        lines += [""] + [f"- {n}" for n in notes[:20]] + [""]
    lines += relations_markdown(result.get("relations", {}))
    return "\n".join(lines) + "\n"


def relations_markdown(rel: dict[str, Any]) -> list[str]:
    if not rel:
        return []
    lines = ["## Relationship queries: Kuzu vs the SQLite link table", "",
             "Medians (ms) of interleaved runs; `kuzu ÷ sqlite` < 1 means Kuzu is faster. "
             "Engine ratio: `route=\"primary-only\"` ÷ `route=\"mirror-only\"` on the same "
             "MATCH, or (marked *) ÷ the hand-written FQL over the link tables where the "
             "planner offers no mirror route.", ""]
    for size, block in rel.items():
        head = ["shape", "rows", *block["columns"], "kuzu ÷ sqlite (native)",
                "kuzu ÷ sqlite (engine)", "Kuzu faster by"]
        lines += [f"### {size} (domain scale {block['scale']:g}, {block['runs']} runs)", "",
                  "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for shape, s in block["shapes"].items():
            cells = [shape, str(s["rows"]), *(_f(s["median_ms"].get(c), 3)
                                              for c in block["columns"]),
                     _f(s["ratio_native"]), _f(s["ratio_engine"]) + _star(s),
                     s["kuzu_faster_by"]]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def _star(shape: dict[str, Any]) -> str:
    return "*" if shape.get("engine_pair", ["", ""])[-1] == "engine link SQL" else ""


# ---- plots


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    return plt


def plot(result: dict[str, Any], path: Path) -> Path | None:
    """Convergence, one column per size: regret of the k-th executions (all templates
    pooled) and cumulative regret per template, cold (solid) and reopened (dashed)."""
    plt = _pyplot()
    if plt is None:
        return None
    sizes = list(result["sizes"].items())
    cols = max(1, len(sizes))
    fig, axes = plt.subplots(2, cols, figsize=(6.5 * cols, 8.4), squeeze=False)
    for col, (size, block) in enumerate(sizes):
        a = block["analysis"]
        top, bottom = axes[0][col], axes[1][col]
        for phase, style in (("cold", "-o"), ("reopened", "--s")):
            ys = a["convergence"][phase]["per_execution"]
            top.plot(range(1, len(ys) + 1), ys, style, lw=1.6, ms=3, label=phase)
            c = a["convergence"][phase]["cumulative"]
            bottom.plot(range(1, len(c) + 1), c, style[:-1] if phase == "cold" else "--",
                        lw=2.4, color="black", label=f"all templates, {phase}")
            for name, tc in a["convergence_by_template"].items():
                ys = tc[phase]["cumulative"]
                if any(math.isfinite(y) for y in ys):
                    bottom.plot(range(1, len(ys) + 1), ys, "-" if phase == "cold" else "--",
                                lw=0.8, alpha=0.7, label=name if phase == "cold" else None)
        top.set_title(f"{size}: regret of the k-th executions (all templates)")
        bottom.set_title(f"{size}: cumulative regret over executions 1..k")
        for ax in (top, bottom):
            ax.axhline(1.10, color="red", lw=0.8, ls=":", label="target 1.10")
            ax.axhline(1.0, color="grey", lw=0.6)
            ax.set_xlabel("execution (per template)")
            ax.set_ylabel("regret (chosen ÷ fastest)")
            ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_policies(result: dict[str, Any], path: Path) -> Path | None:
    """Converged regret of the router and of each fixed policy, per template and overall
    (largest size)."""
    plt = _pyplot()
    if plt is None:
        return None
    size, block = list(result["sizes"].items())[-1]
    templates = {**{n: t for n, t in block["analysis"]["templates"].items() if t["alternatives"]},
                 "overall": block["analysis"]["overall"]}
    series = {"router": [t["regret_converged"] for t in templates.values()]}
    for p in result["policies"]:
        series[p] = [t["policies_converged"][p] for t in templates.values()]
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
    ax.axhline(1.0, color="grey", lw=0.6)
    ax.set_ylim(bottom=0.9)
    ax.set_title(f"{size}: regret once converged, router vs fixed policies")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
