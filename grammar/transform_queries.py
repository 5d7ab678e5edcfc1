"""Parse events of the query forms added in issue 10 (helper B): set operations, VALUES, outer,
cross and USING joins, DISTINCT ON, ``* EXCLUDE``, GROUP BY ALL, QUALIFY, aggregate FILTER and
window functions. A mixin of ``grammar.transformer.ToAst``; features FQL leaves out are
refused here by name (``Invalid``), never with a bare list of expected tokens.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lark import Token, Transformer, v_args

from grammar import ast, ast_relations
from grammar.tokens import Invalid, name_of, position

_pos = position
_name = name_of


_EXCLUSIONS = frozenset({"current row", "group", "ties", "no others"})
_BOUNDS = {("unbounded", "preceding"): "unbounded_preceding", ("current", "row"): "current_row",
           ("unbounded", "following"): "unbounded_following"}


@v_args(inline=True)
class QueryForms(Transformer[Token, Any]):
    """Transformer methods for helper B's query forms (mixed into ``ToAst``)."""

    # ---- set operations
    def _set_op(self, op: str, left: ast.QueryExpr, *rest: Any) -> ast.SetOperation:
        quantifier = next((str(r).lower() for r in rest[:-1] if isinstance(r, str)), "distinct")
        return ast.SetOperation(op, quantifier == "all", left, rest[-1], **_pos(left))

    def union_op(self, left: ast.QueryExpr, _kw: Token, *rest: Any) -> ast.SetOperation:
        return self._set_op("union", left, *rest)

    def except_op(self, left: ast.QueryExpr, _kw: Token, *rest: Any) -> ast.SetOperation:
        return self._set_op("except", left, *rest)

    def intersect_op(self, left: ast.QueryExpr, _kw: Token, *rest: Any) -> ast.SetOperation:
        return self._set_op("intersect", left, *rest)

    def union_by_name(self, _left: ast.QueryExpr, kw: Token, *_rest: Any) -> ast.SetOperation:
        raise Invalid("UNION BY NAME is not supported; list the columns of each branch in "
                      "the same order", kw)

    def set_quantifier(self, tok: Token) -> str:
        return str(tok).lower()

    def values_core(self, kw: Token, *rows: tuple[ast.Expr, ...]) -> ast.Query:
        width = len(rows[0])
        if any(len(r) != width for r in rows):
            raise Invalid("every VALUES row must have the same number of values", kw)
        values = ast_relations.ValuesRef(tuple(rows), **_pos(kw))
        return ast.Query((ast.Star(None, **_pos(kw)),), (values,), **_pos(kw))

    def values_row(self, *exprs: ast.Expr) -> tuple[ast.Expr, ...]:
        return exprs

    # ---- select list and clauses
    def distinct_on(self, _kw: Token, _on: Token, *exprs: ast.Expr) -> tuple[str, Any]:
        return ("distinct_on", exprs)

    def exclude(self, _kw: Token, *names: Token) -> tuple[str, tuple[str, ...]]:
        return ("exclude", tuple(_name(n) for n in names))

    def star(self, tok: Token, exclude: tuple[str, Any] | None = None) -> ast.Star:
        return ast.Star(None, exclude[1] if exclude else (), **_pos(tok))

    def qualified_star(self, rel: Token, _star: Token,
                       exclude: tuple[str, Any] | None = None) -> ast.Star:
        return ast.Star(_name(rel), exclude[1] if exclude else (), **_pos(rel))

    def qualify(self, _kw: Token, expr: ast.Expr) -> tuple[str, ast.Expr]:
        return ("qualify", expr)

    def group_by_all(self, _g: Token, _b: Token, _all: Token) -> tuple[str, bool]:
        return ("group_all", True)

    # ---- joins
    def join(self, left: ast_relations.Relation, kind: str, right: ast_relations.Relation,
             spec: tuple[str, Any]) -> ast_relations.Join:
        if spec[0] == "using":
            return ast_relations.Join(kind, left, right, None, spec[1], **_pos(right))
        return ast_relations.Join(kind, left, right, spec[1], **_pos(right))

    def join_on(self, _kw: Token, cond: ast.Expr) -> tuple[str, ast.Expr]:
        return ("on", cond)

    def join_using(self, kw: Token, *names: Token) -> tuple[str, tuple[str, ...]]:
        seen = [_name(n).lower() for n in names]
        if len(set(seen)) != len(seen):
            raise Invalid("a column is named twice in USING (…)", kw)
        return ("using", tuple(_name(n) for n in names))

    def cross_join(self, left: ast_relations.Relation, _cross: Token, _join: Token,
                   right: ast_relations.Relation) -> ast_relations.Join:
        return ast_relations.Join("cross", left, right, None, **_pos(right))

    def natural_join(self, _left: ast_relations.Relation, kw: Token, *_rest: Any
                     ) -> ast_relations.Join:
        raise Invalid("NATURAL joins are not supported; name the join columns with "
                      "USING (…) or ON", kw)

    def right(self, *_toks: Token) -> str:
        return "right"

    def full(self, *_toks: Token) -> str:
        return "full"

    # ---- aggregate FILTER and window functions
    def agg_filter(self, _kw: Token, _where: Token, cond: ast.Expr) -> tuple[str, ast.Expr]:
        return ("filter", cond)

    def filtered_call(self, call: ast.Call, filt: tuple[str, ast.Expr]) -> ast.AggFilter:
        return ast.AggFilter(call, filt[1], **_pos(call))

    def window_call(self, call: ast.Call, *rest: Any) -> ast.WindowCall:
        spec: dict[str, Any] = rest[-1]
        func: ast.Call | ast.AggFilter = call
        if len(rest) == 2:
            func = ast.AggFilter(call, rest[0][1], **_pos(call))
        return ast.WindowCall(func, spec.get("partition", ()), spec.get("order", ()),
                              spec.get("frame"), **_pos(call))

    def over_clause(self, _kw: Token, spec: dict[str, Any]) -> dict[str, Any]:
        return spec

    def named_window(self, kw: Token, _name_tok: Token) -> None:
        raise Invalid("named windows are not supported; write the window in "
                      "OVER (PARTITION BY … ORDER BY …)", kw)

    def window_spec(self, *parts: Any) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        for part in parts:
            if isinstance(part, ast.WindowFrame):
                spec["frame"] = part
            elif part and part[0] == "partition":
                spec["partition"] = part[1]
            else:  # ORDER BY: a tuple of OrderItem
                spec["order"] = part
        return spec

    def partition_by(self, _p: Token, _b: Token, *exprs: ast.Expr) -> tuple[str, Any]:
        return ("partition", exprs)

    def frame(self, units: Token, *rest: Any) -> ast.WindowFrame:
        exclude = next((r[1] for r in rest if isinstance(r, tuple)), None)
        bounds = [r for r in rest if isinstance(r, ast.FrameBound)]
        start = bounds[0]
        end = bounds[1] if len(bounds) > 1 else ast.FrameBound("current_row", **_pos(units))
        if start.kind == "unbounded_following" or end.kind == "unbounded_preceding":
            raise Invalid("a window frame cannot start at UNBOUNDED FOLLOWING or end at "
                          "UNBOUNDED PRECEDING", units)
        return ast.WindowFrame(str(units).lower(), start, end, exclude, **_pos(units))

    def frame_exclude(self, kw: Token, *words: Token) -> tuple[str, str]:
        text = " ".join(str(w).lower() for w in words)
        if text not in _EXCLUSIONS:
            raise Invalid(f"unexpected EXCLUDE {' '.join(map(str, words))}; expected EXCLUDE "
                          "CURRENT ROW, GROUP, TIES or NO OTHERS", words[0] if words else kw)
        return ("exclude", text)

    def frame_bound(self, first: Token, second: Token) -> ast.FrameBound:
        word = str(second).lower()
        if first.type == "INT":
            if word not in ("preceding", "following"):
                raise Invalid(f"unexpected {str(second)!r}; expected PRECEDING or FOLLOWING",
                              second)
            return ast.FrameBound(word, int(first), **_pos(first))
        kind = _BOUNDS.get((str(first).lower(), word))
        if kind is None:
            raise Invalid(f"unexpected {first!s} {second!s}; expected UNBOUNDED "
                          "PRECEDING, CURRENT ROW, UNBOUNDED FOLLOWING or n PRECEDING/FOLLOWING",
                          first)
        return ast.FrameBound(kind, **_pos(first))


