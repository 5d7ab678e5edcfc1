"""Write statements (``eng.execute``): frozen nodes built by ``grammar.statements``.

Expressions a statement hands to the read engine (an INSERT's query, SET values, WHERE
predicates) are kept as their exact FQL text, which the engine parses and binds as a query:
one language, one binder, one set of semantics.
"""

from __future__ import annotations

from dataclasses import dataclass

from grammar import ast


@dataclass(frozen=True)
class Target:
    source: str
    table: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.source}.{self.table}"


@dataclass(frozen=True)
class Insert:
    target: Target
    columns: tuple[str, ...]  # empty: every column of the target, in order
    rows: tuple[tuple[ast.Literal | ast.Param, ...], ...] = ()  # VALUES
    query: str = ""  # INSERT … SELECT: the query's text

    def __post_init__(self) -> None:
        if bool(self.rows) == bool(self.query):
            raise ValueError("an INSERT has VALUES or a query, not both")


@dataclass(frozen=True)
class Update:
    target: Target
    assignments: tuple[tuple[str, str], ...]  # (column, expression text)
    where: str = ""  # predicate text; empty: every row


@dataclass(frozen=True)
class Delete:
    target: Target
    where: str = ""


Statement = Insert | Update | Delete
