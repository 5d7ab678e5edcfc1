"""The result-cache benchmark's core at a tiny size: it runs, and its report has every figure
(timings are not asserted: they are the benchmark's to report)."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import cache_bench, cache_report
from benchmarks.common import _clean

TINY = cache_bench.Sizes(rounds=3, warmup=1, hit_batch=3, version_batch=3,
                         one_source_misses=2, scale=0.01, events=2000,
                         profile_hits=0)


def test_cache_bench_core_reports_every_figure(tmp_path: Path) -> None:
    res = cache_bench.measure(TINY, tmp_path)
    assert set(res["hits"]) == {"one_source", "three_engine"}
    for s in res["hits"].values():
        assert s["samples"] == TINY.rounds * TINY.hit_batch
        assert s["not_hits"] == 0  # every timed hit was answered by the cache
        assert {"median_us", "p99_us", "verdict"} <= s.keys()
    assert set(res["versions"]) == set(cache_bench.VERSIONS)
    assert all(s["samples"] == TINY.rounds * TINY.version_batch
               for s in res["versions"].values())
    assert set(res["misses"]) == {"one_source", "three_engine", "scan_200k"}
    for name, m in res["misses"].items():
        per_round = TINY.one_source_misses if name == "one_source" else 1
        runs = (TINY.rounds + TINY.warmup) * per_round
        assert m["pairs"] == TINY.rounds * per_round
        # every run on the cache-on engine was a full miss (no hit, no reused leg)
        assert m["plan_cache_said"] == {"on: miss": runs, "off: off": runs}
        assert {"median_paired_ratio", "ratio_of_medians", "on", "off"} <= m.keys()
    assert res["cache_info"]["hits"] >= 2 * TINY.rounds * TINY.hit_batch
    res["environment"] = {"time": "t", "platform": "p", "cpus": 2, "loadavg": None,
                          "git": {"commit": None}}
    json.dumps(_clean(res), allow_nan=False, default=str)  # what ``save`` writes
    assert "## Cache hit" in cache_report.markdown(res)
