"""The differential corpus: every query, plus the constructs it must cover."""

from __future__ import annotations

import re

from . import (
    queries_aggregates,
    queries_analytics,
    queries_basic,
    queries_combined_b,
    queries_combined_m,
    queries_functions,
    queries_joins,
    queries_outer_joins,
    queries_pushdown,
    queries_setops,
    queries_shared_reads,
    queries_subqueries,
    queries_windows,
)
from .corpus import Query

QUERIES: list[Query] = (queries_basic.QUERIES + queries_aggregates.QUERIES
                        + queries_joins.QUERIES + queries_analytics.QUERIES
                        + queries_pushdown.QUERIES + queries_subqueries.QUERIES
                        # i10-b: set operations, outer joins, windows and clauses
                        + queries_setops.QUERIES + queries_outer_joins.QUERIES
                        + queries_windows.QUERIES + queries_combined_b.QUERIES
                        + queries_combined_m.QUERIES  # both halves of issue 10 together
                        + queries_functions.QUERIES  # i10-c: functions and expressions
                        + queries_shared_reads.QUERIES)  # s12-T: equal fragments read once
BY_ID: dict[str, Query] = {qq.id: qq for qq in QUERIES}
assert len(BY_ID) == len(QUERIES), "duplicate query ids"

# construct -> regex (case-insensitive) that at least one query text must match
CONSTRUCTS: dict[str, str] = {
    "select distinct": r"\bselect\s+distinct\b",
    "star": r"\bselect\s+\*",
    "qualified star": r"\b[a-z_][a-z0-9_]*\.\*",
    "as alias": r"\bas\s+[a-z_]",
    "plus": r"[\w)]\s*\+\s*[\w(]",
    "minus": r"[\w)]\s+-\s+[\w(]",
    "times": r"[\w)]\s*\*\s*[\w(]",
    "divide": r"[\w)]\s*/\s*[\w(]",
    "modulo": r"[\w)]\s*%\s*\d",
    "comparison <>": r"<>",
    "comparison !=": r"!=",
    "comparison <=": r"<=",
    "comparison >=": r">=",
    "and": r"\band\b",
    "or": r"\bor\b",
    "not": r"\bnot\s*\(",
    "between": r"(?<!not )\bbetween\b",
    "not between": r"\bnot\s+between\b",
    "in list": r"(?<!not )\bin\s*\(",
    "not in": r"\bnot\s+in\s*\(",
    "like": r"(?<!not )\blike\b",
    "not like": r"\bnot\s+like\b",
    "is null": r"\bis\s+null\b",
    "is not null": r"\bis\s+not\s+null\b",
    "case when else": r"\bcase\s+when\b.*\belse\b",
    "case without else": r"\bcase\s+when\b[^()]*?\bthen\b[^()]*?\bend\b",
    "cast integer": r"\bcast\s*\(.*\bas\s+integer\)",
    "cast double": r"\bcast\s*\(.*\bas\s+double\)",
    "cast varchar": r"\bcast\s*\(.*\bas\s+varchar\)",
    "cast date": r"\bcast\s*\(.*\bas\s+date\)",
    "cast decimal": r"\bas\s+decimal\(10,\s*2\)",
    "date literal": r"\bdate\s+'\d{4}-\d\d-\d\d'",
    "interval string": r"\binterval\s+'\d+'\s+(year|month|day)\b",
    "interval int": r"\binterval\s+\d+\s+(year|month|day)\b",
    "lower": r"\blower\(",
    "upper": r"\bupper\(",
    "length": r"\blength\(",
    "substr": r"\bsubstr\(",
    "abs": r"\babs\(",
    "round": r"\bround\(",
    "coalesce": r"\bcoalesce\(",
    "extract": r"\bextract\(\s*year\s+from\b",
    "count star": r"\bcount\(\*\)",
    "count expr": r"\bcount\([a-z]",
    "count distinct": r"\bcount\(distinct\b",
    "sum": r"\bsum\(",
    "avg": r"\bavg\(",
    "min": r"\bmin\(",
    "max": r"\bmax\(",
    "group by": r"\bgroup\s+by\b",
    "group by expression": r"\bgroup\s+by\s+(extract|case|lower|coalesce|substr)\b",
    "having": r"\bhaving\b",
    "order by": r"\border\s+by\b",
    "asc": r"\basc\b",
    "desc": r"\bdesc\b",
    "nulls first": r"\bnulls\s+first\b",
    "nulls last": r"\bnulls\s+last\b",
    "limit": r"\blimit\b",
    "offset": r"\boffset\b",
    "join": r"(?<!inner )(?<!left )(?<!outer )\bjoin\b",
    "inner join": r"\binner\s+join\b",
    "left join": r"\bleft\s+join\b",
    "left outer join": r"\bleft\s+outer\s+join\b",
    "comma join": r"\bfrom\s+crm\.\w+\s+(as\s+)?\w+\s*,\s*crm\.",
    "derived table": r"\bfrom\s*\(\s*select\b",
    "joined derived table": r"\bjoin\s*\(\s*select\b",
    "nested derived table": r"\(\s*select\b[^;]*\(\s*select\b",
    "parameter": r"\$[a-z_]",
    "comment": r"--",
    "concat": r"\|\|",
    "true literal": r"\btrue\b",
    "false literal": r"\bfalse\b",
    "null literal": r"[(,=]\s*null\b",
    # issue 10 (helper A): subqueries, WITH, derived-table column lists
    "in subquery": r"(?<!not )\bin\s*\(\s*select\b",
    "not in subquery": r"\bnot\s+in\s*\(\s*select\b",
    "exists": r"(?<!not )\bexists\s*\(",
    "not exists": r"\bnot\s+exists\s*\(",
    "scalar subquery in select": r"^select\s+[a-z_.]+\s*,\s*\(\s*select\b",
    "scalar subquery compared": r"[<>=]\s*\(\s*select\b",
    "scalar subquery in order by": r"\border\s+by\s+\(\s*select\b",
    "scalar subquery in having": r"\bhaving\b[^;]*\(\s*select\b",
    "all subquery": r"\ball\s*\(\s*select\b",
    "any subquery": r"\bany\s*\(\s*select\b",
    "some subquery": r"\bsome\s*\(\s*select\b",
    "with": r"^with\s+\w+",
    "with column list": r"^with\s+\w+\s*\(",
    "with several ctes": r"^with\b[^;]*\)\s*,\s*\w+\s+as\s*\(",
    "nested with": r"\(\s*with\b",
    "limit parameter": r"\blimit\s+\$[a-z_]+",
    "offset parameter": r"\boffset\s+\$[a-z_]+",
    "derived column list": r"\)\s*(as\s+)?\w+\s*\(\s*\w+(\s*,\s*\w+)*\s*\)",
    # i10-b
    "union": r"\bunion\s+select\b",
    "union all": r"\bunion\s+all\b",
    "intersect": r"\bintersect\s+select\b",
    "intersect all": r"\bintersect\s+all\b",
    "except": r"\bexcept\s+select\b",
    "except all": r"\bexcept\s+all\b",
    "parenthesised set branch": r"\)\s+(union|intersect|except)\b",
    "right join": r"\bright\s+join\b",
    "right outer join": r"\bright\s+outer\s+join\b",
    "full join": r"\bfull\s+join\b",
    "full outer join": r"\bfull\s+outer\s+join\b",
    "cross join": r"\bcross\s+join\b",
    "join using": r"\busing\s*\(",
    "select without from": r"^select\s+(?!.*\bfrom\b)",
    "values query": r"^values\s*\(",
    "values relation": r"\(\s*values\b",
    "distinct on": r"\bdistinct\s+on\s*\(",
    "star exclude": r"\*\s+exclude\b",
    "group by all": r"\bgroup\s+by\s+all\b",
    "aggregate filter": r"\)\s+filter\s*\(\s*where\b",
    "row_number": r"\brow_number\(\)\s+over\b",
    "rank": r"\brank\(\)\s+over\b",
    "dense_rank": r"\bdense_rank\(\)\s+over\b",
    "ntile": r"\bntile\(",
    "lag": r"\blag\(",
    "lead": r"\blead\(",
    "first_value": r"\bfirst_value\(",
    "last_value": r"\blast_value\(",
    "aggregate over": r"\b(count|sum|avg|min|max)\([^()]*\)\s+over\b",
    "partition by": r"\bpartition\s+by\b",
    "rows frame": r"\brows\s+between\b",
    "range frame": r"\brange\s+between\b",
    "qualify": r"\bqualify\b",
    "nth_value": r"\bnth_value\(",
    "ignore nulls": r"\bignore\s+nulls\)",
    "groups frame": r"\bgroups\s+between\b",
    "frame exclude": r"\b(following|row)\s+exclude\s+(current|group|ties|no)\b",
    "registry aggregate over": r"\b(stddev|variance|median|string_agg|bool_and|bool_or)\([^()]*"
                               r"\)\s+over\b",
    # issue 10, both halves together
    "cte over a set operation": r"^with\s+\w+\s+as\s*\(\s*select\b[^;]*\bunion\b",
    "set operation in a subquery": r"\bin\s*\(\s*select\b[^()]*\b(union|except)\b",
    "window in a subquery": r"\(\s*select\b[^;]*\bover\s*\(",
    "subquery in a window": r"\bpartition\s+by\b[^;]*\(\s*select\b",
    "with recursive": r"\bwith\s+recursive\b",
}

CONSTRUCTS.update(queries_functions.CONSTRUCTS)


def texts() -> list[str]:
    return [qq.text for qq in QUERIES]


def missing_constructs() -> list[str]:
    """Constructs that no query text covers (should be empty)."""
    return [name for name, pattern in CONSTRUCTS.items()
            if not any(re.search(pattern, t, re.IGNORECASE | re.DOTALL) for t in texts())]


def has_mixed_case_keywords() -> bool:
    return any(re.search(r"\b(sElEcT|FrOm|wHeRe)\b", t) for t in texts())


def param_kinds() -> set[str]:
    """Python types used as parameter values across the corpus."""
    return {type(v).__name__ for qq in QUERIES for v in qq.params.values()}
