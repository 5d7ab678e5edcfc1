"""The routing benchmark runs end to end at a tiny size (2 executions per template and phase)
and writes the JSON, markdown and plots it documents: so it cannot rot unnoticed. No timing
is judged here; only the structure, and that every route gave the same answer."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from benchmarks import routing
from benchmarks.routing_harness import ORACLE_REPEATS, Oracle, Run, _oracle_times
from benchmarks.routing_relations import SHAPES
from benchmarks.routing_report import overhead, policy_regret, regret, top1, top1_ceiling
from benchmarks.routing_templates import TEMPLATES, Template


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    root = tmp_path_factory.mktemp("routing")
    routing.main(["--tiny", "--data", str(root / "data"), "--results", str(root / "out")])
    out = root / "out"
    return json.loads((out / "routing.json").read_text()), out


def test_at_least_eight_templates_over_both_datasets() -> None:
    assert len(TEMPLATES) >= 8
    texts = " ".join(t.text for t in TEMPLATES)
    for source in ("crm.", "graph", "docs.", "tpch_crm.", "tpch_lake.", "tpch_one."):
        assert source in texts
    assert {t.choice for t in TEMPLATES} >= {"keys", "vector", "mirror", "join"}


def test_files_written(run: tuple[dict[str, Any], Path]) -> None:
    result, out = run
    assert (out / "routing.md").read_text().startswith("# Routing benchmark")
    pytest.importorskip("matplotlib")
    assert (out / "routing.png").stat().st_size > 0
    assert (out / "routing_policies.png").stat().st_size > 0
    assert len(result["png"]) == 2


def test_records_and_figures(run: tuple[dict[str, Any], Path]) -> None:
    result, _ = run
    block = result["sizes"]["tiny"]
    records = block["records"]
    assert {r["phase"] for r in records} == {"cold", "reopened"}
    assert len(records) == 2 * 2 * len(TEMPLATES)  # phases x executions x templates
    for r in records:
        assert r["execution"] in (1, 2)
        assert r["setting"] in ("narrow", "broad")
        assert r["auto_s"] is None or r["auto_s"] > 0
        assert all(t > 0 for t in r["times_s"].values())
        assert r["best"] is None or r["best"] in r["times_s"]
    timed = [r for r in records if r["times_s"]]
    assert len(timed) >= len(records) // 2  # most templates have alternatives
    overall = block["analysis"]["overall"]
    for key in ("regret", "regret_cold", "regret_reopened", "regret_converged", "top1",
                "decisive", "policies", "best_policy", "vs_best_policy_converged"):
        assert key in overall
    assert math.isfinite(overall["regret"]) and overall["regret"] > 0
    assert set(overall["policies"]) == set(result["policies"])
    assert set(block["analysis"]["templates"]) == {t.name for t in TEMPLATES}
    for phase in ("cold", "reopened"):
        for curve in ("cumulative", "per_execution"):
            assert len(block["analysis"]["convergence"][phase][curve]) == 2
    assert math.isfinite(overall["overhead"]) and overall["overhead"] > 0
    for r in records:  # the router's choice is timed by the oracle in the same round
        if r["chosen"] in r["times_s"]:
            assert r["chosen_s"] == r["times_s"][r["chosen"]]


def test_every_template_has_alternatives(run: tuple[dict[str, Any], Path]) -> None:
    """Mirrors (Kuzu patterns vs link tables), key passes and joins all give the router a
    choice in every template."""
    result, _ = run
    for name, summary in result["sizes"]["tiny"]["analysis"]["templates"].items():
        assert len(summary["alternatives"]) >= 2, name
    mirror = [t.name for t in TEMPLATES if t.choice == "mirror"]
    for name in mirror:
        names = result["sizes"]["tiny"]["analysis"]["templates"][name]["alternatives"]
        assert any(n.startswith("#0 primary") for n in names), names
        assert any(n.startswith("#0 mirror") for n in names), names


def test_every_route_same_answer(run: tuple[dict[str, Any], Path]) -> None:
    result, _ = run
    assert result["sizes"]["tiny"]["analysis"]["overall"]["mismatches"] == []


def test_relations_table(run: tuple[dict[str, Any], Path]) -> None:
    result, _ = run
    rel = result["relations"]["tiny"]
    assert set(rel["shapes"]) == {s.name for s in SHAPES}
    for shape in rel["shapes"].values():
        assert shape["same_rows_native"]
        assert shape["median_ms"]["kuzu native"] > 0
        assert shape["median_ms"]["sqlite native"] > 0
        assert shape["ratio_native"] > 0


def _record(times: dict[str, float], chosen: str, auto_s: float, phase: str = "cold",
            execution: int = 1) -> dict[str, Any]:
    return {"template": "t", "phase": phase, "execution": execution, "times_s": times,
            "best": min(times, key=lambda n: times[n]), "chosen": chosen,
            "chosen_s": times[chosen], "auto_s": auto_s, "policies": {"p": "a"},
            "mismatches": [], "errors": {}}


def test_regret_from_the_oracle_round() -> None:
    """Regret divides the oracle's time of the chosen alternative by the fastest one's, in
    the same round; the router's own wall time only enters the overhead."""
    records = [_record({"a": 1.0, "b": 3.0}, "b", auto_s=3.3),
               _record({"a": 2.0, "b": 1.0}, "b", auto_s=1.1)]
    assert regret(records) == pytest.approx((3.0 + 1.0) / (1.0 + 1.0))
    assert overhead(records) == pytest.approx((3.3 + 1.1) / (3.0 + 1.0))
    assert policy_regret(records, "p") == pytest.approx((1.0 + 2.0) / 2.0)
    assert top1(records) == (0.5, 2)  # both decisive (3x and 2x), one chosen right


def test_the_top1_ceiling_is_a_fixed_choice_by_median() -> None:
    """Round noise alone: "a" is faster by median, but one round's noise makes "b" fastest
    by 2x there; a router always choosing "a" would miss it, and so does the ceiling."""
    records = [_record({"a": 1.0, "b": 1.6}, "a", 1.0), _record({"a": 1.0, "b": 1.7}, "a", 1.0),
               _record({"a": 2.0, "b": 1.0}, "b", 1.0)]
    assert top1(records) == (1.0, 3)
    assert top1_ceiling(records) == pytest.approx(2 / 3)


class _ScriptedOracle(Oracle):
    """Replays timings (no engine runs): what the round's median is taken from."""

    def __init__(self, timings: dict[str, list[Run]]) -> None:
        self.timings = timings

    def run(self, name: str, template: Template, params: Mapping[str, object],
            keep: bool) -> Run:
        return self.timings[name].pop(0)


def test_each_alternative_is_the_median_of_its_timings_in_the_round() -> None:
    """One slow timing does not make a round decisive; a failed repeat is left out, and an
    alternative that failed beside the router is not timed again."""
    oracle = _ScriptedOracle({"a": [Run(0.010), Run(0.011)],
                              "b": [Run(math.nan, error="x"), Run(0.040)], "c": []})
    first = {"a": Run(0.030), "b": Run(0.020), "c": Run(math.nan, error="down")}
    assert ORACLE_REPEATS == 3
    times = _oracle_times(oracle, TEMPLATES[0], {}, ["a", "b", "c"], first)
    assert times == {"a": 0.011, "b": pytest.approx(0.030)}
    assert oracle.timings == {"a": [], "b": [], "c": []}
