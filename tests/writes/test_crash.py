"""Child processes killed with SIGKILL at random points of a stream of three-store
transactions: after the next ``connect`` of the workspace every store holds exactly the same
set of transactions, every acknowledged one among them."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import apsw
import kuzu
import lancedb

import federation as fed
from tests.writes.stores import IDS, make_stores

# where each child dies: inside the commit protocol (before the decision: undone, LanceDB
# restored; between the stores' commits: SQLite committed, Kuzu redone from the journal),
# then at a random moment of the stream
KILLS = ("decide", "commit:g", "")
REPO = Path(__file__).resolve().parents[2]


def committed(root: Path) -> dict[str, set[int]]:
    """The ids each store holds once ``connect`` resolved the journal, read with the stores'
    own clients (no source is attached: recovery needs none)."""
    with fed.connect(root / "ws") as eng:
        assert not eng._journal.pending()
        sizes = eng._journal.sizes()  # pruned as it went (a few left by each kill at most)
        assert sizes["txns"] <= 8 and sizes["parts"] == sizes["lance"] == 0, sizes
    # read-only, as the engine reads: a hot journal the kill left (a SQLite transaction
    # open) must have been rolled back by that connect, or this open fails
    con = apsw.Connection(f"file:{root / 'crm.db'}?mode=ro",
                          flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI)
    sqlite = {r[0] for r in con.execute("SELECT id FROM items").fetchall()}
    con.close()
    db = kuzu.Database(str(root / "g.kuzu"), read_only=True)
    graph = kuzu.Connection(db)
    nodes = set(graph.execute("MATCH (n:Item) RETURN n.id AS id").get_as_arrow()["id"]
                .to_pylist())
    graph.close()
    db.close()
    lance = set(lancedb.connect(str(root / "lance")).open_table("items").to_arrow()["id"]
                .to_pylist())
    return {"sqlite": sqlite - set(IDS), "kuzu": nodes - set(IDS), "lancedb": lance - set(IDS)}


def test_sigkill_mid_stream_leaves_every_store_agreeing(tmp_path: Path) -> None:
    make_stores(tmp_path)
    rng = random.Random(20261130)
    acknowledged: set[int] = set()
    start = 10
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get(
        "PYTHONPATH", "")])}
    for kill, step in enumerate(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.writes.crash_child", str(tmp_path), str(start),
             str(kill), step], stdout=subprocess.PIPE, cwd=REPO, env=env)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"ready"
        if not step:
            time.sleep(rng.uniform(0.05, 0.4))
            child.send_signal(signal.SIGKILL)
        assert child.wait() == -signal.SIGKILL
        acknowledged |= {int(line) for line in child.stdout.read().split()}
        child.stdout.close()
        found = committed(tmp_path)
        assert found["sqlite"] == found["kuzu"] == found["lancedb"], found
        assert acknowledged <= found["sqlite"]
        # at most the one transaction in flight per kill was committed unacknowledged
        assert len(found["sqlite"] - acknowledged) <= kill + 1
        if step:  # the third transaction died at ``step``: decided ones are completed
            assert (start + 2 in found["sqlite"]) == (step != "decide")
        start = max(found["sqlite"] | {start}) + 1
    assert len(acknowledged) >= 2 * len(KILLS)  # the stream made progress between kills
