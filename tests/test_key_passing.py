"""Sideways key passing (planner.semijoin, federation.key_passing): a small leg's join keys
filter a large leg of another source, and the answer never changes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import apsw
import lancedb
import pyarrow as pa
import pytest

import federation as fed
from federation.sources import lance_filter
from planner import semijoin

JOIN = """SELECT a.name, count(*) AS n, sum(e.weight) AS w
          FROM crm.agents AS a JOIN docs.events AS e ON e.agent_id = a.id
          WHERE a.team = $team GROUP BY a.name"""


def agents_db(path: Path) -> None:
    """500 agents, one in ten on team "core" (also the key-passing overlap test's)."""
    con = apsw.Connection(str(path))
    con.execute("CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT, team TEXT)")
    con.executemany("INSERT INTO agents VALUES (?, ?, ?)",
                    [(i, f"agent{i}", "core" if i % 10 == 0 else "edge") for i in range(500)])
    con.close()


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    agents_db(tmp_path / "crm.db")
    events = pa.table({"agent_id": pa.array([None if i % 97 == 0 else i % 600
                                             for i in range(20_000)], pa.int64()),
                       "weight": pa.array([float(i % 7) for i in range(20_000)])})
    lancedb.connect(str(tmp_path / "lance")).create_table("events", events)
    return tmp_path


def _engine(root: Path, **options: object) -> fed.Engine:
    options.setdefault("cache_bytes", 0)  # these count executions: a hit runs none
    eng = fed.connect(**options)
    eng.attach("crm", fed.SQLite(root / "crm.db"))
    eng.attach("docs", fed.LanceDB(root / "lance"))
    return eng


def _rows(res: fed.Result) -> list[dict[str, object]]:
    return sorted(res.to_pylist(), key=lambda r: str(r["name"]))


@pytest.mark.parametrize(("team", "keys", "cap", "how"), [
    ("core", 50, None, "IN ("),  # up to the cap: an IN list in LanceDB's own filter
    ("edge", 450, None, "IN ("),
    ("edge", 450, 100, "passed keys"),  # more: kept batch by batch after the scan
    ("nobody", 0, None, "passed keys"),
])
def test_passed_keys_keep_the_answer(root: Path, team: str, keys: int, cap: int | None,
                                     how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if cap is not None:
        monkeypatch.setitem(lance_filter.FILTER_KEYS, pa.int64(), cap)
    with _engine(root, key_passing_rows=0) as passing, \
            _engine(root, key_passing_rows=None) as whole:
        res = passing.query(JOIN, {"team": team})
        assert _rows(res) == _rows(whole.query(JOIN, {"team": team}))
        applied = [n for n in res.plan.notes if n.startswith("applied")]
        assert len(applied) == 1 and applied[0].endswith(f"({keys} keys)")
        lance = next(f for f in res.plan.fragments if f.source == "docs")
        assert how in lance.native
        assert lance.rows == sum(r["n"] for r in res.to_pylist())


def test_explain_says_what_is_planned(root: Path) -> None:
    with _engine(root, key_passing_rows=0) as eng:
        text = str(eng.explain(JOIN, {"team": "core"}))
        assert "== Key passing ==" in text
        assert "planned: keys of fragment #0 (a.id) filter fragment #1 (e.agent_id)" in text


def test_too_many_keys_are_not_passed(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(semijoin, "MAX_KEYS", 100)
    text = """SELECT count(*) AS n FROM crm.agents AS a JOIN docs.events AS e
              ON e.agent_id = a.id WHERE a.id < 300 AND a.team <> 'x'"""  # about 55 planned
    with _engine(root, key_passing_rows=0) as eng:
        res = eng.query(text)
        assert any(n.startswith("skipped") and "300 keys" in n for n in res.plan.notes)
        lance = next(f for f in res.plan.fragments if f.source == "docs")
        assert lance.rows == 20_000 and "passed keys" not in lance.native


def test_a_source_caps_the_keys_it_receives(root: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # as Kuzu does (``max_passed_keys``): it tests every row against the whole list
    from federation.sources import lancedb as lance_source

    capped = replace(lance_source.CAPABILITIES, max_passed_keys=100)
    monkeypatch.setattr(lance_source, "CAPABILITIES", capped)
    text = """SELECT count(*) AS n FROM crm.agents AS a JOIN docs.events AS e
              ON e.agent_id = a.id WHERE a.id < 300 AND a.team <> 'x'"""
    with _engine(root, key_passing_rows=0) as eng:
        res = eng.query(text)
        assert any(n.startswith("skipped") and "300 keys" in n for n in res.plan.notes)


def test_a_nearest_never_receives_keys(root: Path) -> None:
    db = lancedb.connect(str(root / "lance"))
    db.create_table("vecs", pa.table({
        "agent_id": pa.array(range(1000), pa.int64()),
        "vector": pa.array([[float(i), 0.0] for i in range(1000)], pa.list_(pa.float32(), 2))}))
    text = """SELECT a.name, v._distance FROM crm.agents AS a
              JOIN NEAREST docs.vecs TO $q K 5 AS v ON v.agent_id = a.id WHERE a.team = 'core'"""
    with _engine(root, key_passing_rows=0) as eng:
        res = eng.query(text, {"q": [0.0, 0.0]})
        assert not res.plan.notes  # keys would change which rows rank first
        assert [r["name"] for r in res.to_pylist()] == ["agent0"]


def test_a_leg_estimated_under_the_threshold_is_read_whole(root: Path) -> None:
    with _engine(root, key_passing_rows=50_000) as eng:  # events has 20 000 rows
        assert not eng.query(JOIN, {"team": "core"}).plan.notes
    with _engine(root, key_passing_rows=20_000) as eng:
        assert eng.query(JOIN, {"team": "core"}).plan.notes


def test_many_keys_are_passed_in_chunks(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from federation.sources import lancedb

    # LanceDB keeps every key in one scan; a source that binds them in chunks of 16
    monkeypatch.setattr(lancedb, "CAPABILITIES", replace(lancedb.CAPABILITIES, key_chunk=16))
    with _engine(root, key_passing_rows=0) as passing, \
            _engine(root, key_passing_rows=None) as whole:
        res = passing.query(JOIN, {"team": "core"})  # 50 keys: 4 chunks
        assert _rows(res) == _rows(whole.query(JOIN, {"team": "core"}))
        assert "fragment #1 read in 4 chunks of at most 16 keys" in res.plan.notes
        lance = next(f for f in res.plan.fragments if f.source == "docs")
        assert lance.rows == sum(r["n"] for r in res.to_pylist())


def test_the_router_turns_a_broad_key_set_down(root: Path) -> None:
    """Under ``auto`` a pass is decided again from the keys really sent: 450 keys into a
    20 000-row LanceDB table are predicted to cost more than reading it whole. A forced
    policy (or a route forced by name) always passes them."""
    from federation.routing import key_decider

    with _engine(root) as eng:
        with eng._running(JOIN, {"team": "edge"}) as (parsed, values, sources):
            routes, catalog, _ = eng._planned(parsed, values, sources)
        keyed = routes.named("keys #0→#1")
        decide = key_decider(routes, keyed, eng._stats.view(catalog), catalog, "auto")
        assert decide is not None
        use, why = decide(keyed.cut.passes[0], 450)
        assert not use and why.startswith("predicted"), why
        assert key_decider(routes, keyed, eng._stats.view(catalog), catalog,
                           "always-keys") is None
        res = eng.query(JOIN, {"team": "edge"}, route="keys #0→#1")
        assert any(n.startswith("applied") for n in res.plan.notes), res.plan.notes


@pytest.mark.parametrize(("cap", "keyed"), [(10, False), (1000, True)])
def test_a_pass_over_its_cap_is_predicted_as_a_plain_read(
        root: Path, monkeypatch: pytest.MonkeyPatch, cap: int, keyed: bool) -> None:
    """A sender expected to return more keys than its receiver takes: the pass is skipped at
    run time, so the route is predicted with the receiver's whole read after its sender (TPC-H
    Q2 at SF 1: 747 part keys for Kuzu's 500 kept partsupp read twice, unshared)."""
    from federation.sources import lancedb as lance_source
    from planner.route_costs import steps_of

    monkeypatch.setattr(lance_source, "CAPABILITIES",
                        replace(lance_source.CAPABILITIES, max_passed_keys=cap))
    with _engine(root) as eng:  # the catalog expects the sender to return 50 rows
        with eng._running(JOIN, {"team": "edge"}) as (parsed, values, sources):
            routes, catalog, _ = eng._planned(parsed, values, sources)
        prepared = routes.named("keys #0→#1")
        candidate = next(c for c in routes.candidates if c.name == "keys #0→#1")
        assert prepared.shapes is not None
        steps = steps_of(replace(candidate, cut=prepared.cut), prepared.shapes,
                         eng._stats.view(catalog), catalog)
        [receiver] = steps.phases[1]
        assert receiver.rows_in == (50 if keyed else 0)
        plain = prepared.shapes.fragments[1].id
        assert (receiver.shape == plain) is not keyed
        assert keyed or receiver.rows_out == 20_000


CORRELATED = """SELECT a.id, (SELECT max(e.weight) FROM docs.events AS e
                                WHERE e.agent_id = a.id) AS top
                FROM crm.agents AS a WHERE a.team = $team"""
NOT_EXISTS = """SELECT a.id FROM crm.agents AS a
                WHERE NOT EXISTS (SELECT 1 FROM docs.events AS e
                                  WHERE e.agent_id = a.id AND e.agent_id < 300)"""


def test_keys_reach_a_correlated_subquery(root: Path) -> None:
    """``outer(a.id) = e.agent_id`` inside a subquery: every run of it keeps only events of
    the agent it runs for, so the agents' keys filter its read (TPC-H Q2's min over
    partsupp per part)."""
    with _engine(root, key_passing_rows=0) as passing, \
            _engine(root, key_passing_rows=None) as whole:
        res = passing.query(CORRELATED, {"team": "core"})
        expected = whole.query(CORRELATED, {"team": "core"})
        assert sorted(map(str, res.to_pylist())) == sorted(map(str, expected.to_pylist()))
        assert "applied: keys of fragment #0 (a.id) filter fragment #1 (e.agent_id) when " \
               "at most 500000 (50 keys)" in res.plan.notes, res.plan.notes
        lance = next(f for f in res.plan.fragments if f.source == "docs")
        assert lance.rows == 1652  # the events of the 50 agents (of 20 000)


def test_a_subquery_never_sends_keys_to_the_rows_around_it(root: Path) -> None:
    """NOT EXISTS keeps the agents no event matches: the subquery's keys must not filter
    them (here agents 300-499; the agents are read whole, so no key goes the other way)."""
    with _engine(root, key_passing_rows=0) as passing, \
            _engine(root, key_passing_rows=None) as whole:
        res = passing.query(NOT_EXISTS)
        expected = whole.query(NOT_EXISTS)
        assert sorted(r["id"] for r in res.to_pylist()) == \
            sorted(r["id"] for r in expected.to_pylist())
        assert len(res) == 200
        assert not any("filter fragment #0" in n for n in res.plan.notes), res.plan.notes


IN_SUBQUERY = """SELECT e.agent_id, e.weight FROM docs.events AS e
                 WHERE e.agent_id {op} (SELECT a.id FROM crm.agents AS a WHERE a.team = $team)"""


@pytest.mark.parametrize(("op", "rows", "passed"), [("IN", 1652, True),
                                                   ("NOT IN", 18141, False)])
def test_keys_of_an_in_subquery_filter_its_operand(root: Path, op: str, rows: int,
                                                   passed: bool) -> None:
    """``e.agent_id IN (SELECT a.id …)`` keeps only events of the subquery's agents, so their
    keys filter the events' read (TPC-H Q20's parts into partsupp); NOT IN keeps the others
    (those of the 50 agents and those without one excepted), so no key goes."""
    text = IN_SUBQUERY.format(op=op)
    with _engine(root, key_passing_rows=0) as passing, \
            _engine(root, key_passing_rows=None) as whole:
        res = passing.query(text, {"team": "core"})
        expected = whole.query(text, {"team": "core"})
        assert sorted(map(str, res.to_pylist())) == sorted(map(str, expected.to_pylist()))
        assert len(res) == len(expected) == rows
        notes = [n for n in res.plan.notes if "filter fragment" in n]
        if passed:
            assert notes == ["applied: keys of fragment #1 (a.id) filter fragment #0 "
                             "(e.agent_id) when at most 500000 (50 keys)"]
            lance = next(f for f in res.plan.fragments if f.source == "docs")
            assert lance.rows == rows
        else:
            assert notes == [], notes


TWICE = """SELECT a.id, e.weight, (SELECT max(f.weight) FROM docs.events AS f
                                   WHERE f.agent_id = a.id) AS top
           FROM crm.agents AS a JOIN docs.events AS e ON e.agent_id = a.id
           WHERE a.team = $team"""


def test_keys_go_to_both_of_two_equal_reads_or_to_neither(root: Path) -> None:
    """events is read in the query and again in its subquery, both keyed by the agents:
    together they are one keyed read; keying only one of them would read events whole
    besides, so no route does that. Every route left gives the answer without keys."""
    with _engine(root) as eng, _engine(root, key_passing_rows=None) as whole:
        decision = eng.explain(TWICE, {"team": "core"}).route
        assert decision is not None
        names = [c.name for c in decision.considered]
        assert names == ["no key passing", "keys #0→#1, #0→#2"], names
        expected = sorted(map(str, whole.query(TWICE, {"team": "core"}).to_pylist()))
        for name in names:
            res = eng.query(TWICE, {"team": "core"}, route=name)
            assert sorted(map(str, res.to_pylist())) == expected, name
        shared = eng.query(TWICE, {"team": "core"}, route=names[1])
        assert [f.shared_from for f in shared.plan.fragments] == [None, None, 1]


def test_no_route_sends_keys_to_a_smaller_leg(root: Path) -> None:
    """Both legs are filtered, so keys could go either way; the catalog expects about 6 700
    events and 50 agents: keys from the events would at most save the agents' small read
    after waiting for the large one, so only the agents send."""
    text = JOIN.replace("WHERE a.team = $team", "WHERE a.team = $team AND e.weight > 1")
    with _engine(root) as eng, _engine(root, key_passing_rows=None) as whole:
        decision = eng.explain(text, {"team": "core"}).route
        assert decision is not None
        names = [c.name for c in decision.considered]
        assert names == ["no key passing", "keys #0→#1"], names
        res = eng.query(text, {"team": "core"}, route="keys #0→#1")
        assert _rows(res) == _rows(whole.query(text, {"team": "core"}))


SHARED = f"""{JOIN} HAVING sum(e.weight) > (SELECT sum(e.weight) / 100
          FROM crm.agents AS a JOIN docs.events AS e ON e.agent_id = a.id WHERE a.team = $team)"""


@pytest.mark.parametrize(("text", "inputs"), [(JOIN, 1), (SHARED, 2)])
def test_keys_save_stage_rows_once_per_input_of_the_read(
        root: Path, monkeypatch: pytest.MonkeyPatch, text: str, inputs: int) -> None:
    """A keyed read the outer query and its subquery share (TPC-H Q11) feeds two stage
    inputs: the rows its keys save are saved twice, so the run-time decision weighs them
    twice (counted once, Q11's first run at SF 0.1 read 80 000 partsupp rows whole)."""
    from federation import routing

    rates: list[float] = []

    def spy(keyed: object, plain: object, rows: float, view: object,
            rate: float) -> tuple[bool, str]:
        rates.append(rate)
        return True, "spied"

    monkeypatch.setattr(routing, "keys_pay", spy)
    with _engine(root) as eng:
        with eng._running(text, {"team": "edge"}) as (parsed, values, sources):
            routes, catalog, _ = eng._planned(parsed, values, sources)
        keyed = next(p for c, p in zip(routes.candidates, routes.prepared, strict=True)
                     if "keys:pass" in c.features)
        decide = routing.key_decider(routes, keyed, eng._stats.view(catalog), catalog, "auto")
        assert decide is not None
        assert decide(keyed.cut.passes[0], 450) == (True, "spied")
        assert rates == [routing.STAGE_PER_ROW_S * inputs]
        assert _rows(eng.query(text, {"team": "edge"}, route=routes.candidates[
            routes.prepared.index(keyed)].name)) == _rows(eng.query(text, {"team": "edge"}))


def test_many_passed_keys_reach_lance_as_arrow() -> None:
    """Keys past the IN-list cap are kept after the scan from their Arrow array: never one
    Python int per key (TPC-H SF1 Q21 passes 3.8 M), and a narrower key column drops keys
    outside its range instead of failing the cast."""
    from federation.sources.keys import KeyList
    from federation.sources.lance_read import LanceFragment, keep_keys
    from planner.expressions import ColumnRef, Func, ParamRef

    keys = KeyList(pa.array(range(0, 200_000, 2), pa.int64()))
    column = ColumnRef("e", "k", pa.int64())
    test = Func("in_keys", (column, ParamRef("keys", pa.list_(pa.int64()))), pa.bool_())
    written, kept = lance_filter.passed_keys([test], {"keys": keys})
    assert written == [] and kept == (("k", keys),) and kept[0][1] is keys
    c = LanceFragment("docs", "lancedb", "", (), (), keys=(("k", KeyList(pa.array(
        [1, 2, 3, 40_000, 2**32 + 5], pa.int64()))),))  # wrapped, 2**32 + 5 would be 5
    batches = [pa.record_batch({"k": pa.array([1, 4, 40_000, None], pa.int32())}),
               pa.record_batch({"k": pa.array([5, 6], pa.int32())}),
               pa.record_batch({"k": pa.array([3, 2], pa.int32())})]
    assert [b.column(0).to_pylist() for b in keep_keys(iter(batches), c)] == [[1, 40_000], [3, 2]]


@pytest.mark.parametrize("typ", [pa.int64(), pa.int32(), pa.string(), pa.date32(),
                                 pa.float64()])
def test_passed_keys_are_the_distinct_values_in_order(typ: pa.DataType) -> None:
    """The keys a sender passes: its distinct non-NULL values, ascending (Kuzu receivers
    take them in sorted chunks), whichever way they are found."""
    import datetime as dt
    import random

    import pyarrow.compute as pc

    from federation.key_passing import distinct_sorted

    rng = random.Random(7)
    raw = [None if rng.random() < 0.05 else rng.randrange(-50, 400) for _ in range(3_000)]
    as_type = {pa.string(): lambda v: f"k{v}", pa.date32(): lambda v: dt.date(2000, 1, 1)
               + dt.timedelta(days=v), pa.float64(): float}.get(typ, lambda v: v)
    values = [None if v is None else as_type(v) for v in raw]
    column = pa.chunked_array([pa.array(values[i:i + 700], typ) for i in range(0, 3_000, 700)])
    expected = pc.unique(column).drop_null().sort()
    assert distinct_sorted(column).equals(expected)
    assert len(distinct_sorted(pa.chunked_array([], typ))) == 0
    assert distinct_sorted(pa.chunked_array([[values[1]]], typ)).to_pylist() == [values[1]]
