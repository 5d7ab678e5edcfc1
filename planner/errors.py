"""Errors raised while binding names and planning."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from grammar.errors import FederationError


class BindError(FederationError):
    """An unknown or ambiguous name, a wrong type or a bad parameter."""

    def __init__(
        self, message: str, *, line: int = 0, column: int = 0, candidates: Iterable[str] = ()
    ) -> None:
        self.line = line
        self.column = column
        self.candidates = tuple(candidates)
        where = f" at line {line}, column {column}" if line else ""
        super().__init__(message + where)


class PlanError(FederationError):
    """The query is valid but cannot be planned (e.g. an unsupported construct here)."""


def did_you_mean(name: str, existing: Iterable[str]) -> str:
    """Text listing the closest names, or every name when none is close.

    >>> did_you_mean("agnts", ["agents", "tasks"])
    "did you mean 'agents'?"
    """
    names = sorted(set(existing))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    if not close:
        lowered = {n.lower(): n for n in names}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    if not names:
        return "there are none"
    shown = ", ".join(repr(n) for n in names[:12])
    more = f" and {len(names) - 12} more" if len(names) > 12 else ""
    return f"expected one of {shown}{more}"
