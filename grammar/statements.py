"""Write statement text → ``write_ast`` nodes, parsed by the FQL grammar from its
``write_statement`` rule (positions kept, so the expressions handed to the read engine are
the statement's own text).

>>> parse_statement("UPDATE crm.tasks SET status = 'done' WHERE id = $id")
Update(target=Target(source='crm', table='tasks', line=1, column=8), \
assignments=(('status', "'done'"),), where='id = $id')
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput, VisitError

from grammar import ast
from grammar import write_ast as w
from grammar.errors import QuerySyntaxError
from grammar.parser import (
    _GRAMMAR_PATH,
    MAX_QUERY_CHARS,
    _cache_file,
    _MatchCommas,
    _syntax_error,
    caret,
)
from grammar.table_cache import ready_tables
from grammar.transformer import Invalid, ToAst, _name


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = _GRAMMAR_PATH.read_text()
    cache = _cache_file(grammar, start="write_statement")
    with ready_tables(cache):
        return Lark(grammar, parser="lalr", lexer="basic", postlex=_MatchCommas(),
                    start="write_statement", propagate_positions=True,
                    maybe_placeholders=False, cache=cache if cache is not None else False)


def parse_statement(text: str) -> w.Statement:
    """Parse one INSERT, UPDATE or DELETE; ``QuerySyntaxError`` with a caret otherwise."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"statement is longer than {MAX_QUERY_CHARS} characters",
                               line=1, column=1, snippet="")
    if text.lstrip().upper().startswith(("SELECT", "WITH")):
        raise QuerySyntaxError("eng.execute() runs INSERT, UPDATE and DELETE; run a query "
                               "with eng.query()", line=1, column=1, snippet=caret(text, 1, 1))
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as err:
        raise _syntax_error(text, err) from None
    return _Build(text).statement(tree)


class _Build:
    def __init__(self, text: str) -> None:
        self.text = text

    def span(self, node: Tree[Any] | Token) -> str:
        if isinstance(node, Token):
            return str(node)
        return self.text[node.meta.start_pos:node.meta.end_pos]

    def statement(self, tree: Tree[Any]) -> w.Statement:
        kind = tree.data
        parts: list[Any] = list(tree.children)
        if kind == "insert_stmt":
            return self.insert(parts)
        if kind == "update_stmt":
            return self.update(parts)
        return w.Delete(_target(parts[2], parts[3]), self.where(parts[4:]))

    def insert(self, parts: list[Any]) -> w.Insert:
        target = _target(parts[2], parts[3])
        rest = parts[4:]
        columns: tuple[str, ...] = ()
        if isinstance(rest[0], Tree) and rest[0].data == "insert_columns":
            columns = tuple(_name(t) for t in rest[0].children if isinstance(t, Token))
            rest = rest[1:]
        body = rest[0]
        values = _bare_values(body)
        if values is not None:
            rows = tuple(tuple(self.value(e) for e in row.children)
                         for row in values.children[1:])
            return w.Insert(target, columns, rows=rows)
        return w.Insert(target, columns, query=self.span(body))

    def update(self, parts: list[Any]) -> w.Update:
        target = _target(parts[1], parts[2])
        assignments = tuple((_name(a.children[0]), self.span(a.children[2]))  # type: ignore[arg-type]
                            for a in parts[4:] if isinstance(a, Tree) and a.data == "assignment")
        return w.Update(target, assignments, self.where(parts[4:]))

    def where(self, parts: list[Any]) -> str:
        found = [p for p in parts if isinstance(p, Tree) and p.data == "write_where"]
        return self.span(found[0].children[1]) if found else ""

    def value(self, node: Tree[Any] | Token) -> ast.Literal | ast.Param:
        """A VALUES item: a literal or a $parameter (no expression: there are no rows to
        compute it over)."""
        try:
            found = ToAst().transform(node) if isinstance(node, Tree) else None
        except VisitError as err:
            if isinstance(err.orig_exc, Invalid):
                tok = err.orig_exc.token
                raise QuerySyntaxError(str(err.orig_exc), line=tok.line or 1,
                                       column=tok.column or 1,
                                       snippet=caret(self.text, tok.line or 1,
                                                     tok.column or 1)) from None
            raise
        if isinstance(found, ast.Literal | ast.Param):
            return found
        line, column = _start(node)
        raise QuerySyntaxError("VALUES takes literals and $parameters; an expression such as "
                               f"{self.span(node)!r} is not supported (use INSERT … SELECT)",
                               line=line, column=column, snippet=caret(self.text, line, column))


def _bare_values(body: Tree[Any] | Token) -> Tree[Any] | None:
    """The ``values_core`` of a query that is only ``VALUES (…), (…)`` (no WITH, set
    operation, ORDER BY or LIMIT): the rows to insert; any other query is inserted by its
    answer."""
    if not (isinstance(body, Tree) and body.data == "query" and len(body.children) == 1):
        return None
    core = body.children[0]
    return core if isinstance(core, Tree) and core.data == "values_core" else None


def _target(source: Token, table: Token) -> w.Target:
    return w.Target(_name(source), _name(table), source.line or 1, source.column or 1)


def _start(node: Tree[Any] | Token) -> tuple[int, int]:
    if isinstance(node, Token):
        return node.line or 1, node.column or 1
    return node.meta.line, node.meta.column
