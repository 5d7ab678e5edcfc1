"""Transient errors retried with backoff (tenacity); every other error fails at once.

Transient: SQLite busy or locked (another writer holds the file), and LanceDB commit
conflicts (another writer committed first). ``transient_retry`` is the one place that knows
the policy: a few attempts, exponential backoff with jitter, bounded in total.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import (
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_random_exponential,
)

T = TypeVar("T")
ATTEMPTS = 5
TOTAL_S = 5.0
_TRANSIENT_TEXT = ("database is locked", "database table is locked", "database is busy",
                   "commit conflict", "commitconflict")


def is_transient(err: BaseException) -> bool:
    """SQLite busy/locked or a Lance commit conflict, here or as the cause of ours."""
    seen: BaseException | None = err
    while seen is not None:
        kind = type(seen).__name__
        if kind in ("BusyError", "LockedError"):
            return True
        text = str(seen).lower()
        if any(t in text for t in _TRANSIENT_TEXT) and kind not in (
                "QueryTimeoutError", "ConfigurationError", "BindError", "QuerySyntaxError"):
            return True
        seen = seen.__cause__
    return False


def transient_retry(step: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """``step()``, run again after a short random pause while it fails transiently."""
    for attempt in Retrying(retry=retry_if_exception(is_transient),
                            stop=stop_after_attempt(attempts) | stop_after_delay(TOTAL_S),
                            wait=wait_random_exponential(multiplier=0.01, max=0.5),
                            reraise=True):
        with attempt:
            return step()
    raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover
