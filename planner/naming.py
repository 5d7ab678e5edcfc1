"""Output column names for select items without an alias, in the style of the query text."""

from __future__ import annotations

from grammar import ast

_OPS = {"and": "AND", "or": "OR"}


def expression_name(expr: ast.Expr) -> str:
    """A readable name for an unaliased select expression.

    >>> expression_name(ast.Column("a", "name"))
    'name'
    >>> expression_name(ast.Call("count", (), star=True))
    'count_star()'
    """
    if isinstance(expr, ast.Column):
        return expr.name
    return _text(expr)


def _text(e: ast.Expr) -> str:
    if isinstance(e, ast.Column):
        return f"{e.rel}.{e.name}" if e.rel else e.name
    if isinstance(e, ast.Literal):
        return repr(e.value) if isinstance(e.value, str) else str(e.value)
    if isinstance(e, ast.Param):
        return "$" + e.name
    if isinstance(e, ast.IntervalLiteral):
        return f"INTERVAL {e.amount} {e.unit}"
    if isinstance(e, ast.BinaryOp):
        return f"({_text(e.left)} {_OPS.get(e.op, e.op)} {_text(e.right)})"
    if isinstance(e, ast.UnaryOp):
        return f"(NOT {_text(e.operand)})" if e.op == "not" else f"-{_text(e.operand)}"
    if isinstance(e, ast.Call):
        if e.star:
            return f"{e.name}_star()"
        inner = ", ".join(_text(a) for a in e.args)
        return f"{e.name}({'DISTINCT ' if e.distinct else ''}{inner})"
    if isinstance(e, ast.Cast):
        return f"CAST({_text(e.operand)} AS {e.type_name})"
    if isinstance(e, ast.Extract):
        return f"extract({e.part} FROM {_text(e.operand)})"
    return type(e).__name__.lower()
