"""FQL text → AST, with Lark LALR (loaded once) and an inline transformer.

>>> parse("SELECT a.id FROM crm.agents AS a").from_[0]
TableRef(line=1, column=18, source='crm', table='agents', alias='a')
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
from collections import deque
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import cast

import lark
from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError
from lark.lark import PostLex

from grammar import ast, hints
from grammar.errors import QuerySyntaxError
from grammar.table_cache import ready_tables
from grammar.transform_queries import refused
from grammar.transformer import Invalid, ToAst

_WRITES = frozenset({"INSERT", "UPDATE", "DELETE"})
MAX_QUERY_CHARS = 1_000_000  # room for a 40 000-item IN list; parsing it takes ~3 s
_GRAMMAR_PATH = Path(__file__).with_name("fql.lark")


_ENDS_MATCH = frozenset({"JOIN", "INNER", "LEFT", "ON", "WHERE", "GROUP", "HAVING", "ORDER",
                         "LIMIT", "OFFSET", "SEMICOLON",
                         # i10-b: join kinds, set operations and clauses after FROM
                         "RIGHT", "FULL", "CROSS", "NATURAL", "USING", "UNION", "INTERSECT",
                         "EXCEPT", "QUALIFY"})


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# what follows "(" in a derived table, never in a node pattern
_STARTS_QUERY = frozenset({"SELECT", "WITH", "VALUES", "LPAR"})


class _MatchCommas(PostLex):
    """Marks the commas that separate the patterns of one MATCH as PATTERN_COMMA.

    In ``FROM MATCH g (a)-[]->(b), (b)-[]->(c), crm.t AS x`` the first comma continues the
    MATCH and the second starts a new FROM item; one token of lookahead cannot tell, two can:
    a pattern starts with ``(`` not followed by SELECT, WITH, VALUES or ``(`` (those start a
    derived table).
    """

    always_accept = ()

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        # lazy, so a lexing error further on does not hide the first parse error
        ahead: deque[Token] = deque()

        def peek(n: int) -> list[Token]:
            while len(ahead) < n:
                nxt = next(stream, None)
                if nxt is None:
                    break
                ahead.append(nxt)
            return list(ahead)[:n]

        in_match, depth, after_dot = False, 0, False
        while peek(1):
            tok = ahead.popleft()
            if after_dot and tok.type != "NAME" and _WORD.fullmatch(tok):
                # after "x." and "AS" every word is a name, as in DuckDB: t.filter, t.over,
                # count(*) AS groups, CAST(x AS DATE) (a type is a name too)
                tok = Token.new_borrow_pos("NAME", str(tok), tok)
            kind = tok.type
            after_dot = kind in ("DOT", "AS")
            if kind == "MATCH":
                in_match, depth = True, 0
            elif in_match and kind in ("LPAR", "LSQB", "LBRACE"):
                depth += 1
            elif in_match and kind in ("RPAR", "RSQB", "RBRACE"):
                depth -= 1
                in_match = depth >= 0
            elif in_match and depth == 0 and kind in _ENDS_MATCH:
                in_match = False
            elif in_match and depth == 0 and kind == "COMMA":
                after = peek(2)
                if after and after[0].type == "LPAR" and (
                        len(after) < 2 or after[1].type not in _STARTS_QUERY):
                    tok = Token.new_borrow_pos("PATTERN_COMMA", ",", tok)
                else:
                    in_match = False
            yield tok


def _cache_file(grammar: str, start: str = "start") -> str | None:
    """Where the analysed grammar is kept between processes: building the LALR tables takes
    0.3 s, loading them a few ms. The name carries the grammar's and Lark's versions and the
    start rule (Lark keeps one parser per file and rebuilds when another one asks), so an
    edited grammar or another Lark builds afresh; an unwritable place only costs the build."""
    digest = hashlib.blake2b(f"{lark.__version__}\n{start}\n{grammar}".encode(),
                             digest_size=12)
    base = os.environ.get("FEDERATION_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "federation")
    try:
        os.makedirs(base, exist_ok=True)
    except OSError:
        return None
    return os.path.join(base, f"fql-{digest.hexdigest()}.lark")


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = _GRAMMAR_PATH.read_text()
    cache = _cache_file(grammar)
    # loading the tables allocates some 10 000 small objects: with the engine's modules
    # already imported, the collector's full passes over them doubled the first plan's time
    collecting = gc.isenabled()
    gc.disable()
    try:
        with ready_tables(cache):
            return Lark(grammar, parser="lalr", lexer="basic", postlex=_MatchCommas(),
                        transformer=ToAst(), maybe_placeholders=False,
                        cache=cache if cache is not None else False)
    finally:
        if collecting:
            gc.enable()


def parse(text: str) -> ast.QueryExpr:
    """Parse one FQL query; raise ``QuerySyntaxError`` with line, column and a caret."""
    if len(text) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"query is longer than {MAX_QUERY_CHARS} characters",
                               line=1, column=1, snippet="")
    try:
        result = cast(ast.QueryExpr, _parser().parse(text))
    except UnexpectedInput as err:
        tok = getattr(err, "token", None)
        # i11-d: a write where a query starts (the write keywords are names in a query)
        if tok is not None and str(tok).upper() in _WRITES and \
                "SELECT" in getattr(err, "expected", ()):
            raise QuerySyntaxError(f"{str(tok).upper()} is a write statement: run it with "
                                   "eng.execute()", line=tok.line or 1, column=tok.column or 1,
                                   snippet=caret(text, tok.line or 1, tok.column or 1)) from None
        raise _syntax_error(text, err) from None
    except VisitError as err:  # errors raised inside the transformer arrive wrapped
        if isinstance(err.orig_exc, Invalid):
            raise _invalid(text, err.orig_exc) from None
        raise
    except Invalid as err:
        raise _invalid(text, err) from None
    return result


def _invalid(text: str, err: Invalid) -> QuerySyntaxError:
    line, column = err.token.line or 1, err.token.column or 1
    named = _named(text, line, column)
    if named is not None:
        return named
    return QuerySyntaxError(str(err), line=line, column=column,
                            snippet=caret(text, line, column))


def caret(text: str, line: int, column: int) -> str:
    """The offending line with a caret under ``column`` (both 1-based)."""
    lines = text.split("\n")  # Lark counts lines by \n only; so must the snippet
    src = lines[min(line, len(lines)) - 1].rstrip("\r")
    return f"{src}\n{' ' * (column - 1)}^"


_TOKEN_NAMES = {
    "LPAR": "'('", "RPAR": "')'", "COMMA": "','", "DOT": "'.'", "SEMICOLON": "';'", "STAR": "'*'",
    "$END": "end of query", "MINUS": "'-'", "PLUS": "'+'", "NAME": "a name", "INT": "an integer",
    "NUMBER": "a number", "STRING": "a string", "PARAM": "a $parameter", "LSQB": "'['",
    "RSQB": "']'", "LBRACE": "'{'", "RBRACE": "'}'", "COLON": "':'", "EQ": "'='", "LT": "'<'",
    "GT": "'>'", "DOUBLE_DOT": "'..'", "MUL_OP": "'/'", "CONCAT": "'||'",
}


def _describe(expected: set[str]) -> tuple[str, ...]:
    names = []
    for name in sorted(expected):
        if name.startswith("__ANON"):
            continue
        names.append(_TOKEN_NAMES.get(name, name))
    return tuple(names)


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[:line - 1]) + column - 1


def _named(text: str, line: int, column: int) -> QuerySyntaxError | None:
    """The error as a refused feature, named and pointed at (``grammar.hints``)."""
    found = hints.refused_feature(text, _offset(text, line, column))
    if found is None:
        return None
    offset, message = found
    at_line = text.count("\n", 0, offset) + 1
    at_column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return QuerySyntaxError(message, line=at_line, column=at_column,
                            snippet=caret(text, at_line, at_column))


def _hint(text: str, err: UnexpectedInput, tok: Token | None) -> str | None:
    if isinstance(err, UnexpectedCharacters) and err.pos_in_stream is not None:
        return hints.dialect_hint(text, err.pos_in_stream, text[err.pos_in_stream])
    if tok is None or tok.start_pos is None or tok.type == "$END":
        return None
    return hints.dialect_hint(text, tok.start_pos, str(tok))


def _syntax_error(text: str, err: UnexpectedInput) -> QuerySyntaxError:
    line, column = err.line, err.column
    tok = getattr(err, "token", None)
    at_end = tok is not None and tok.type == "$END"
    if isinstance(err, UnexpectedEOF) or at_end or line in (None, -1):
        lines = text.rstrip("\n").split("\n")
        line, column = len(lines), len(lines[-1]) + 1
        message = "unexpected end of query"
    elif isinstance(err, UnexpectedCharacters):
        char = text[err.pos_in_stream] if err.pos_in_stream is not None else "?"
        message = f"unexpected character {char!r}"
    else:
        message = f"unexpected {str(tok)!r}" if tok is not None else "unexpected input"
    expected = _describe(set(getattr(err, "expected", None) or getattr(err, "allowed", None)
                             or ()))
    named = _named(text, line, column)
    if named is not None:
        return named
    hint = _hint(text, err, tok)
    if hint is not None:
        message += "; " + hint
    elif expected:
        message += "; expected " + ", ".join(expected[:12])
    message = refused(tok, text) or message  # i10-b: WINDOW clauses, * REPLACE, …
    return QuerySyntaxError(message, line=line, column=column, snippet=caret(text, line, column),
                            expected=expected)
