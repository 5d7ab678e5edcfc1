"""One system in its own long-lived process: ``python -m benchmarks.tpch.worker SYSTEM DIR``.

Requests arrive as JSON lines on stdin, answers leave as JSON lines on the original stdout
(file descriptor 1 is pointed at stderr first, so a library's prints cannot corrupt them):

* ``{"op": "run", "q": "q01", "save": path|null}`` → ``{"ok": true, "ms": …, "rows": …}``
  (time of ``run`` including materializing the Arrow result; ``save`` writes it as Arrow IPC)
  or ``{"ok": false, "error": class name, "message": first lines}``;
* ``{"op": "rss"}`` → ``{"maxrss_kb": peak RSS of this process (getrusage), "rss_kb": now}``;
* ``{"op": "reopen"}`` → ``{"ok": true}``: the system closes and reconnects (``fed_ws``);
* ``{"op": "quit"}``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.tpch.data import Paths, queries
from benchmarks.tpch.systems import make

VERSIONED = ("duckdb", "duckdb-extension-sqlite", "duckdb-extension-lance", "pyarrow",
             "pylance", "lancedb", "kuzu", "adbc-driver-sqlite", "apsw")


def _save(table: Any, path: str) -> None:
    import pyarrow as pa

    with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _run(system: Any, texts: dict[str, str], req: dict[str, Any]) -> dict[str, Any]:
    qid = req["q"]
    start = time.perf_counter()
    try:
        table = system.run(qid, texts[qid])
    except Exception as err:  # every failure is data for the report
        return {"ok": False, "error": type(err).__name__,
                "message": " ".join(str(err).split("\n")[:3])[:400]}
    ms = (time.perf_counter() - start) * 1000
    if req.get("save"):
        _save(table, req["save"])
    reply = {"ok": True, "ms": ms, "rows": table.num_rows}
    if getattr(system, "last_parts", None) is not None:  # Federation's own split of the time
        reply.update(parts_ms=system.last_parts, fragments=system.last_fragments)
    return reply


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for dist in VERSIONED:
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[dist] = metadata.version(dist)
    return out


def _rss() -> dict[str, Any]:
    """Peak and current RSS of this process. The peak is the address space's high-water mark
    (``VmHWM``): ``ru_maxrss`` carries over the parent's peak across fork and exec, so a worker
    started by a driver that once held 3 GB would report 3 GB whatever it used itself."""
    with open(f"/proc/{os.getpid()}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    peak = int(fields["VmHWM"].split()[0]) if "VmHWM" in fields else \
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(f"/proc/{os.getpid()}/statm") as f:
        now = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    return {"maxrss_kb": peak, "rss_kb": now}


def main(system_name: str, root: str) -> None:
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    try:
        system = make(system_name, Paths(Path(root)))
        texts = queries()
    except Exception as err:
        out.write(json.dumps({"ok": False, "error": type(err).__name__,
                              "message": str(err)[:400]}) + "\n")
        return
    out.write(json.dumps({"ok": True, "ready": system_name, "pid": os.getpid(),
                          "python": sys.executable, "versions": _versions()}) + "\n")
    gc.collect()
    gc.freeze()
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "quit":
            break
        if req["op"] == "run":
            reply = _run(system, texts, req)
        elif req["op"] == "reopen":
            system.reopen()
            reply = {"ok": True}
        else:
            reply = _rss()
        out.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
