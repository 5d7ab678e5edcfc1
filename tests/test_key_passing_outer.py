"""Key passing stays off where it would change an outer join's answer (i10-b): the join keys
of a RIGHT or FULL join's condition never filter the other side (its unmatched rows are part
of the answer), while an inner join of the same shape passes them. Set-operation branches are
not traced through either."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import apsw
import lancedb
import pyarrow as pa
import pytest

import federation as fed

SHAPES = {
    "inner": "SELECT a.id, e.weight FROM crm.agents AS a JOIN docs.events AS e "
             "ON e.agent_id = a.id WHERE a.team = 'core'",
    "right": "SELECT a.id, e.weight FROM crm.agents AS a RIGHT JOIN docs.events AS e "
             "ON e.agent_id = a.id AND a.team = 'core'",
    "right_where_on_kept_side": "SELECT a.id, e.weight FROM docs.events AS e RIGHT JOIN "
                                "crm.agents AS a ON e.agent_id = a.id WHERE a.team = 'core'",
    "full": "SELECT a.id, e.weight FROM (SELECT a.id FROM crm.agents AS a "
            "WHERE a.team = 'core') AS a FULL JOIN docs.events AS e ON e.agent_id = a.id",
    "union_branch": "SELECT u.id FROM (SELECT a.id FROM crm.agents AS a WHERE a.team = 'core' "
                    "UNION SELECT e.agent_id FROM docs.events AS e) AS u "
                    "JOIN crm.agents AS b ON b.id = u.id",
}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("keys_outer")
    con = apsw.Connection(str(path / "crm.db"))
    con.execute("CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT, team TEXT)")
    con.executemany("INSERT INTO agents VALUES (?, ?, ?)",
                    [(i, f"agent{i}", "core" if i % 10 == 0 else "edge") for i in range(300)])
    con.close()
    events = pa.table({"agent_id": pa.array([None if i % 97 == 0 else i % 400
                                             for i in range(3000)], pa.int64()),
                       "weight": pa.array([float(i % 7) for i in range(3000)])})
    lancedb.connect(str(path / "lance")).create_table("events", events)
    return path


def _engine(root: Path, **options: object) -> fed.Engine:
    eng = fed.connect(cache_bytes=0, **options)  # type: ignore[arg-type]
    eng.attach("crm", fed.SQLite(root / "crm.db"))
    eng.attach("docs", fed.LanceDB(root / "lance"))
    return eng


@pytest.fixture(scope="module")
def engines(root: Path) -> Iterator[tuple[fed.Engine, fed.Engine]]:
    with _engine(root, key_passing_rows=0) as passing, \
            _engine(root, key_passing_rows=None) as whole:
        yield passing, whole


def _sorted(res: fed.Result) -> list[tuple[object, ...]]:
    return sorted((tuple(r.values()) for r in res.to_pylist()), key=repr)


@pytest.mark.parametrize("shape", SHAPES)
def test_outer_joins_pass_no_keys_and_keep_the_answer(
        engines: tuple[fed.Engine, fed.Engine], shape: str) -> None:
    passing, whole = engines
    res = passing.query(SHAPES[shape])
    assert _sorted(res) == _sorted(whole.query(SHAPES[shape]))
    applied = [n for n in res.plan.notes if n.startswith("applied")]
    if shape == "inner":
        assert applied, res.plan.notes  # the control: this shape does pass keys
    else:
        assert applied == [], applied
