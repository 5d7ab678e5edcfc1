"""Whether a query reads the clock (``current_date``): its answer then changes by itself, so
the result cache keys it by the day (``federation.answers``).

The walk is generic over the AST's dataclasses, so a call inside any construct (a subquery, a
CTE, a set-operation branch, a window) is found without this module knowing the construct.

>>> from grammar.parser import parse
>>> calls_clock(parse("SELECT a.x FROM s.t a WHERE a.d < current_date"))
True
>>> calls_clock(parse("SELECT a.x FROM s.t a WHERE a.d < DATE '2020-01-01'"))
False
"""

from __future__ import annotations

import dataclasses

from grammar import ast
from planner.functions import lookup


def calls_clock(node: object) -> bool:
    """True when ``node`` (an AST node, or a tuple of them) calls a function that is not
    deterministic."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, ast.Call):
            fn = lookup(item.name)
            if fn is not None and not fn.deterministic:
                return True
        if isinstance(item, tuple | list):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return False
