"""``stats.sqlite`` in a workspace (apsw): the statistics' summaries, one row per (source,
shape), and the sources' calibrations (see ``federation.stats``)."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from pathlib import Path

from federation.errors import ConfigurationError
from federation.stats_summary import Summary
from planner.cost import Prior
from planner.shape import Shape

CalibrationKey = tuple[str, str, str]  # source name, kind, location

_FORMAT = 1  # bumped when the stored summaries change meaning (older ones are dropped)
MAX_CALIBRATIONS = 256  # stored calibrations (the least recently measured are dropped)
_log = logging.getLogger("federation.stats")


class Store:
    """``stats.sqlite`` in the workspace (apsw): one row per (source, shape)."""

    def __init__(self, path: Path) -> None:
        import apsw

        self.path = path
        self._lock = threading.Lock()  # the flusher and close() may write from two threads
        try:
            self._con = apsw.Connection(str(path))
            self._con.set_busy_timeout(5000)
            self._con.execute(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value)")
            found = self._con.execute(
                "SELECT value FROM meta WHERE key = 'format'").fetchall()
            if found and found[0][0] != _FORMAT:
                self._con.execute("DROP TABLE IF EXISTS shapes")  # derived data: start over
            self._con.execute(
                "CREATE TABLE IF NOT EXISTS shapes (source TEXT, shape TEXT, kind TEXT, "
                "shape_text TEXT, state TEXT, last_seen REAL, seq INTEGER, "
                "PRIMARY KEY (source, shape))")
            self._con.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (_FORMAT,))
            self._con.execute(
                "CREATE TABLE IF NOT EXISTS calibrations (source TEXT, kind TEXT, "
                "location TEXT, method INTEGER, base_s REAL, per_1k_in_s REAL, "
                "per_1k_out_s REAL, keyed_s REAL, measured_at REAL, "
                "PRIMARY KEY (source, kind, location))")
        except apsw.Error as err:
            con = getattr(self, "_con", None)
            if con is not None:
                con.close()  # opened, then refused: not left open
            raise ConfigurationError(f"cannot use the statistics file {str(path)!r}: "
                                     f"{err}") from err

    def load(self, max_shapes: int) -> list[Summary]:
        """The most recently seen summaries, oldest first; unreadable rows are skipped."""
        import apsw

        try:
            rows = self._con.execute(
                "SELECT source, shape, kind, shape_text, state, last_seen, seq FROM shapes "
                "ORDER BY seq DESC LIMIT ?", (max_shapes,)).fetchall()
        except apsw.Error as err:
            raise ConfigurationError(f"cannot read the statistics file {str(self.path)!r}: "
                                     f"{err}") from err
        loaded = []
        for source, shape, kind, text, state, last_seen, seq in reversed(rows):
            try:
                summary = Summary.load(source, kind, Shape(shape, text), state,
                                       float(last_seen))
                summary.seq = int(seq)
                loaded.append(summary)
            except (ValueError, KeyError, TypeError):
                continue  # one damaged row loses that shape's history only
        return loaded

    def write(self, rows: Sequence[tuple[object, ...]], max_shapes: int) -> None:
        if not rows:
            return
        with self._lock, self._con:
            self._con.executemany("INSERT OR REPLACE INTO shapes VALUES (?, ?, ?, ?, ?, ?, ?)",
                                  rows)
            self._con.execute(
                "DELETE FROM shapes WHERE rowid NOT IN (SELECT rowid FROM shapes "
                "ORDER BY seq DESC LIMIT ?)", (max_shapes,))

    def load_calibrations(self) -> dict[CalibrationKey, tuple[int, Prior]]:
        """Every stored calibration; a damaged row is skipped (measured again)."""
        import apsw

        try:
            rows = self._con.execute(
                "SELECT source, kind, location, method, base_s, per_1k_in_s, per_1k_out_s, "
                "keyed_s FROM calibrations").fetchall()
        except apsw.Error as err:
            raise ConfigurationError(f"cannot read the statistics file {str(self.path)!r}: "
                                     f"{err}") from err
        loaded = {}
        for source, kind, location, method, *values in rows:
            numbers = [v for v in values if isinstance(v, int | float) and math.isfinite(v)
                       and v >= 0]
            if len(numbers) == 4 and isinstance(method, int):
                loaded[(str(source), str(kind), str(location))] = (
                    method, Prior(*(float(v) for v in numbers)))
        return loaded

    def write_calibration(self, key: CalibrationKey, method: int, prior: Prior,
                          now: float) -> None:
        """Store one calibration; a failure is logged (it is measured again next time)."""
        import apsw

        row = (*key, method, prior.base_s, prior.per_1k_in_s, prior.per_1k_out_s,
               prior.keyed_s, now)
        try:
            with self._lock, self._con:
                self._con.execute("INSERT OR REPLACE INTO calibrations VALUES "
                                  "(?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
                self._con.execute(
                    "DELETE FROM calibrations WHERE rowid NOT IN (SELECT rowid FROM "
                    "calibrations ORDER BY measured_at DESC LIMIT ?)", (MAX_CALIBRATIONS,))
        except apsw.Error as err:
            _log.warning("cannot write a calibration to %s: %s", self.path, err)

    def close(self) -> None:
        with self._lock:
            self._con.close()
