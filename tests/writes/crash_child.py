"""A stream of three-store transactions for ``test_crash`` to kill: transaction ``i`` writes
id ``i`` to SQLite, Kuzu and LanceDB; ``i`` is printed once its commit returned. The
commit steps pause at random (the test hook), so kills land inside commits too. Finished
transactions' markers are pruned every other commit, so kills land inside pruning too."""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from pathlib import Path

import federation as fed
from federation.writes import journal, transaction
from tests.writes.stores import TARGETS, attach


def main(root: Path, start: int, seed: int, kill_at: str) -> None:
    """``kill_at``: the commit step of the third transaction at which the process kills
    itself; empty: it runs until the test kills it."""
    rng = random.Random(seed)
    journal.PRUNE_AT = 2

    def pause(step: str) -> None:
        if step == kill_at and i == start + 2:
            os.kill(os.getpid(), signal.SIGKILL)
        if rng.random() < 0.5:
            time.sleep(rng.random() * 0.02)

    eng = attach(fed.connect(root / "ws"), root)
    i = start
    for i in range(start, 1 << 40):
        with eng.transaction():
            for target in TARGETS.values():
                eng.insert(target, [{"id": i, "name": "k", "n": i}])
        if i == start:  # the first one opened everything: the kill window starts now
            transaction.FAULT = pause
            print("ready", flush=True)
        print(i, flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
