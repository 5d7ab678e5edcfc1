"""Transient write failures (SQLite busy, a Lance commit conflict) retried with backoff;
anything else fails at once. The one place tenacity is used."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
ATTEMPTS = 12
MAX_WAIT_S = 0.5  # about 5 s in all before the error is raised


def retried(call: Callable[[], T], transient: Callable[[BaseException], bool]) -> T:
    """``call()``, again with backoff while it raises an error ``transient`` accepts."""
    from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

    for attempt in Retrying(retry=retry_if_exception(transient),
                            stop=stop_after_attempt(ATTEMPTS),
                            wait=wait_exponential_jitter(multiplier=0.005, max=MAX_WAIT_S),
                            reraise=True):
        with attempt:
            return call()
    raise AssertionError("unreachable: tenacity reraises the last error")
