"""The first write to a Kuzu store reopens its Database read-write, which closes every
connection of the path: the engine lets no query run on that source meanwhile (a Kuzu call
running on a closed connection crashes the process)."""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa

import federation as fed
from tests.writes.stores import attach, ids, make_stores


def test_a_first_kuzu_write_waits_for_running_reads(tmp_path: Path) -> None:
    make_stores(tmp_path)
    with attach(fed.connect(cache_bytes=0), tmp_path) as eng:
        stop = threading.Event()
        seen: list[int] = []
        errors: list[BaseException] = []

        def read() -> None:
            try:
                while not stop.is_set():
                    seen.append(len(ids(eng, "g.Item")))
            except BaseException as err:  # reported by the assertion below
                errors.append(err)

        readers = [threading.Thread(target=read) for _ in range(3)]
        for t in readers:
            t.start()
        try:
            while len(seen) < 20 and not errors:  # the readers are running queries on the graph
                threading.Event().wait(0.005)
            written = eng.insert("g.Item", pa.table({"id": [50, 51], "name": ["x", "y"],
                                                     "n": [500, 510]}))
            count_after = len(seen)
            while len(seen) < count_after + 20 and not errors:  # and go on reading after the reopen
                threading.Event().wait(0.005)
        finally:
            stop.set()
            for t in readers:
                t.join()
        assert errors == [], [repr(e) for e in errors]
        assert written == 2
        assert ids(eng, "g.Item") == [1, 2, 3, 50, 51]
        assert seen[-1] == 5
