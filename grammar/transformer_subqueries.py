"""Parse events of WITH, derived-table column lists, subquery expressions and LATERAL (refused
by name), for ``grammar.transformer.ToAst`` (issue 10)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer, v_args

from grammar import ast, ast_relations
from grammar.tokens import Invalid, name_of, position


@dataclass(frozen=True)
class With:
    """A parsed WITH clause, until ``query`` folds it into the Query."""

    ctes: tuple[ast.Cte, ...]
    recursive: bool
    line: int
    column: int


@v_args(inline=True)
class QueryStructure(Transformer[Token, Any]):
    """WITH and subqueries; ``ToAst`` inherits these (each is wrapped by ``v_args`` here)."""

    def with_clause(self, kw: Token, *parts: Any) -> With:
        recursive = any(p is True for p in parts)
        return With(tuple(p for p in parts if isinstance(p, ast.Cte)), recursive,
                     kw.line or 0, kw.column or 0)

    def recursive(self, _kw: Token) -> bool:
        return True

    def cte(self, name: Token, *parts: Any) -> ast.Cte:
        columns = next((p for p in parts if isinstance(p, tuple)), ())
        query = parts[-1]
        return ast.Cte(name_of(name), query, columns, **position(name))

    def column_names(self, *names: Token) -> tuple[str, ...]:
        return tuple(name_of(n) for n in names)

    def named_ref(self, name: Token, alias: str | None = None) -> ast_relations.NamedRef:
        return ast_relations.NamedRef(name_of(name), alias, **position(name))

    def lateral_ref(self, kw: Token, *_parts: Any) -> ast_relations.Relation:
        raise Invalid("LATERAL joins are not supported; write the correlated subquery in "
                      "the SELECT list or WHERE instead", kw)

    def scalar_subquery(self, query: ast.QueryExpr) -> ast.ScalarSubquery:
        return ast.ScalarSubquery(query, **position(query))

    def exists(self, kw: Token, query: ast.QueryExpr) -> ast.Exists:
        return ast.Exists(query, **position(kw))

    def in_subquery(self, operand: ast.Expr, *rest: Any) -> ast.InSubquery:
        negated = isinstance(rest[0], Token) and rest[0].type == "NOT"
        return ast.InSubquery(operand, rest[-1], negated, **position(operand))

    def quantified(self, operand: ast.Expr, op: Token, quantifier: str, query: ast.QueryExpr
                   ) -> ast.Quantified:
        text = "<>" if str(op) == "!=" else str(op)
        return ast.Quantified(operand, text, quantifier, query, **position(operand))

    def quantifier(self, tok: Token) -> str:
        return "all" if str(tok).lower() == "all" else "any"
