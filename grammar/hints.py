"""What a syntax error means when it is a known habit: a feature FQL refuses, named (``LATERAL
joins are not supported``), or a spelling from another dialect with FQL's (``?`` placeholders,
``LIMIT a, b``), instead of a bare list of expected tokens.

>>> refused_feature("SELECT * FROM s.t a NATURAL JOIN s.u b", 40)
(20, 'NATURAL joins are not supported; name the join columns with USING (…) or ON')
>>> refused_feature("SELECT 'natural join' FROM s.t", 30) is None
True
"""

from __future__ import annotations

import re

# (pattern over the query with strings and comments blanked, what is refused and what to do)
_REFUSED: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), message) for pattern, message in (
        # the same words as grammar.transformer_subqueries / transform_queries, which refuse
        # the forms that parse
        (r"\blateral\b", "LATERAL joins are not supported; write the correlated subquery in "
                          "the SELECT list or WHERE instead"),
        (r"\bnatural\s+(left\s+|inner\s+|right\s+|full\s+)?join\b",
         "NATURAL joins are not supported; name the join columns with USING (…) or ON"),
        (r"\basof\s+(left\s+)?join\b", "ASOF joins are not supported"),
        (r"\bpositional\s+join\b", "POSITIONAL joins are not supported"),
        (r"\b(semi|anti)\s+join\b", "SEMI and ANTI joins are not supported; use EXISTS or IN"),
        (r"\bgroup\s+by\s+(rollup|cube|grouping\s+sets)\b",
         "ROLLUP, CUBE and GROUPING SETS are not supported"),
        (r"\b(un)?pivot\s*\(|^\s*(un)?pivot\b", "PIVOT and UNPIVOT are not supported"),
        (r"\bfetch\s+(first|next)\b", "FETCH FIRST is not supported; use LIMIT n"),
        (r"\btop\s+\d+\s", "SELECT TOP n is not supported; use LIMIT n"),
        # not the INTO of INSERT INTO (a write statement, grammar.statements)
        (r"(?<!insert\s)(?<!insert\s\s)\binto\b",
         "SELECT … INTO is not supported; FQL queries only read"),
        (r"\b(tablesample|using\s+sample)\b", "sampling (TABLESAMPLE) is not supported"),
        (r"\bsimilar\s+to\b", "SIMILAR TO is not supported; use LIKE or ILIKE"),
        (r"\b(not\s+)?(glob|regexp|rlike)\b",
         "GLOB and REGEXP operators are not supported; use LIKE or ILIKE"),
        (r"\bcollate\b", "COLLATE is not supported; FQL compares text by code point"),
        (r"\bwithin\s+group\b",
         "WITHIN GROUP is not supported; use quantile_cont(x, q) or median(x)"),
        (r"\b(string_agg|group_concat|listagg)\s*\([^()]*\border\s+by\b",
         "ORDER BY inside string_agg() is not supported"),
        (r"(?<!\])->>?", "JSON operators (-> and ->>) are not supported"),
        # helper G: Cypher's OPTIONAL MATCH continues a MATCH; it is no relation of its own
        (r"(?:(?<=\bfrom\s)|(?<=\bjoin\s)|(?<=,\s)|(?<=,))optional\s+match\b",
         "OPTIONAL MATCH follows the patterns of a MATCH: "
         "MATCH src (a) OPTIONAL MATCH (a)-[…]->(b)"),
    ))

_BLANK = re.compile(r"'(?:[^']|'')*'|--[^\n]*|\"(?:[^\"]|\"\")*\"")


def _blanked(text: str) -> str:
    """``text`` with strings, quoted names and comments replaced by spaces (same offsets)."""
    return _BLANK.sub(lambda m: " " * len(m.group(0)), text)


def refused_feature(text: str, offset: int) -> tuple[int, str] | None:
    """(offset, message) of the first refused feature at or before ``offset`` (0-based) of
    the error, or None."""
    plain = _blanked(text)
    found = [(m.start(), message) for pattern, message in _REFUSED
             if (m := pattern.search(plain)) is not None and m.start() <= offset]
    return min(found) if found else None


def dialect_hint(text: str, offset: int, unexpected: str) -> str | None:
    """A hint for a habit from another SQL dialect, given the unexpected text at ``offset``.

    >>> dialect_hint("SELECT a.x FROM s.t a LIMIT 5, 10", 29, ",")
    'LIMIT a, b is not FQL: write LIMIT b OFFSET a'
    >>> dialect_hint("SELECT a.x FROM s.t a WHERE a.id = ?", 35, "?")
    'parameters are named in FQL: write $name and pass params={"name": …}'
    """
    if unexpected == "?":
        return 'parameters are named in FQL: write $name and pass params={"name": …}'
    if unexpected == "," and re.search(r"\blimit\s+\S+\s*$", _blanked(text)[:offset],
                                       re.IGNORECASE):
        return "LIMIT a, b is not FQL: write LIMIT b OFFSET a"
    if unexpected == "=" and text[offset - 1:offset] == "=":
        return "FQL compares with =, not =="
    return None
