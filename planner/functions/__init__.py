"""The function registry: every scalar function, aggregate and operator declared once.

The binder reads arity and type rules here, the writers of each dialect read forms here, and
the sources' capabilities read which functions they evaluate exactly (``exact_in``), so the
tables that had to agree are one table.

>>> lookup("ceiling").name, lookup("concat").name, lookup("nope") is None
('ceil', 'concat_values', True)
>>> "sign" in pushable("cypher"), "sign" in pushable("lance"), "lower" in pushable("sqlite")
(True, False, False)
"""

from __future__ import annotations

from collections.abc import Sequence

from planner.functions.declared import AGGREGATES, ANY, OPERATORS, SCALARS
from planner.functions.spec import DIALECTS, Form, Function

__all__ = ["ANY", "DIALECTS", "Form", "Function", "by_node", "callable_names", "infix_symbols",
           "lookup", "pushable", "write"]

_BY_NODE: dict[str, Function] = {f.name: f for f in (*OPERATORS, *SCALARS, *AGGREGATES)}
_BY_CALL: dict[str, Function] = {}
for _fn in (*SCALARS, *AGGREGATES):
    for _name in (_fn.name, *_fn.aliases):
        _BY_CALL[_name] = _fn
assert len(_BY_NODE) == len(OPERATORS) + len(SCALARS) + len(AGGREGATES), "declared twice"


def lookup(name: str) -> Function | None:
    """The function a query calls by ``name`` (lower-case; aliases included)."""
    return _BY_CALL.get(name)


def by_node(name: str) -> Function | None:
    """The function or operator a bound ``Func``/``AggCall`` node is named after."""
    return _BY_NODE.get(name)


def is_aggregate(name: str) -> bool:
    """Whether the bound node name ``name`` is a registered aggregate."""
    fn = _BY_NODE.get(name)
    return fn is not None and fn.aggregate


def callable_names() -> list[str]:
    """Every name a query may call, for "did you mean" hints."""
    return sorted(n for n in _BY_CALL if n != "concat_values")


def pushable(dialect: str) -> frozenset[str]:
    """Node names a source of ``dialect`` evaluates exactly, for its ``Capabilities``."""
    return frozenset(f.name for f in _BY_NODE.values() if dialect in f.exact_in)


def exact_families(name: str, dialect: str) -> frozenset[str]:
    """The argument families for which ``dialect`` evaluates ``name`` exactly (``ANY``:
    whatever the source's value families allow)."""
    fn = _BY_NODE.get(name)
    return fn.exact_in.get(dialect, frozenset()) if fn is not None else frozenset()


def literal_args(name: str) -> tuple[tuple[int, int, int], ...]:
    """The arguments of ``name`` a source's exactness claim needs as bounded integer
    literals (``Function.literal_args``)."""
    fn = _BY_NODE.get(name)
    return fn.literal_args if fn is not None else ()


def write(name: str, dialect: str, args: Sequence[str], option: str = "") -> str | None:
    """``name`` applied to written ``args`` in ``dialect``; None when it has no form there."""
    fn = _BY_NODE.get(name)
    form = fn.form(dialect) if fn is not None else None
    return form.write(args, option) if form is not None else None


def infix_symbols() -> dict[str, str]:
    """Operator node name → the symbol every dialect writes between its operands."""
    return {f.name: f.infix for f in _BY_NODE.values() if f.infix}


def deterministic(name: str) -> bool:
    fn = _BY_NODE.get(name)
    return fn is None or fn.deterministic
