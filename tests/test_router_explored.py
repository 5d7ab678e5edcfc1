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
from federation.engine import Engine
from federation.result import ExecutedPlan

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


def _plans(eng: Engine, runs: int) -> list[ExecutedPlan]:
    return [eng.query(QUERY, {"lo": i, "hi": i + 3}).plan for i in range(runs)]


def _explored_keyed(plans: list[ExecutedPlan]) -> list[ExecutedPlan]:
    """The plans that took an explored key-passing route."""
    return [p for p in plans if p.route is not None and p.route.explored
            and "keys" in p.route.chosen]


def test_an_explored_key_pass_is_applied(files: tuple[Path, Path]) -> None:
    """Whether ``auto`` explores the keyed route depends on the machine's timings (it is
    explored only while it is not the best): the plans it explored, if any, ran as planned."""
    crm, ops = files
    with fed.connect(route_seed=3, cache_bytes=0) as eng:
        eng.attach("crm", fed.SQLite(crm))
        eng.attach("ops", fed.SQLite(ops))
        plans = _plans(eng, 60)
    assert all(p.route is not None for p in plans)
    explored = _explored_keyed(plans)
    assert all(any(n.startswith("applied:") for n in p.notes) for p in explored), \
        [p.notes for p in explored]


def test_a_random_route_runs_as_planned(files: tuple[Path, Path]) -> None:
    """Policy ``random`` tests every route: each route it takes runs as planned (is marked
    explored), so a keyed one passes its keys whatever the keyed read's prediction."""
    crm, ops = files
    with fed.connect(route="random", route_seed=3, cache_bytes=0) as eng:
        eng.attach("crm", fed.SQLite(crm))
        eng.attach("ops", fed.SQLite(ops))
        plans = _plans(eng, 12)
    assert all(p.route is not None and p.route.explored for p in plans)
    keyed = _explored_keyed(plans)
    assert keyed, "no key-passing route was taken"
    assert all(any(n.startswith("applied:") for n in p.notes) for p in keyed), \
        [p.notes for p in keyed]
