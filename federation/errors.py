"""Every error the engine raises is a ``FederationError`` (DESIGN §7)."""

from __future__ import annotations

from grammar.errors import FederationError, QuerySyntaxError
from planner.errors import BindError, PlanError

__all__ = [
    "BindError",
    "ConfigurationError",
    "FederationError",
    "PlanError",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "ResourceLimitError",
    "SourceError",
    "SourceUnavailableError",
    "TransactionError",
]


class ConfigurationError(FederationError):
    """Bad arguments to connect/attach, or use of a closed engine."""


class SourceError(FederationError):
    """A source failed while running its fragment; the driver error is the ``__cause__``."""

    def __init__(self, message: str, *, source: str, fragment: str = "") -> None:
        self.source = source
        self.fragment = fragment
        text = f"source {source!r}: {message}"
        if fragment:
            text += f"\nfragment: {fragment}"
        super().__init__(text)


class SourceUnavailableError(SourceError):
    """The source cannot be opened (missing, locked, corrupt)."""


class QueryTimeoutError(FederationError):
    """The query ran past its time limit and was interrupted."""


class ResourceLimitError(FederationError):
    """A cap was exceeded: query size, K, path depth, result rows, memory."""


class TransactionError(FederationError):
    """A write failed and its transaction was rolled back on every source (or, past the
    commit decision, completed by recovery): ``source`` and ``statement`` name what failed."""

    def __init__(self, message: str, *, source: str = "", statement: str = "") -> None:
        self.source = source
        self.statement = statement
        text = f"source {source!r}: {message}" if source else message
        if statement:
            text += f"\nstatement: {statement}"
        super().__init__(text)