_REFUSED_TOKENS = {
    "WINDOW": "named WINDOW clauses are not supported; write the window in "
              "OVER (PARTITION BY … ORDER BY …)",
    "EXCLUDE": "EXCLUDE follows * (SELECT * EXCLUDE (…)) or a window frame (ROWS … "
               "EXCLUDE CURRENT ROW)",
}


def refused(tok: Token | None, text: str) -> str | None:
    """The message naming an unsupported feature that starts at an unexpected token, by its
    text (kept out of the grammar: a rule for each would only grow the parse tables)."""
    if tok is None or tok.start_pos is None:
        return None
    word = str(tok).upper()
    if text[:tok.start_pos].rstrip().endswith("*") and tok.type == "NAME":
        if word == "REPLACE":
            return ("* REPLACE (…) is not supported; list the columns, or use * EXCLUDE (…) "
                    "and add the new expressions")
        return f"unexpected {str(tok)!r} after *; expected EXCLUDE (…)"
    return _REFUSED_TOKENS.get(word)


def with_tail(core: ast.QueryExpr, order: tuple[ast.OrderItem, ...], limit: ast.Expr | None,
              offset: ast.Expr | None) -> ast.QueryExpr:
    """``core`` with the ORDER BY / LIMIT written after it; a parenthesised query that has its
    own becomes a derived table, so both apply in order."""
    if not order and limit is None and offset is None:
        return core
    if core.order_by or core.limit is not None or core.offset is not None:
        inner = ast_relations.DerivedTable(core, "_q", **_pos(core))
        core = ast.Query((ast.Star(None, **_pos(core)),), (inner,), **_pos(core))
    return replace(core, order_by=order, limit=limit, offset=offset)


def with_ctes(query: ast.QueryExpr, ctes: tuple[ast.Cte, ...], recursive: bool, *, line: int,
              column: int) -> ast.QueryExpr:
    """``query`` under a WITH written in front of it (a whole set operation included); a
    parenthesised query with a WITH of its own becomes a derived table under the outer one."""
    if query.ctes:
        inner = ast_relations.DerivedTable(query, "_q", **_pos(query))
        query = ast.Query((ast.Star(None, **_pos(query)),), (inner,), **_pos(query))
    return replace(query, ctes=ctes, recursive=recursive, line=line, column=column)
