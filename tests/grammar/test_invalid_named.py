"""The golden cases of ``invalid_named.txt``: a refused feature is named at its own position
(never a bare list of expected tokens), and other dialects' habits get FQL's spelling."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_invalid import Case, assert_error_at, load_cases  # rootdir-relative (no package)

CASES = load_cases(Path(__file__).with_name("invalid_named.txt"))


def test_cases_loaded() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_named_refusal(case: Case) -> None:
    err = assert_error_at(case.text, case.line, case.column, case.fragment)
    if "not supported" in case.fragment:
        assert "expected" not in err.message, err.message
