"""Drive the four system workers over pipes: check answers, then interleaved timed rounds."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.tpch.compare import diff
from benchmarks.tpch.data import PEER_PYTHON, ROOT, Paths
from benchmarks.tpch.systems import PEER_SYSTEMS, SYSTEMS

ORACLE = "native"


class Worker:
    """One system's long-lived process (``benchmarks.tpch.worker``)."""

    def __init__(self, system: str, paths: Paths) -> None:
        python = PEER_PYTHON if system in PEER_SYSTEMS else Path(sys.executable)
        self.system = system
        self.log = (paths.root / f"worker-{system}.log").open("w")
        self.proc = subprocess.Popen(
            [str(python), "-m", "benchmarks.tpch.worker", system, str(paths.root)],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
            text=True, bufsize=1)
        self.ready = self._read()
        self.error = None if self.ready.get("ok") else self.ready

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            return {"ok": False, "error": "WorkerDied",
                    "message": f"{self.system} worker exited ({self.proc.poll()}); "
                               f"see {self.log.name}"}
        reply: dict[str, Any] = json.loads(line)
        return reply

    def call(self, **req: Any) -> dict[str, Any]:
        if self.error is not None:
            return self.error
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(req) + "\n")
        except BrokenPipeError:
            self.error = {"ok": False, "error": "WorkerDied", "message": "broken pipe"}
            return self.error
        reply = self._read()
        if reply.get("error") == "WorkerDied":
            self.error = reply
        return reply

    def close(self) -> None:
        if self.proc.poll() is None and self.proc.stdin is not None:
            try:
                self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def start(paths: Paths) -> dict[str, Worker]:
    return {s: Worker(s, paths) for s in SYSTEMS}


def check(workers: dict[str, Worker], qids: list[str]) -> dict[str, dict[str, Any]]:
    """Run every query once on every system; compare each answer with the oracle's."""
    import pyarrow as pa

    status: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="fed-tpch-") as tmp:
        for qid in qids:
            status[qid] = {}
            saved = {}
            for system, worker in workers.items():
                path = str(Path(tmp) / f"{system}-{qid}.arrow")
                status[qid][system] = worker.call(op="run", q=qid, save=path)
                if status[qid][system].get("ok"):
                    saved[system] = pa.ipc.open_file(path).read_all()
            for system, st in status[qid].items():
                if system != ORACLE and st.get("ok") and ORACLE in saved:
                    st["diff"] = diff(saved[system], saved[ORACLE])
                    st["match"] = st["diff"] is None
            print(f"  {qid}: " + ", ".join(_status_text(s, st)
                                            for s, st in status[qid].items()), flush=True)
    return status


def _status_text(system: str, st: dict[str, Any]) -> str:
    if not st.get("ok"):
        return f"{system} {st.get('error')}"
    tag = "" if st.get("match", True) else " MISMATCH"
    return f"{system} {st['ms']:.0f} ms{tag}"


def train(worker: Worker, qids: list[str], times: int) -> float:
    """``times`` untimed executions of every query (in the rounds' alternating order), then
    a reopen: the system's workspace holds what its router learned. Returns seconds."""
    start = time.perf_counter()
    for r in range(times):
        for qid in (qids if r % 2 == 0 else qids[::-1]):
            worker.call(op="run", q=qid)
    worker.call(op="reopen")
    seconds = time.perf_counter() - start
    print(f"  {worker.system}: trained on {times} executions per query in {seconds:.0f} s",
          flush=True)
    return seconds


Samples = dict[str, dict[str, list[float]]]


def rounds(workers: dict[str, Worker], qids: list[str], warmup: int,
           reps: int) -> tuple[Samples, Samples]:
    """Warm-up, then ``reps`` rounds; each round runs every (query, system) pair, the system
    order rotating per query and round and the query order reversed every other round.
    Returns the times per query and system, and Federation's own parts per query."""
    samples: Samples = {q: {s: [] for s in workers} for q in qids}
    parts: Samples = {q: {} for q in qids}
    systems = list(workers)
    for r in range(warmup + reps):
        order = qids if r % 2 == 0 else qids[::-1]
        for i, qid in enumerate(order):
            k = (r + i) % len(systems)
            for system in systems[k:] + systems[:k]:
                reply = workers[system].call(op="run", q=qid)
                if not (r >= warmup and reply.get("ok")):
                    continue
                samples[qid][system].append(reply["ms"])
                if system == "fed":  # fed_ws reports its parts too: one system's only
                    for key, ms in reply.get("parts_ms", {}).items():
                        parts[qid].setdefault(key, []).append(ms)
        label = "warm-up" if r < warmup else f"round {r - warmup + 1}/{reps}"
        print(f"  {label} done", flush=True)
    return samples, parts


def peak_rss(workers: dict[str, Worker]) -> dict[str, float | None]:
    """Peak RSS of every worker process, MB (``ru_maxrss``)."""
    out: dict[str, float | None] = {}
    for system, worker in workers.items():
        reply = worker.call(op="rss")
        out[system] = reply["maxrss_kb"] / 1024 if "maxrss_kb" in reply else None
    return out
