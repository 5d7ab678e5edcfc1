"""``connect(...)`` options checked before anything is opened: a wrong value is a
``ConfigurationError`` naming the option."""

from __future__ import annotations

from pathlib import Path

from federation.cache import ResultCache
from federation.errors import ConfigurationError
from federation.result import Result


def workspace_folder(workspace: str | Path | None) -> Path | None:
    """The workspace folder, created if missing (None: the embedded default, in memory)."""
    if workspace is None:
        return None
    folder = Path(workspace)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigurationError(f"cannot use workspace {str(workspace)!r}: {err}") from err
    return folder


def check_limits(timeout: object, max_rows: object, key_passing_rows: object,
                 malloc_arenas: object = None) -> None:
    if timeout is not None and (isinstance(timeout, bool)
                                or not isinstance(timeout, int | float) or timeout <= 0):
        raise ConfigurationError("connect(timeout=...) takes seconds > 0, or None")
    if max_rows is not None and (isinstance(max_rows, bool) or not isinstance(max_rows, int)
                                 or max_rows < 0):
        raise ConfigurationError("connect(max_rows=...) takes an integer >= 0, or None")
    if not (key_passing_rows is None or key_passing_rows == "auto" or (
            isinstance(key_passing_rows, int) and not isinstance(key_passing_rows, bool)
            and key_passing_rows >= 0)):
        raise ConfigurationError('connect(key_passing_rows=...) takes "auto", an integer '
                                 ">= 0, or None")
    if malloc_arenas is not None and (isinstance(malloc_arenas, bool)
                                      or not isinstance(malloc_arenas, int)
                                      or malloc_arenas < 1):
        raise ConfigurationError("connect(malloc_arenas=...) takes an integer >= 1, or None")


def result_cache(cache_bytes: int, entry_bytes: int | None, fragment_bytes: int | None
                 ) -> ResultCache[Result]:
    """``connect(cache_bytes=..., cache_entry_bytes=..., cache_fragment_bytes=...)``."""
    return ResultCache(_bytes("cache_bytes", cache_bytes) or 0,
                       entry_bytes=_bytes("cache_entry_bytes", entry_bytes),
                       fragment_bytes=_bytes("cache_fragment_bytes", fragment_bytes))


def _bytes(option: str, value: int | None) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                              or value < 0):
        raise ConfigurationError(f"connect({option}=...) takes a number of bytes >= 0")
    return value
