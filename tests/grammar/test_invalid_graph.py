"""The golden cases of ``invalid_graph.txt``: malformed graph-pattern forms of issue 10 item 5
(``OPTIONAL MATCH``, path modes after ``*``), named at their own position."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_invalid import Case, assert_error_at, load_cases  # rootdir-relative (no package)

CASES = load_cases(Path(__file__).with_name("invalid_graph.txt"))


def test_cases_loaded() -> None:
    assert len(CASES) >= 5


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_graph_form_error(case: Case) -> None:
    assert_error_at(case.text, case.line, case.column, case.fragment)
