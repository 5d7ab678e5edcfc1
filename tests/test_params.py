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


@pytest.mark.parametrize("value", [__import__("decimal").Decimal("NaN"),
                                   __import__("decimal").Decimal("Infinity"), "\ud800"])
def test_values_that_are_not_numbers_or_text_are_refused(value: object) -> None:
    with pytest.raises(fed.BindError, match=r"\$x"):
        check_params({"x": value})


def test_numpy_scalars_become_python_values() -> None:
    import numpy as np

    checked = check_params({"i": np.int64(2), "f": np.float32(0.5), "b": np.bool_(True)})
    assert checked == {"i": 2, "f": 0.5, "b": True}
    assert [type(v) for v in checked.values()] == [int, float, bool]


def test_aware_datetimes_become_utc_instants() -> None:
    import datetime as dt

    zone = dt.timezone(dt.timedelta(hours=2))
    checked = check_params({"t": dt.datetime(2024, 1, 1, 12, tzinfo=zone)})
    assert checked["t"] == dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC)
    assert checked["t"].utcoffset() == dt.timedelta(0)  # type: ignore[attr-defined]
