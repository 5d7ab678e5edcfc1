"""What the transformers read off Lark tokens: positions, names, and the ``Invalid`` error."""

from __future__ import annotations

from typing import Any, TypedDict

from lark import Token

from grammar import ast


class Invalid(Exception):
    """A construct that parses but is malformed (bad date, unknown unit): becomes a syntax error."""

    def __init__(self, message: str, token: Token) -> None:
        super().__init__(message)
        self.token = token


class Pos(TypedDict):
    line: int
    column: int


def pos(tok: Any) -> Pos:
    if isinstance(tok, Token):
        return {"line": tok.line or 0, "column": tok.column or 0}
    if isinstance(tok, ast.Node):
        return {"line": tok.line, "column": tok.column}
    return {"line": 0, "column": 0}


def name(tok: Token) -> str:
    """A name as written, a double-quoted one unquoted (``"a""b"`` is ``a"b``)."""
    text = str(tok)
    if text.startswith('"'):
        return text[1:-1].replace('""', '"')
    return text
