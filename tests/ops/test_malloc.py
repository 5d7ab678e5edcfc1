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
