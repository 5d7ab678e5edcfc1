"""``connect(malloc_arenas=...)`` caps glibc's malloc arenas (``federation.malloc``).

Each case runs in a new interpreter (the cap is process-wide and stays). glibc hands each new
thread a new arena until the cap, so threads that allocate after ``connect`` show it: their
arenas are counted in ``malloc_info``'s report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import federation as fed
from federation.malloc import glibc

pytestmark = pytest.mark.skipif(glibc() is None, reason="glibc only")

_ARENAS = """
import ctypes, json, os, sys, tempfile, threading
import federation as fed
arg = json.loads(sys.argv[1])
eng = fed.connect(**({} if arg == "default" else {"malloc_arenas": arg}))
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
libc.fopen.restype = ctypes.c_void_p
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
start, done = threading.Barrier(8), threading.Barrier(8)
def allocate():
    start.wait()  # all alive at once: none takes over an arena a finished thread left
    libc.free(libc.malloc(1 << 16))
    done.wait()
threads = [threading.Thread(target=allocate) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
path = os.path.join(tempfile.mkdtemp(), "info.xml")
f = libc.fopen(path.encode(), b"w")
libc.malloc_info(0, f)
libc.fclose(f)
eng.close()
print(json.dumps({"arenas": open(path).read().count("<heap nr=")}))
"""


def _arenas(arg: object, env: dict[str, str] | None = None) -> int:
    done = subprocess.run([sys.executable, "-c", _ARENAS, json.dumps(arg)],
                          capture_output=True, text=True, timeout=120, check=True,
                          env={k: v for k, v in os.environ.items()
                               if k != "MALLOC_ARENA_MAX"} | (env or {}))
    return int(json.loads(done.stdout.strip().splitlines()[-1])["arenas"])


def test_connect_caps_the_arenas_at_two_by_default() -> None:
    assert _arenas("default") <= 2


def test_the_cap_is_the_option_and_none_leaves_glibc_alone() -> None:
    assert _arenas(4) == 4
    assert _arenas(None) > 4  # glibc's default: a new arena per new thread, 8 per core


def test_the_environment_setting_wins() -> None:
    assert _arenas("default", {"MALLOC_ARENA_MAX": "3"}) == 3


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_bad_values_are_refused(bad: object) -> None:
    with pytest.raises(fed.ConfigurationError, match="malloc_arenas"):
        fed.connect(malloc_arenas=bad)


_TRIM = """
import ctypes, json, sys, tempfile, pathlib, apsw
import federation as fed
import federation.engine
federation.engine.TRIM_ROWS = 2  # so a 3-row query counts as large
arg = json.loads(sys.argv[1])
folder = pathlib.Path(tempfile.mkdtemp())
con = apsw.Connection(str(folder / "s.db"))
con.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)")
eng = fed.connect(**({} if arg == "default" else {"malloc_arenas": arg}))
eng.attach("s", fed.SQLite(folder / "s.db"))
eng.query("SELECT x FROM s.t WHERE x > 5")  # warm: no rows, no trim
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
blocks = [libc.malloc(1000) for _ in range(150_000)]  # 150 MB of small blocks
for i, block in enumerate(blocks):
    if i % 64:  # every 64th stays: the freed pages are holes, not the heap's top
        libc.free(block)
def rss():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmRSS"))
before = rss()
eng.query("SELECT x FROM s.t")
print(json.dumps({"freed_kb": before - rss()}))
"""


@pytest.mark.parametrize(("arenas", "trims"), [("default", True), (None, False)])
def test_a_large_query_gives_freed_heap_memory_back(arenas: object, trims: bool) -> None:
    out = subprocess.run([sys.executable, "-c", _TRIM, json.dumps(arenas)], check=True,
                         capture_output=True, text=True, env=os.environ.copy()).stdout
    freed = json.loads(out.strip().splitlines()[-1])["freed_kb"]
    assert (freed > 50_000) is trims, freed
