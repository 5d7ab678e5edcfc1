"""An explored route runs as planned: its key passes are not declined at run time.

The router explores a route to measure it. A key pass is otherwise decided again once the
keys are counted (``federation.routing.key_decider``), from the keyed read's prediction: on
a receiver never read with keys that is its kind's cold prior (1 ms a call for SQLite), which
declines a pass into a small table every time; the keyed read was then never measured, its
route stayed cold, and it was explored again and again as its no-keys twin."""

from __future__ import annotations

from pathlib import Path

import apsw
import pytest

import federation as fed

QUERY = """SELECT a.team, count(*) AS n FROM crm.agents AS a
           JOIN ops.tasks AS t ON t.agent = a.id WHERE a.id BETWEEN $lo AND $hi
           GROUP BY a.team ORDER BY a.team"""


def _db(path: Path, ddl: str, insert: str, rows: list[tuple[object, ...]]) -> Path:
    con = apsw.Connection(str(path))
    with con:
        con.execute(ddl)
        con.executemany(insert, rows)
    con.close()
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("explored")
    crm = _db(root / "crm.db", "CREATE TABLE agents (id INTEGER PRIMARY KEY, team TEXT)",
              "INSERT INTO agents VALUES (?, ?)", [(i, "ab"[i % 2]) for i in range(2000)])
    ops = _db(root / "ops.db", "CREATE TABLE tasks (id INTEGER PRIMARY KEY, agent INTEGER);"
              " CREATE INDEX tasks_agent ON tasks (agent)",
              "INSERT INTO tasks VALUES (?, ?)", [(i, i % 2000) for i in range(3000)])
    return crm, ops


def test_an_explored_key_pass_is_applied(files: tuple[Path, Path]) -> None:
    crm, ops = files
    explored = []
    with fed.connect(route_seed=3, cache_bytes=0) as eng:
        eng.attach("crm", fed.SQLite(crm))
        eng.attach("ops", fed.SQLite(ops))
        for i in range(60):
            plan = eng.query(QUERY, {"lo": i, "hi": i + 3}).plan
            route = plan.route
            assert route is not None
            if route.explored and "keys" in route.chosen:
                explored.append(plan.notes)
    assert explored, "no key-passing route was explored"
    assert all(any(n.startswith("applied:") for n in notes) for notes in explored), explored
