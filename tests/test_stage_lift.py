"""A correlated-subquery filter on one input of a cross-source inner join runs above the join
(federation.stage_lift), where DuckDB decorrelates it over the joined rows only; cheap
conjuncts stay on the input, and a LEFT JOIN is not crossed. Answers: tests/three/queries_lifted."""

from __future__ import annotations

import apsw
import lancedb
import pyarrow as pa
import pytest

import federation as fed

EXISTS_ON_ITEMS = ("SELECT g.name, i.id FROM docs.items AS i JOIN crm.grp AS g ON g.id = i.grp "
                   "WHERE i.id > 3 AND EXISTS (SELECT 1 FROM docs.items AS j "
                   "WHERE j.grp = i.grp AND j.id <> i.id)")


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> fed.Engine:
    root = tmp_path_factory.mktemp("lift")
    db = lancedb.connect(str(root / "lance"))
    db.create_table("items", pa.table({"id": pa.array(range(40), pa.int64()),
                                       "grp": pa.array([i % 5 for i in range(40)], pa.int64())}))
    con = apsw.Connection(str(root / "crm.db"))
    con.execute("CREATE TABLE grp (id INTEGER, name TEXT)")
    con.executemany("INSERT INTO grp VALUES (?, ?)", [(i, f"g{i}") for i in range(5)])
    con.close()
    engine = fed.connect()
    engine.attach("docs", fed.LanceDB(root / "lance"))
    engine.attach("crm", fed.SQLite(root / "crm.db"))
    return engine


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
