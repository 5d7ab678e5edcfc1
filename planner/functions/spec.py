"""What one function is: its name, arity, type rule, how each dialect writes it, and which
sources evaluate it exactly as DuckDB does.

A dialect's form is data (``Form``): a template over the already-written arguments, so the
writers of every dialect print a function the same way, from its bound tree, with no
per-dialect ladder. Dialects: ``duckdb`` (the stage, and the reference semantics),
``sqlite``, ``cypher`` (Kuzu) and ``lance`` (DataFusion filter SQL).

>>> f = Function("floor", 1, 1, lambda ts: ts[0], forms={"duckdb": Form("floor({0})")})
>>> f.form("duckdb").write(["x"])
'floor(x)'
>>> f.form("sqlite") is None
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

DIALECTS = frozenset({"duckdb", "sqlite", "cypher", "lance"})

# argument types -> result type (DuckDB's result type, as Arrow)
TypeRule = Callable[[Sequence[pa.DataType]], pa.DataType]


@dataclass(frozen=True)
class Form:
    """How one dialect writes a call, from its written arguments.

    ``template`` names arguments by position (``{0}``); ``{*}`` stands for every argument
    from ``rest`` on, comma-separated (variadic functions); ``{option}`` for the bound
    option (a cast target, a date part).

    >>> Form("concat({*})").write(["a", "b", "c"])
    'concat(a, b, c)'
    >>> Form("trim({1}, {0})").write(["'x'", "s"])
    "trim(s, 'x')"
    """

    template: str
    rest: int = 0

    def write(self, args: Sequence[str], option: str = "") -> str:
        variadic = ", ".join(args[self.rest:])
        return self.template.replace("{*}", variadic).format(*args, option=option)


@dataclass(frozen=True)
class Function:
    """One scalar function, aggregate or operator, declared once.

    ``exact_in`` maps a dialect to the argument type families for which that source
    evaluates the function exactly as DuckDB (NULLs, types, text): the capability checks
    read it to decide pushdown; a dialect not named here leaves the function to DuckDB.
    ``deterministic`` is False for clock functions: a query calling one is cached per day.
    """

    name: str
    min_args: int
    max_args: int | None
    result: TypeRule
    forms: Mapping[str, Form] = field(default_factory=dict)
    exact_in: Mapping[str, frozenset[str]] = field(default_factory=dict)
    aggregate: bool = False
    deterministic: bool = True
    aliases: tuple[str, ...] = ()
    infix: str = ""  # an operator's symbol, written between its two operands in every dialect
    # (position, low, high): ``exact_in`` holds only while the argument at that position, if
    # given, is an integer literal within [low, high] (substr's start and length: SQLite and
    # DuckDB differ below 1 and 0, and DuckDB raises past 2**32 - 1); those arguments are
    # left out of the family check
    literal_args: tuple[tuple[int, int, int], ...] = ()

    def __post_init__(self) -> None:
        unknown = (set(self.forms) | set(self.exact_in)) - DIALECTS
        if unknown:
            raise ValueError(f"{self.name}: unknown dialects {sorted(unknown)}")
        if self.max_args is not None and self.max_args < self.min_args:
            raise ValueError(f"{self.name}: max_args below min_args")

    def form(self, dialect: str) -> Form | None:
        """The dialect's form; DuckDB writes any function not given one by its name."""
        found = self.forms.get(dialect)
        if found is None and dialect == "duckdb":
            written = f"({{0}} {self.infix} {{1}})" if self.infix else f"{self.name}({{*}})"
            return Form(written)
        return found

    def arity_text(self) -> str:
        if self.min_args == self.max_args:
            return str(self.min_args)
        return f"{self.min_args} to {self.max_args if self.max_args is not None else 'any'}"

    def takes(self, count: int) -> bool:
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)
