"""Root of the error hierarchy and the language's own error.

The hierarchy starts here, in the lowest layer, because imports flow grammar → planner →
federation; ``federation.errors`` re-exports every class under its public name.
"""

from __future__ import annotations


class FederationError(Exception):
    """Base class of every error the engine raises on purpose."""


class QuerySyntaxError(FederationError):
    """The query text is not FQL. Carries the 1-based line and column and a caret snippet."""

    def __init__(
        self, message: str, *, line: int, column: int, snippet: str, expected: tuple[str, ...] = ()
    ) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.snippet = snippet
        self.expected = expected
        super().__init__(f"{message} at line {line}, column {column}\n{snippet}")
