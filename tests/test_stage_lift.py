"""A correlated-subquery filter on one input of a cross-source inner join runs above the join
(federation.stage_lift), where DuckDB decorrelates it over the joined rows only; cheap
conjuncts stay on the input, and a LEFT JOIN is not crossed. Answers: tests/three/queries_lifted."""

from __future__ import annotations

import pytest

import federation as fed
from tests.items_groups import items_and_groups

EXISTS_ON_ITEMS = ("SELECT g.name, i.id FROM docs.items AS i JOIN crm.grp AS g ON g.id = i.grp "
                   "WHERE i.id > 3 AND EXISTS (SELECT 1 FROM docs.items AS j "
                   "WHERE j.grp = i.grp AND j.id <> i.id)")


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> fed.Engine:
    return items_and_groups(tmp_path_factory.mktemp("lift"), 40, 5)


def _stage_lines(eng: fed.Engine, text: str) -> list[str]:
    stage = str(eng.explain(text)).split("-- DuckDB SQL:")[0]
    return [line.strip() for line in stage.splitlines()]


def _first(lines: list[str], prefix: str) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(prefix))


def test_exists_filter_moves_above_the_join(eng: fed.Engine) -> None:
    lines = _stage_lines(eng, EXISTS_ON_ITEMS)
    assert _first(lines, "Filter EXISTS") < _first(lines, "Join inner")
    assert len(eng.query(EXISTS_ON_ITEMS)) == 36


def test_left_join_keeps_the_filter_below(eng: fed.Engine) -> None:
    text = EXISTS_ON_ITEMS.replace("JOIN crm.grp AS g ON g.id = i.grp",
                                   "LEFT JOIN crm.grp AS g ON g.id = i.grp")
    lines = _stage_lines(eng, text)
    assert _first(lines, "Join left") < _first(lines, "Filter EXISTS")
