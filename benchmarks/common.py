"""Shared pieces of the suites: the dataset, statistics, table printing and JSON output."""

from __future__ import annotations

import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"

if str(ROOT) not in sys.path:  # so ``tests.differential`` imports from any working directory
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Options:
    quick: bool = False


@dataclass
class Dataset:
    """The differential dataset: a SQLite file (attached as ``crm``) built once per run."""

    sqlite_path: Path
    build_seconds: float


@contextmanager
def differential_dataset() -> Iterator[Dataset]:
    """Build ``tests.differential.dataset`` into a temporary directory, removed afterwards."""
    from tests.differential import dataset

    with tempfile.TemporaryDirectory(prefix="fed-bench-") as tmp:
        path = Path(tmp) / "crm.db"
        start = time.perf_counter()
        oracle = dataset.build(path)
        oracle.close()  # the suites compare against the engine, not the oracle
        yield Dataset(path, time.perf_counter() - start)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Collect, then move every object alive now (harness, dataset, engine, imports) out of
    the collector's reach, so a full collection triggered inside a timed region costs what
    the query's own garbage costs, not what the benchmark harness holds. GC stays enabled."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def engine(data: Dataset) -> Any:
    import federation as fed

    eng = fed.connect(cache_bytes=0)  # measured: every execution reads
    eng.attach("crm", fed.SQLite(str(data.sqlite_path)))
    return eng


def binder_options(eng: Any) -> dict[str, Any]:
    """The keyword options the engine passes to ``Binder`` (those it has)."""
    return {name: getattr(eng, name) for name in ("max_hops", "max_k") if hasattr(eng, name)}


def engine_rules(eng: Any) -> tuple[Any, ...]:
    """The rewrite rules the engine runs (``planner.rules.RULES`` unless it says otherwise)."""
    from planner.rules import RULES

    return tuple(getattr(eng, "rules", RULES))


# ---- statistics


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else math.nan


def percentile(xs: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0..100): a value that was actually observed."""
    if not xs:
        return math.nan
    ordered = sorted(xs)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def geomean(xs: Sequence[float]) -> float:
    xs = [x for x in xs if x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else math.nan


def summary_us(ns: Sequence[int]) -> dict[str, float]:
    """Median, p90, p99, mean and max of nanosecond samples, in microseconds."""
    us = [n / 1000 for n in ns]
    return {"median_us": median(us), "p90_us": percentile(us, 90), "p99_us": percentile(us, 99),
            "mean_us": statistics.fmean(us) if us else math.nan,
            "max_us": max(us) if us else math.nan, "samples": len(us)}


# ---- output


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain fixed-width table; numbers right-aligned, text left-aligned."""
    cells = [[_fmt(v) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    numeric = [all(isinstance(row[i], int | float) for row in rows) if rows else False
               for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric, strict=True)).rstrip()

    print(f"\n{title}")
    print(line(list(headers)))
    print(line(["-" * w for w in widths]))
    for r in cells:
        print(line(r))


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "-"
        return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)


def environment() -> dict[str, Any]:
    """What the numbers depend on: versions, machine, commit."""
    versions = {}
    for dist in ("duckdb", "apsw", "pyarrow", "lark"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {"python": sys.version.split()[0], "platform": platform.platform(),
            "machine": platform.machine(), "cpus": os.cpu_count(), "packages": versions,
            "git": _git(), "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "loadavg": _loadavg()}


def _loadavg() -> list[float] | None:
    """1/5/15-minute load: other processes on the machine skew timings."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _git() -> dict[str, Any]:
    def run(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=10, check=False).stdout.strip()

    try:
        return {"commit": run("rev-parse", "HEAD") or None,
                "dirty": bool(run("status", "--porcelain", "--untracked-files=no"))}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def save(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(_clean(payload), indent=2, allow_nan=False, default=str) + "\n")
    return path


def _clean(value: Any) -> Any:
    """NaN/inf become null so the file is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value
