"""Parse events of the expression forms added for issue 10 (``LIKE … ESCAPE``, ``ILIKE``,
``IS [NOT] DISTINCT FROM``, ``IS [NOT] TRUE``, ``::``, ``current_date``, and the calls with
keywords inside: ``substring(x FROM a FOR b)``, ``trim(BOTH c FROM x)``, ``position(a IN b)``),
as a mixin of ``grammar.transformer.ToAst``."""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer, v_args

from grammar import ast
from grammar.tokens import Invalid
from grammar.tokens import name_of as _name
from grammar.tokens import position as _pos


@v_args(inline=True)
class ExpressionForms(Transformer[Token, Any]):
    """Inline transformer methods (Lark calls them by rule name); ``ToAst`` derives from it."""

    def like_op(self, *toks: Token) -> frozenset[str]:
        return frozenset(t.type for t in toks)

    def trim_side(self, tok: Token) -> Token:
        return tok

    def like(self, operand: ast.Expr, kinds: frozenset[str], *rest: Any
             ) -> ast.Like | ast.PatternMatch:
        pattern, *escape = (r for r in rest if not isinstance(r, Token))
        if "ILIKE" in kinds or escape:
            return ast.PatternMatch(operand, pattern, "NOT" in kinds, "ILIKE" in kinds,
                                    escape[0] if escape else None, **_pos(operand))
        return ast.Like(operand, pattern, "NOT" in kinds, **_pos(operand))

    def is_distinct(self, left: ast.Expr, *rest: Any) -> ast.BinaryOp:
        negated = any(isinstance(r, Token) and r.type == "NOT" for r in rest)
        op = "is not distinct from" if negated else "is distinct from"
        return ast.BinaryOp(op, left, rest[-1], **_pos(left))

    def is_truth(self, operand: ast.Expr, *toks: Token) -> ast.UnaryOp:
        negated = any(t.type == "NOT" for t in toks)
        truth = "true" if toks[-1].type == "TRUE" else "false"
        return ast.UnaryOp(f"is_{'not_' if negated else ''}{truth}", operand, **_pos(operand))

    def pg_cast(self, operand: ast.Expr, type_name: str) -> ast.Cast:
        return ast.Cast(operand, type_name, **_pos(operand))

    def current_date(self, kw: Token) -> ast.Call:
        return ast.Call("current_date", (), **_pos(kw))

    def call_from(self, name: Token, first: ast.Expr, _from: Token, second: ast.Expr,
                  *more: Any) -> ast.Call:
        """``substring(x FROM a [FOR b])`` and ``trim(chars FROM x)``, as plain calls."""
        fn = _name(name).lower()
        if fn in ("substring", "substr"):
            if more and str(more[0]).lower() != "for":
                raise Invalid(f"unexpected {str(more[0])!r}; expected FOR", more[0])
            return ast.Call("substring", (first, second, *more[1:]), **_pos(name))
        if fn == "trim" and not more:
            return ast.Call("trim", (second, first), **_pos(name))
        raise Invalid(f"{_name(name)}(… FROM …) is not valid; only substring(x FROM a FOR b), "
                      "trim(c FROM x) and extract(part FROM x) take FROM", name)

    def call_trim(self, name: Token, side: Token, *rest: Any) -> ast.Call:
        """``trim(BOTH|LEADING|TRAILING [chars] FROM x)`` as ``trim``/``ltrim``/``rtrim``."""
        if _name(name).lower() != "trim":
            raise Invalid(f"{str(side).upper()} is only valid in trim(…)", side)
        exprs = [r for r in rest if not isinstance(r, Token)]
        fn = {"BOTH": "trim", "LEADING": "ltrim", "TRAILING": "rtrim"}[side.type]
        return ast.Call(fn, (exprs[-1], *exprs[:-1]), **_pos(name))

    def call_in(self, name: Token, needle: ast.Expr, in_kw: Token, haystack: ast.Expr
                ) -> ast.Call:
        """``position(a IN b)``: where ``a`` first occurs in ``b``, i.e. ``strpos(b, a)``."""
        if _name(name).lower() != "position":
            raise Invalid(f"{_name(name)}(a IN b) is not valid; only position(a IN b) takes IN",
                          in_kw)
        return ast.Call("strpos", (haystack, needle), **_pos(name))
