"""Every function and operator FQL knows, each declared once.

Operators are here for their pushdown claims (which sources evaluate them exactly); their
text in each dialect is written by that dialect's writer, which knows the NULL, NaN and
number-comparison rules (``federation.sqlgen``, ``sources.cypher_expr``, ``lance_filter``).
Functions carry their DuckDB form; a source gets a function only where ``exact_in`` names it,
and the differential suites prove each such claim on that source.
"""

from __future__ import annotations

import pyarrow as pa

from planner.functions.spec import Form, Function
from planner.functions.type_rules import (
    BIGINT,
    BOOLEAN,
    DOUBLE,
    TEXT,
    arithmetic,
    first,
    fixed,
    floor_division,
    numeric_common,
    quantile,
    rounding,
    summed,
)

ANY = frozenset({"*"})  # every type family the source's ``value_families`` accept
NUMBERS = frozenset({"int", "float"})
_PLAIN = frozenset({"int", "string", "date"})
_INT_OR_TEXT = frozenset({"int", "string"})


def _in_sources(template: str) -> dict[str, Form]:
    """The same text in every source dialect (DuckDB writes a call by its name anyway)."""
    return {d: Form(template) for d in ("sqlite", "cypher", "lance")}
_PUSHED_OPERATOR = {"sqlite": ANY, "cypher": ANY, "lance": ANY}


def _operator(name: str, arity: int, infix: str = "") -> Function:
    """An operator every source evaluates exactly (its writer keeps SQL's NULL semantics)."""
    return Function(name, arity, None if name in ("in", "not_in") else arity, BOOLEAN,
                    exact_in=_PUSHED_OPERATOR, infix=infix)


def _infix(name: str, symbol: str, rule: object = BOOLEAN) -> Function:
    """An operator only the DuckDB stage evaluates, written between its operands."""
    return Function(name, 2, 2, rule, infix=symbol)  # type: ignore[arg-type]


def _postfix(name: str, text: str) -> Function:
    return Function(name, 1, 1, BOOLEAN, forms={"duckdb": Form(f"({{0}} {text})")})


