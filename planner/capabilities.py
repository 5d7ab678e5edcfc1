"""Capabilities as data: what a source evaluates exactly as DuckDB would.

Work moves into a source only when that source accepts the exact expression (Calcite's rule);
everything else stays in the DuckDB stage, and EXPLAIN shows it there.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner import functions
from planner.expressions import AggCall, BExpr, ColumnRef, Const, Func, ParamRef
from planner.types import comparable, family

COMPARISONS = frozenset({"eq", "ne", "lt", "le", "gt", "ge"})


@dataclass(frozen=True)
class Capabilities:
    """What one source accepts in a pushed fragment.

    ``predicates``: names of ``Func`` nodes the source evaluates with SQL semantics.
    ``value_families``: type families whose values compare identically in the source.
    ``joins``: join kinds the source runs between its own tables.
    ``order``: type families the source sorts exactly as DuckDB, NULLs placed as asked
    (strings by code point, no collation), so an ORDER BY … LIMIT may run there.
    ``aggregates``: ``(function, argument family)`` pairs the source computes exactly as DuckDB
    (``("count", "*")`` for ``count(*)``); ``group_families``: families it groups by exactly.
    ``join_rows``: a join runs inside the source only while the tables it joins hold at most
    this many rows together by the catalog's counts (None: no bound). Until the router chooses
    by measured cost (DESIGN §5), this keeps large joins out of nested-loop engines.
    """

    predicates: frozenset[str] = frozenset()
    value_families: frozenset[str] = frozenset()
    projection: bool = True
    limit: bool = True
    joins: frozenset[str] = frozenset()
    order: frozenset[str] = frozenset()
    aggregates: frozenset[tuple[str, str]] = frozenset()
    group_families: frozenset[str] = frozenset()
    join_rows: int | None = None
    # passed join keys pay off only on an indexed column (SQLite probes its IN-set per row
    # otherwise, which costs more than reading the rows it would drop)
    keys_need_index: bool = False
    # takes passed join keys as a filter (``in_keys``, see planner.semijoin)
    receives_keys: bool = False
    # keys it takes in one pass at most (None: the planner's own bound), and in one read (None:
    # all of them in one read; more are read in chunks whose rows together are the answer)
    max_passed_keys: int | None = None
    key_chunk: int | None = 100_000
    # False: LIKE only on a string with a literal or parameter pattern, which the source turns
    # into its own string functions when it compiles the fragment (Kuzu has no LIKE)
    like_any_pattern: bool = True
    # joins two of its patterns on property equality inside one pattern (a graph source's
    # MATCH of comma-separated parts: ``planner.rules.graph_joins``)
    pattern_joins: bool = False
    # answers [NOT] EXISTS / [NOT] IN subqueries over its own tables inside the statement
    # that reads the rows they filter (``planner.pushed_subqueries``)
    subqueries: bool = False
    # the source's dialect in the function registry (``planner.functions``): which functions
    # it evaluates exactly, and for which argument families
    dialect: str = ""

    @staticmethod
    def of_dialect(dialect: str, **fields: object) -> Capabilities:
        """Capabilities whose predicates are what the registry says ``dialect`` evaluates
        exactly."""
        return Capabilities(predicates=functions.pushable(dialect), dialect=dialect,
                            **fields)  # type: ignore[arg-type]



def accepts_predicate(caps: Capabilities, expr: BExpr, columns: frozenset[str]) -> bool:
    """Whether ``expr`` can run inside a source with ``caps`` reading only ``columns``.

    A condition must be a boolean: ``WHERE k.flag`` on an integer is true where DuckDB casts
    it to BOOLEAN (non-zero), which Kuzu and LanceDB refuse, so it stays in DuckDB.

    >>> import pyarrow as pa
    >>> caps = Capabilities(frozenset({"eq"}), frozenset({"int"}))
    >>> a = ColumnRef("t", "a", pa.int64())
    >>> accepts_predicate(caps, Func("eq", (a, Const(1, pa.int64())), pa.bool_()), {"t.a"})
    True
    >>> accepts_predicate(caps, a, {"t.a"})
    False
    """
    return _is_condition(expr) and _accepts(caps, expr, columns)


def accepts_value(caps: Capabilities, expr: BExpr, columns: frozenset[str]) -> bool:
    """Whether ``expr`` (a value, not necessarily a condition) can be computed inside a source
    with ``caps`` reading only ``columns``, exactly as DuckDB computes it."""
    return _accepts(caps, expr, columns)


def accepts_aggregate(call: AggCall, caps: Capabilities, readable: frozenset[str]) -> bool:
    """Whether the source computes ``call`` over the columns ``readable`` as DuckDB does."""
    if call.distinct and call.name not in ("min", "max"):
        return False
    if not call.args:
        return (call.name, "*") in caps.aggregates
    if len(call.args) != 1:  # quantile_cont(x, q), string_agg(x, sep), count(DISTINCT a, b)
        return False
    (arg,) = call.args
    return isinstance(arg, ColumnRef) and arg.key in readable \
        and (call.name, family(arg.type)) in caps.aggregates


def _is_condition(expr: BExpr) -> bool:
    return family(expr.type) in ("bool", "null")


def _exact_for(expr: Func, dialect: str) -> bool:
    """Whether ``dialect`` evaluates ``expr`` as DuckDB for its argument types: a function
    claims argument families, and its arguments must all be of ONE of them (NULLs aside):
    ``coalesce`` of two integers is exact in SQLite, of an integer and a text is not."""
    families = functions.exact_families(expr.name, dialect)
    bounded = functions.literal_args(expr.name)
    if not all(_literal_within(expr.args[i], low, high)
               for i, low, high in bounded if i < len(expr.args)):
        return False
    if families == functions.ANY:
        return True
    skipped = {i for i, _, _ in bounded}
    kinds = {family(a.type) for i, a in enumerate(expr.args) if i not in skipped} - {"null"}
    return len(kinds) <= 1 and kinds <= families


def _literal_within(arg: BExpr, low: int, high: int) -> bool:
    """Whether ``arg`` is an integer literal within [low, high] (a parameter is not: a
    cached plan serves every value)."""
    value = arg.value if isinstance(arg, Const) else None
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def like_needs_regex(pattern: str) -> bool:
    """Whether a LIKE pattern is more than a prefix, suffix, infix or equality test (a
    ``_``, or a ``%`` inside it), which a source without LIKE can only write as a regex."""
    core = pattern.strip("%")
    return "_" in core or "%" in core


def _accepts(caps: Capabilities, expr: BExpr, columns: frozenset[str]) -> bool:
    if isinstance(expr, ColumnRef):
        return expr.key in columns and family(expr.type) in caps.value_families
    if isinstance(expr, Const | ParamRef):
        return family(expr.type) in caps.value_families | {"null"}
    if not isinstance(expr, Func) or expr.name not in caps.predicates:
        return False
    if expr.name in ("like", "not_like") and not caps.like_any_pattern and not (
            family(expr.args[0].type) == "string" and isinstance(expr.args[1], Const | ParamRef)
            and family(expr.args[1].type) in ("string", "null")):
        return False
    if expr.name in ("like", "not_like") and not caps.like_any_pattern \
            and isinstance(expr.args[1], Const) and isinstance(expr.args[1].value, str) \
            and like_needs_regex(expr.args[1].value):
        # Kuzu compiles a bound regular expression for every row (150 µs each: 1.5 s for
        # 10 000 supplier comments, TPC-H Q16); reading the column and matching in DuckDB
        # costs a few ms
        return False
    if expr.name in COMPARISONS or expr.name in ("between", "not_between", "in", "not_in"):
        first = expr.args[0]
        if not all(comparable(first.type, other.type) for other in expr.args[1:]):
            return False
    if expr.name in ("and", "or", "not") and not all(_is_condition(a) for a in expr.args):
        return False
    if caps.dialect and not _exact_for(expr, caps.dialect):
        return False
    return all(_accepts(caps, arg, columns) for arg in expr.args)
