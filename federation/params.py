"""Query parameters are checked before anything is bound: names are identifiers, values are
of the kinds every engine binds the same way."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal

from federation.errors import BindError

_INT64 = (-(2**63), 2**63 - 1)
_SCALARS = (bool, int, float, Decimal, str, bytes, dt.date, dt.datetime, type(None))


def check_params(params: object) -> dict[str, object]:
    """A copy of ``params`` after checking it; ``BindError`` names the first bad entry.

    >>> check_params({"team": "core", "q": [0.1, 0.2]})
    {'team': 'core', 'q': [0.1, 0.2]}
    """
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise BindError(f"params must be a mapping of names to values, not "
                        f"{type(params).__name__}")
    values: dict[str, object] = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise BindError(f"parameter name {name!r} must be an identifier (used as $name)")
        values[name] = _check_value(name, value)
    return values


def _check_value(name: str, value: object) -> object:
    kind = type(value)
    if (kind is str and _is_utf8(value)) or kind is bool or value is None:  # type: ignore[arg-type]
        return value  # the usual kinds: nothing to convert
    value = _plain(value)
    if isinstance(value, int) and not isinstance(value, bool) and not (
            _INT64[0] <= value <= _INT64[1]):
        raise BindError(f"parameter ${name} = {value} does not fit a 64-bit integer")
    if isinstance(value, float) and math.isnan(value):
        # SQLite stores NaN as NULL, so a NaN compared there would not sort as DuckDB's does
        raise BindError(f"parameter ${name} is NaN; NaN parameters are not supported")
    if isinstance(value, Decimal) and not value.is_finite():
        raise BindError(f"parameter ${name} is {value}; a Decimal must be a finite number")
    if isinstance(value, str) and not _is_utf8(value):
        raise BindError(f"parameter ${name} is not valid Unicode text (it holds a lone "
                        "surrogate); strings must encode as UTF-8")
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # DuckDB binds an aware datetime as TIMESTAMP WITH TIME ZONE, the instant in UTC
        return value.astimezone(dt.UTC)
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list | tuple) or hasattr(value, "__array__"):
        try:
            items = [float(x) for x in value]  # type: ignore[attr-defined]
        except (TypeError, ValueError):
            raise BindError(f"parameter ${name} is a sequence but not of numbers; only "
                            "vectors (lists of numbers) are accepted") from None
        if not all(math.isfinite(x) for x in items):
            raise BindError(f"parameter ${name} has NaN or infinite values")
        return value
    raise BindError(f"parameter ${name} has a value of type {type(value).__name__}; use None, "
                    "bool, int, float, Decimal, str, bytes, date, datetime or a list of numbers")


def _plain(value: object) -> object:
    """A numpy scalar (``numpy.int64(2)``, ``numpy.float32(0.5)``, ``numpy.bool_``) as the
    Python value it holds; anything else unchanged."""
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0 \
            and hasattr(value, "item"):
        item = value.item()
        if isinstance(item, bool | int | float | str | bytes):
            return item
    return value


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