OPERATORS: tuple[Function, ...] = (
    *(_operator(n, 2, symbol) for n, symbol in (
        ("eq", "="), ("ne", "<>"), ("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">="),
        ("and", "AND"), ("or", "OR"), ("like", "LIKE"), ("not_like", "NOT LIKE"))),
    *(_operator(n, 3) for n in ("between", "not_between")),
    *(_operator(n, 2) for n in ("in", "not_in")),
    *(_operator(n, 1) for n in ("not", "is_null", "is_not_null")),
    _infix("is_distinct", "IS DISTINCT FROM"),
    _infix("is_not_distinct", "IS NOT DISTINCT FROM"),
    _infix("ilike", "ILIKE"),
    _infix("not_ilike", "NOT ILIKE"),
    _infix("intdiv", "//", lambda ts: floor_division(ts[0], ts[1])),
    Function("like_escape", 3, 3, BOOLEAN, forms={"duckdb": Form("({0} LIKE {1} ESCAPE {2})")}),
    Function("not_like_escape", 3, 3, BOOLEAN,
             forms={"duckdb": Form("({0} NOT LIKE {1} ESCAPE {2})")}),
    *(_infix(n, symbol, arithmetic(symbol)) for n, symbol in (
        ("add", "+"), ("sub", "-"), ("mul", "*"), ("div", "/"), ("concat", "||"))),
    Function("neg", 1, 1, first),
    _postfix("is_true", "IS TRUE"), _postfix("is_not_true", "IS NOT TRUE"),
    _postfix("is_false", "IS FALSE"), _postfix("is_not_false", "IS NOT FALSE"),
)

_DATE_TRUNC = fixed(pa.timestamp("us"))  # DuckDB truncates a DATE to a TIMESTAMP too


def _scalar(name: str, low: int, high: int | None, rule: object, duckdb: str | None = None,
            **extra: object) -> Function:
    forms = {"duckdb": Form(duckdb)} if duckdb else {}
    return Function(name, low, high, rule, forms=forms, **extra)  # type: ignore[arg-type]


SCALARS: tuple[Function, ...] = (
    _scalar("lower", 1, 1, TEXT), _scalar("upper", 1, 1, TEXT),
    _scalar("length", 1, 1, BIGINT),
    # counts characters in both (SQLite's stops at a NUL: its writer maps NULs as for LIKE)
    Function("substr", 2, 3, TEXT, aliases=("substring",),
             exact_in={"sqlite": frozenset({"string"})},
             literal_args=((1, 1, 2**32 - 1), (2, 0, 2**32 - 1))),
    # abs is DuckDB's on integers and doubles in every source (all raise on abs(-2**63))
    Function("abs", 1, 1, first, forms=_in_sources("abs({0})"),
             exact_in={"sqlite": NUMBERS, "cypher": NUMBERS, "lance": NUMBERS}),
    _scalar("round", 1, 2, first),
    # SQLite's coalesce and nullif answer as DuckDB's when every argument is of one of
    # these families (not decimals: SQLite has none; not floats vs ints: DuckDB casts)
    Function("coalesce", 1, None, numeric_common, forms=_in_sources("coalesce({*})"),
             exact_in={"sqlite": _PLAIN, "cypher": _PLAIN, "lance": _INT_OR_TEXT}),
    # nullif(a, b) is a or NULL: a's type
    Function("nullif", 2, 2, first, forms=_in_sources("nullif({0}, {1})"),
             exact_in={"sqlite": _PLAIN, "cypher": _PLAIN, "lance": _INT_OR_TEXT}),
    _scalar("greatest", 1, None, numeric_common),
    _scalar("least", 1, None, numeric_common),
    _scalar("trim", 1, 2, TEXT), _scalar("ltrim", 1, 2, TEXT), _scalar("rtrim", 1, 2, TEXT),
    _scalar("replace", 3, 3, TEXT),
    _scalar("left", 2, 2, TEXT), _scalar("right", 2, 2, TEXT),
    _scalar("strpos", 2, 2, BIGINT, aliases=("instr",)),
    _scalar("starts_with", 2, 2, BOOLEAN), _scalar("ends_with", 2, 2, BOOLEAN),
    _scalar("contains", 2, 2, BOOLEAN),
    # ``concat`` skips NULLs where ``||`` (the ``concat`` operator) gives NULL: another node
    _scalar("concat_values", 1, None, TEXT, "concat({*})", aliases=("concat",)),
    _scalar("floor", 1, 1, rounding), _scalar("ceil", 1, 1, rounding, aliases=("ceiling",)),
    _scalar("sqrt", 1, 1, DOUBLE), _scalar("power", 2, 2, DOUBLE, aliases=("pow",)),
    _scalar("ln", 1, 1, DOUBLE), _scalar("exp", 1, 1, DOUBLE),
    Function("mod", 2, 2, arithmetic("%"), infix="%"),  # mod(a, b) is a % b
    # SQLite ≥ 3.35; sign(-0.0) is 0 in SQLite as in DuckDB, -1 in Kuzu (integers only)
    Function("sign", 1, 1, fixed(pa.int8()), forms=_in_sources("sign({0})"),
             exact_in={"sqlite": NUMBERS, "cypher": frozenset({"int"})}),
    _scalar("date_trunc", 2, 2, _DATE_TRUNC),
    _scalar("date_part", 2, 2, BIGINT, aliases=("datepart",)),
    _scalar("strftime", 2, 2, TEXT),
    # the clock: never cached (federation.answers) and never folded
    _scalar("distance", 2, 2, fixed(pa.float32())),  # bound and written apart (vectors)
    _scalar("current_date", 0, 0, fixed(pa.date32()), "current_date", deterministic=False),
)


def _aggregate(name: str, low: int, high: int | None, rule: object, **extra: object
               ) -> Function:
    return Function(name, low, high, rule, aggregate=True, **extra)  # type: ignore[arg-type]


AGGREGATES: tuple[Function, ...] = (
    _aggregate("count", 0, None, BIGINT),  # count(*), count(x), count(DISTINCT a, b)
    _aggregate("sum", 1, 1, summed), _aggregate("avg", 1, 1, DOUBLE, aliases=("mean",)),
    _aggregate("min", 1, 1, first), _aggregate("max", 1, 1, first),
    _aggregate("stddev", 1, 1, DOUBLE, aliases=("stddev_samp",)),
    _aggregate("stddev_pop", 1, 1, DOUBLE),
    _aggregate("variance", 1, 1, DOUBLE, aliases=("var_samp",)),
    _aggregate("var_pop", 1, 1, DOUBLE),
    _aggregate("median", 1, 1, quantile),
    _aggregate("quantile_cont", 2, 2, quantile),
    _aggregate("string_agg", 1, 2, TEXT, aliases=("group_concat", "listagg")),
    _aggregate("bool_and", 1, 1, BOOLEAN), _aggregate("bool_or", 1, 1, BOOLEAN),
)
