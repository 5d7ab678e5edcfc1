"""The process's C allocator: how many malloc arenas glibc may make (``connect(malloc_arenas=)``).

glibc gives each new thread an arena of its own, up to 8 per core, and memory freed into an
arena is reused only through that arena and returned to the system only from a heap's top.
Lance decodes every scan on threads of its own, DuckDB and the fragment pool run on others, so
the hundreds of MB of buffers one query frees stay spread over arenas the next query's threads
may not reuse, and resident memory ratchets up query after query. Few arenas keep it reused:
TPC-H SF1, all 22 queries three times in one process, peak RSS 998 MB with glibc's default
and 890 MB with 2 arenas, at the same speed (2 cores; ``benchmarks/README.md``).

The cap is process-wide (``mallopt(M_ARENA_MAX)``) and arenas made before stay. glibc fixes
its limit when it first needs one (once 8 arenas exist, or at the first arena made under a cap),
so the first engine's cap is the one that holds, and none holds in a process that already made
8 arenas. ``MALLOC_ARENA_MAX`` in the environment is the user's choice and is left as it is;
without glibc (macOS, musl, Windows) nothing is done.
"""

from __future__ import annotations

import ctypes
import os
import sys
from functools import cache
from typing import Any

M_ARENA_MAX = -8  # glibc's malloc.h
DEFAULT_ARENAS = 2


def cap_arenas(arenas: int) -> bool:
    """Let glibc make at most ``arenas`` malloc arenas; whether the cap was set."""
    if os.environ.get("MALLOC_ARENA_MAX") or not sys.platform.startswith("linux"):
        return False
    libc = glibc()
    return libc is not None and libc.mallopt(M_ARENA_MAX, arenas) == 1


@cache  # one lookup per process: every connect() asks again
def glibc() -> Any:
    """The C library when it is glibc (only glibc has ``gnu_get_libc_version``; musl's
    ``mallopt`` does nothing), else None."""
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018  (raises AttributeError elsewhere)
    except (OSError, AttributeError):
        return None
    return libc
