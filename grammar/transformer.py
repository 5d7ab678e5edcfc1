"""Lark parse events → AST nodes: an inline transformer, so no parse tree is materialised.

Malformed constructs that parse (a bad date, an unknown unit) raise ``Invalid`` with the
offending token; Lark wraps it in a ``VisitError`` that ``grammar.parser`` unwraps.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from lark import Token, v_args

from grammar import ast, ast_relations
from grammar.tokens import Invalid, name_of, position
from grammar.transform_queries import QueryForms, with_ctes, with_tail
from grammar.transformer_forms import ExpressionForms
from grammar.transformer_graph import GraphForms, path_mode_of
from grammar.transformer_subqueries import QueryStructure, With

__all__ = ["Invalid", "ToAst"]

_pos = position
_name = name_of
_mode = path_mode_of

_INTERVAL_UNITS = {
    "year": "year", "years": "year", "month": "month", "months": "month", "day": "day",
    "days": "day", "hour": "hour", "hours": "hour", "minute": "minute", "minutes": "minute",
    "second": "second", "seconds": "second", "week": "week", "weeks": "week",
    "quarter": "quarter", "quarters": "quarter",
}


_INTERVAL_AMOUNT = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")


_DECIMAL_DIGITS = 38  # DuckDB's widest DECIMAL


def _string(tok: Token) -> str:
    return str(tok)[1:-1].replace("''", "'")


@v_args(inline=True)
class ToAst(QueryStructure, QueryForms, ExpressionForms, GraphForms):
    """Builds AST nodes bottom-up while Lark parses (no parse tree is materialised)."""

    # ---- query
    def start(self, query: ast.QueryExpr) -> ast.QueryExpr:
        return query

    def query(self, *parts: Any) -> ast.QueryExpr:
        with_ = parts[0] if isinstance(parts[0], With) else None
        core: ast.QueryExpr = parts[1] if with_ is not None else parts[0]
        tail = parts[2:] if with_ is not None else parts[1:]
        order: tuple[ast.OrderItem, ...] = ()
        limit = offset = None
        for part in tail:
            if isinstance(part, tuple) and part and part[0] == "limit":
                _, limit, offset = part
            elif isinstance(part, tuple):
                order = part
        query = with_tail(core, order, limit, offset)
        return query if with_ is None else with_ctes(query, with_.ctes, with_.recursive,
                                                     line=with_.line, column=with_.column)

    def select_core(self, kw: Token, *parts: Any) -> ast.Query:
        fields: dict[str, Any] = {"distinct": False}
        for part in parts:
            if part == "distinct":
                fields["distinct"] = True
            elif isinstance(part, tuple) and len(part) == 2 and isinstance(part[0], str):
                fields[part[0]] = part[1]
        return ast.Query(fields["select"], fields.get("from", ()), fields.get("where"),
                         fields.get("group_by", ()), fields.get("having"),
                         distinct=fields["distinct"],
                         distinct_on=fields.get("distinct_on", ()),
                         group_all=fields.get("group_all", False),
                         qualify=fields.get("qualify"), **_pos(kw))

    def distinct(self, _kw: Token) -> str:
        return "distinct"

    def select_list(self, *items: ast.SelectItem) -> tuple[str, tuple[ast.SelectItem, ...]]:
        return ("select", items)

    def select_expr(self, expr: ast.Expr, alias: str | None = None) -> ast.SelectExpr:
        return ast.SelectExpr(expr, alias, **_pos(expr))

    def alias(self, *toks: Token) -> str:
        return _name(toks[-1])

    def from_list(self, *rels: ast_relations.Relation
                  ) -> tuple[str, tuple[ast_relations.Relation, ...]]:
        if isinstance(rels[0], Token):  # FROM keyword is passed when kept
            rels = rels[1:]
        return ("from", rels)

    def where_clause(self, _kw: Token, expr: ast.Expr) -> tuple[str, ast.Expr]:
        return ("where", expr)

    def group_by(self, _g: Token, _b: Token, *exprs: ast.Expr) -> tuple[str, tuple[ast.Expr, ...]]:
        return ("group_by", exprs)

    def having(self, _kw: Token, expr: ast.Expr) -> tuple[str, ast.Expr]:
        return ("having", expr)

    def order_by(self, _o: Token, _b: Token, *items: ast.OrderItem) -> tuple[ast.OrderItem, ...]:
        return items

    def order_item(self, expr: ast.Expr, *mods: Any) -> ast.OrderItem:
        desc = "desc" in mods
        nulls = next((m for m in mods if isinstance(m, bool)), None)
        return ast.OrderItem(expr, desc, nulls, **_pos(expr))

    def direction(self, tok: Token) -> str:
        return str(tok).lower()

    def nulls(self, word: Token, which: Token) -> bool:
        if str(word).lower() != "nulls":
            raise Invalid(f"unexpected {str(word)!r}; expected NULLS FIRST or NULLS LAST", word)
        if str(which).lower() not in ("first", "last"):
            raise Invalid(f"unexpected {str(which)!r}; expected NULLS FIRST or NULLS LAST",
                           which)
        return str(which).lower() == "first"

    def field_name(self, tok: Token) -> Token:
        return tok

    def limit_clause(self, _kw: Token, limit: ast.Expr, _off: Any = None,
                     offset: ast.Expr | None = None) -> tuple[str, Any, Any]:
        return ("limit", limit, offset)

    def offset_only(self, _kw: Token, offset: ast.Expr) -> tuple[str, Any, Any]:
        return ("limit", None, offset)

    # ---- relations
    def inner(self, *_toks: Token) -> str:
        return "inner"

    def left(self, *_toks: Token) -> str:
        return "left"

    def table_ref(self, src: Token, table: Token, alias: str | None = None
                  ) -> ast_relations.TableRef:
        return ast_relations.TableRef(_name(src), _name(table), alias, **_pos(src))

    def derived_table(self, query: ast.QueryExpr, alias: str,
                      columns: tuple[str, ...] = ()) -> ast_relations.DerivedTable:
        return ast_relations.DerivedTable(query, alias, columns, **_pos(query))

    def nearest_ref(self, kw: Token, src: Token, table: Token, _to: Token, vector: ast.Expr,
                    k_kw: Token, k: ast.Expr, *rest: Any) -> ast_relations.NearestRef:
        if str(k_kw).lower() != "k":
            raise Invalid(f"expected K after the NEAREST vector, got {str(k_kw)!r}", k_kw)
        approximate = any(part is True for part in rest)
        alias = next((part for part in rest if isinstance(part, str)), None)
        return ast_relations.NearestRef(_name(src), _name(table), vector, k, alias,
                                        approximate, **_pos(kw))

    def approximate(self, _kw: Token) -> bool:
        return True

    def match_ref(self, kw: Token, src: Token, *parts: Any) -> ast_relations.MatchRef:
        patterns = [p for p in parts if isinstance(p, ast_relations.Pattern)]
        for i, pattern in enumerate(patterns):
            if pattern.line == 0:  # a lone "()": point at the source name
                node = replace(pattern.nodes[0], line=src.line or 0, column=src.column or 0)
                patterns[i] = replace(pattern, nodes=(node,), line=node.line, column=node.column)
        optional = tuple(p for p in parts if isinstance(p, ast_relations.OptionalMatch))
        return ast_relations.MatchRef(_name(src), tuple(patterns), optional, **_pos(kw))

    def pattern(self, first: ast_relations.NodePattern, *rest: Any) -> ast_relations.Pattern:
        rels = tuple(rest[0::2])
        nodes = [first, *rest[1::2]]
        for i, node in enumerate(nodes):
            if node.line == 0:  # "()" has no token of its own: point at its relationship
                near = rels[i - 1] if i > 0 else (rels[0] if rels else None)
                if near is not None:
                    nodes[i] = replace(node, line=near.line, column=near.column)
        return ast_relations.Pattern(tuple(nodes), rels, **_pos(nodes[0]))

    def node_pattern(self, *parts: Any) -> ast_relations.NodePattern:
        var = next((_name(p) for p in parts if isinstance(p, Token)), None)
        label = next((p[1] for p in parts if isinstance(p, tuple) and p[0] == "label"), None)
        props = next((p[1] for p in parts if isinstance(p, tuple) and p[0] == "props"), ())
        first = parts[0] if parts else None
        return ast_relations.NodePattern(var, label, props, **_pos(first))

    def label(self, tok: Token) -> tuple[str, str]:
        return ("label", _name(tok))

    def property_map(self, *props: tuple[str, ast.Expr]) -> tuple[str, tuple[Any, ...]]:
        return ("props", props)

    def property(self, key: Token, value: ast.Expr) -> tuple[str, ast.Expr]:
        return (_name(key), value)

    def rel_body(self, *parts: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"var": None, "label": None, "hops": (1, 1), "props": (),
                                "mode": "walk"}
        for p in parts:
            if isinstance(p, Token):
                body["var"] = _name(p)
            elif p[0] in ("label", "props"):
                body[p[0]] = p[1]
            else:
                body["hops"], body["mode"] = p[1], p[2]
        return body

    def _rel(self, direction: str, tok: Token, body: dict[str, Any]) -> ast_relations.RelPattern:
        lo, hi = body["hops"]
        return ast_relations.RelPattern(body["var"], body["label"], direction, lo, hi,
                                        body["props"], body["mode"], **_pos(tok))

    def rel_right(self, minus: Token, body: dict[str, Any], *_: Token) -> ast_relations.RelPattern:
        return self._rel("right", minus, body)

    def rel_left(self, lt: Token, _m: Token, body: dict[str, Any], _m2: Token
                 ) -> ast_relations.RelPattern:
        return self._rel("left", lt, body)

    def rel_both(self, minus: Token, body: dict[str, Any], _m2: Token) -> ast_relations.RelPattern:
        return self._rel("both", minus, body)

    def hops_range(self, _s: Token, *parts: Any) -> tuple[str, tuple[int, int], str]:
        mode, (lo, hi) = _mode(parts)
        return ("hops", (int(lo), int(hi)), mode)

    def hops_upper(self, _s: Token, *parts: Any) -> tuple[str, tuple[int, int], str]:
        mode, (hi,) = _mode(parts)
        return ("hops", (1, int(hi)), mode)

    def hops_exact(self, _s: Token, *parts: Any) -> tuple[str, tuple[int, int], str]:
        mode, (n,) = _mode(parts)
        return ("hops", (int(n), int(n)), mode)

    def hops_unbounded(self, _s: Token, *parts: Any) -> tuple[str, tuple[int, None], str]:
        mode, _ = _mode(parts)
        return ("hops", (1, None), mode)

    # ---- boolean and comparison
    def or_op(self, left: ast.Expr, _op: Token, right: ast.Expr) -> ast.BinaryOp:
        return ast.BinaryOp("or", left, right, **_pos(left))

    def and_op(self, left: ast.Expr, _op: Token, right: ast.Expr) -> ast.BinaryOp:
        return ast.BinaryOp("and", left, right, **_pos(left))

    def not_op(self, kw: Token, operand: ast.Expr) -> ast.UnaryOp:
        return ast.UnaryOp("not", operand, **_pos(kw))

    def comp_op(self, tok: Token) -> Token:
        return tok

    def compare(self, left: ast.Expr, op: Token, right: ast.Expr) -> ast.BinaryOp:
        text = "<>" if str(op) == "!=" else str(op)
        return ast.BinaryOp(text, left, right, **_pos(left))

    def between(self, operand: ast.Expr, *rest: Any) -> ast.Between:
        negated = isinstance(rest[0], Token) and rest[0].type == "NOT"
        exprs = [r for r in rest if not isinstance(r, Token)]
        return ast.Between(operand, exprs[0], exprs[1], negated, **_pos(operand))

    def in_list(self, operand: ast.Expr, *rest: Any) -> ast.InList:
        negated = rest[0].type == "NOT"
        items = tuple(r for r in rest if not isinstance(r, Token))
        return ast.InList(operand, items, negated, **_pos(operand))

    def is_null(self, operand: ast.Expr, *toks: Token) -> ast.IsNull:
        return ast.IsNull(operand, any(t.type == "NOT" for t in toks), **_pos(operand))

    # ---- arithmetic
    def arith(self, left: ast.Expr, op: Token, right: ast.Expr) -> ast.BinaryOp:
        return ast.BinaryOp(str(op), left, right, **_pos(left))

    def negate(self, minus: Token, operand: ast.Expr) -> ast.Expr:
        if isinstance(operand, ast.Literal) and isinstance(operand.value, int | Decimal | float) \
                and not isinstance(operand.value, bool):
            return ast.Literal(-operand.value, **_pos(minus))
        return ast.UnaryOp("neg", operand, **_pos(minus))

    def plus(self, _tok: Token, operand: ast.Expr) -> ast.Expr:
        return operand

    # ---- atoms
    def param(self, tok: Token) -> ast.Param:
        return ast.Param(str(tok)[1:], **_pos(tok))

    def column(self, rel: Token, name: Token) -> ast.Column:
        return ast.Column(_name(rel), _name(name), **_pos(rel))

    def bare_column(self, name: Token) -> ast.Column:
        return ast.Column(None, _name(name), **_pos(name))

    def call(self, name: Token, *args: Any) -> ast.Call:
        distinct = bool(args) and isinstance(args[0], Token) and args[0].type == "DISTINCT"
        nulls = next((a[1] for a in args if isinstance(a, tuple)), None)
        exprs = tuple(a for a in args
                      if a is not None and not isinstance(a, Token | tuple))
        return ast.Call(_name(name).lower(), exprs, distinct, ignore_nulls=nulls, **_pos(name))

    def null_treatment(self, kw: Token, word: Token) -> tuple[str, bool]:
        if str(word).lower() != "nulls":
            raise Invalid(f"unexpected {str(word)!r}; expected {str(kw).upper()} NULLS", word)
        return ("nulls", kw.type == "IGNORE")

    def call_star(self, name: Token, _star: Token) -> ast.Call:
        return ast.Call(_name(name).lower(), (), distinct=False, star=True, line=name.line or 0,
                        column=name.column or 0)

    def case_expr(self, kw: Token, *parts: Any) -> ast.Case | ast.SimpleCase:
        whens = tuple(p[1] for p in parts if isinstance(p, tuple) and p[0] == "when")
        default = next((p[1] for p in parts if isinstance(p, tuple) and p[0] == "else"), None)
        if parts and not isinstance(parts[0], tuple):
            return ast.SimpleCase(parts[0], whens, default, **_pos(kw))
        return ast.Case(whens, default, **_pos(kw))

    def case_when(self, _w: Token, cond: ast.Expr, _t: Token, value: ast.Expr) -> tuple[Any, ...]:
        return ("when", (cond, value))

    def case_else(self, _e: Token, value: ast.Expr) -> tuple[str, ast.Expr]:
        return ("else", value)

    def cast(self, kw: Token, operand: ast.Expr, _as: Token, type_name: str) -> ast.Cast:
        return ast.Cast(operand, type_name, **_pos(kw))

    def type_name(self, name: Token, *sizes: Token) -> str:
        base = _name(name).upper()
        return f"{base}({','.join(str(s) for s in sizes)})" if sizes else base

    def extract(self, kw: Token, part: Token, _from: Token, operand: ast.Expr) -> ast.Extract:
        unit = _INTERVAL_UNITS.get(str(part).lower())
        if unit is None and str(part).lower() not in ("quarter", "dow", "doy", "epoch"):
            raise Invalid(f"unknown date part {str(part)!r}", part)
        return ast.Extract(unit or str(part).lower(), operand, **_pos(kw))

    # ---- literals
    def number(self, tok: Token) -> ast.Literal:
        """A DECIMAL as DuckDB types it; with an exponent or more than 38 digits DuckDB types
        the literal as DOUBLE, and so does FQL (``1e5``, ``0.1234…`` of 40 digits)."""
        text = str(tok)
        value = Decimal(text)
        exponent = int(value.as_tuple().exponent)
        width = max(len(value.as_tuple().digits), -exponent)
        if "e" in text.lower() or width > _DECIMAL_DIGITS:
            return ast.Literal(float(value), **_pos(tok))
        return ast.Literal(value, **_pos(tok))

    def integer(self, tok: Token) -> ast.Literal:
        return ast.Literal(int(tok), **_pos(tok))

    def string(self, tok: Token) -> ast.Literal:
        return ast.Literal(_string(tok), **_pos(tok))

    def true(self, tok: Token) -> ast.Literal:
        return ast.Literal(True, **_pos(tok))

    def false(self, tok: Token) -> ast.Literal:
        return ast.Literal(False, **_pos(tok))

    def null(self, tok: Token) -> ast.Literal:
        return ast.Literal(None, **_pos(tok))

    def date_literal(self, kw: Token, text: Token) -> ast.Literal:
        try:
            return ast.Literal(dt.date.fromisoformat(_string(text)), **_pos(kw))
        except ValueError:
            raise Invalid(f"invalid DATE literal {text!s}", text) from None

    def timestamp_literal(self, kw: Token, text: Token) -> ast.Literal:
        try:
            return ast.Literal(dt.datetime.fromisoformat(_string(text)), **_pos(kw))
        except ValueError:
            raise Invalid(f"invalid TIMESTAMP literal {text!s}", text) from None

    def interval_literal(self, kw: Token, amount: Token, unit: Token | None = None
                         ) -> ast.IntervalLiteral:
        text = _string(amount) if amount.type == "STRING" else str(amount)
        words = text.split() + ([str(unit)] if unit is not None else [])
        if len(words) != 2 or not _INTERVAL_AMOUNT.match(words[0]) \
                or words[1].lower() not in _INTERVAL_UNITS:
            raise Invalid(f"invalid INTERVAL {text!r}: expected e.g. INTERVAL '1' YEAR", amount)
        number = Decimal(words[0])
        value = int(number) if number == number.to_integral_value() and "." not in words[0] \
            else number
        return ast.IntervalLiteral(value, _INTERVAL_UNITS[words[1].lower()], **_pos(kw))


