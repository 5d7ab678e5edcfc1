"""Parameter values are checked before anything reaches an engine."""

from __future__ import annotations

import pytest

import federation as fed
from federation.params import check_params


@pytest.mark.parametrize("value", [float("nan"), [1.0, float("nan")], {1}, object(), 2**64])
def test_values_no_engine_binds_alike_are_refused(value: object) -> None:
    with pytest.raises(fed.BindError):
        check_params({"x": value})


def test_plain_values_pass_through() -> None:
    values = {"s": "x", "i": 3, "f": float("inf"), "n": None, "v": (0.5, 1.5)}
    assert check_params(values) == values
