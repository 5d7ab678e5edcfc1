"""A SQLite file's version token for the result cache: ``PRAGMA data_version``, asked only when
a ``stat`` of the file or its WAL moved.

``PRAGMA data_version`` changes with every commit by another connection or process, but values
of two connections cannot be compared (a new connection starts at 1), so one connection is kept
for it (its *epoch* tags the values: a reopened one counts anew). apsw's
``Connection.data_version()`` is cheaper but only moves when that connection starts a read, and
was seen to miss another connection's commit.

The pragma starts a read transaction: on a rollback-journal file, about 10 to 25 µs of file
locking. There every commit writes the database file with ``write()``, which sets its mtime,
under an EXCLUSIVE lock held until the commit is done (the pragma meanwhile fails busy, and the
query runs uncached). So the file's (size, mtime) stamp is compared first and the pragma runs
only when it moved. File times come from a coarse clock: a stamp is trusted only once it is
older than ``RACY_NS`` when read (git's "racily clean" rule), and never on a file system whose
times have no sub-millisecond part. The stamp is read *before* the pragma: a commit landing in
between moves the next stamp.

Not in WAL mode (a ``-wal`` file exists): a commit there appends its frames to the ``-wal``,
syncs them, and only then becomes visible by a change of the WAL index in ``-shm``, which no
stamp shows; a sync slower than ``RACY_NS`` would pair the new stamp with the old version. So
while a ``-wal`` exists the pragma is always asked (about 4 µs there: no file lock is taken).
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Hashable

import apsw

from federation.sources.lance_versions import RACY_NS

_EPOCHS = itertools.count(1)
Stamp = tuple[int, ...]


def _stamp(path: str) -> os.stat_result | None:
    if not os.access(path, os.F_OK):  # no exception for the usual absent -wal: half the cost
        return None
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


class DataVersion:
    """``token()``: (epoch, data version) of one SQLite file. ``identity`` is the file's
    (device, inode) at attach; ``gone`` raises when the file is no longer that file."""

    def __init__(self, path: str, connect: Callable[[], apsw.Connection],
                 identity: tuple[int, int] | None, gone: Callable[[], Exception]) -> None:
        self._path, self._wal = path, path + "-wal"
        self._connect = connect
        self._identity = identity
        self._gone = gone
        self._lock = threading.Lock()
        self._cursor: apsw.Cursor | None = None
        self._epoch = 0
        # (stamps, epoch, version) read last, when its stamps could be trusted: one tuple,
        # so a reader without the lock never pairs one read's stamps with another's version
        self._known: tuple[Stamp, int, object] | None = None

    def token(self) -> Hashable:
        now = time.time_ns()
        try:
            db = os.stat(self._path)
        except FileNotFoundError:
            raise self._gone() from None
        if (db.st_dev, db.st_ino) != self._identity:
            raise self._gone()
        wal = _stamp(self._wal)
        stamp = (db.st_size, db.st_mtime_ns) + ((wal.st_ino, wal.st_size, wal.st_mtime_ns)
                                                if wal is not None else ())
        known = self._known
        if known is not None and known[0] == stamp:
            return known[1], known[2]
        with self._lock:
            version = self._read()
            self._known = (stamp, self._epoch, version) if _settled(db, wal, now) else None
            return self._epoch, version

    def _read(self) -> object:
        if self._cursor is None:
            con = self._connect()
            # a locked file is "no version now" at once (the query then runs uncached and
            # waits for the lock itself, within its deadline)
            con.set_busy_handler(None)
            self._cursor = con.cursor()
            self._epoch = next(_EPOCHS)
        return self._cursor.execute("PRAGMA data_version").get

    def close(self) -> None:
        with self._lock:
            cursor, self._cursor, self._known = self._cursor, None, None
        if cursor is not None:
            cursor.connection.close()


def _settled(db: os.stat_result, wal: os.stat_result | None, now_ns: int) -> bool:
    """Whether the next commit is sure to leave another stamp: no WAL (see the module), and
    a file time older than the clock's tick with a sub-millisecond part (times of a coarse
    file system may not have one)."""
    t = db.st_mtime_ns
    return wal is None and now_ns - t > RACY_NS and t % 1_000_000 != 0
