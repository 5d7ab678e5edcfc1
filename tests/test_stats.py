"""Recorded statistics (federation.stats) and the cost model reading them (planner.cost):
what a query records per fragment, fragment shapes, decay, persistence in a workspace, bounds,
threads, and ``eng.stats()``."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import apsw
import lancedb
import pyarrow as pa
import pytest

import federation as fed
from federation import stats as stats_module
from federation.sources.kuzu import driver
from federation.stats import FILE_NAME, Stats
from planner.cost import STAGE, Step, predict_step, prior_for
from planner.shape import Shape
from planner.signature import signature

JOIN = """SELECT a.name, count(*) AS n FROM crm.agents AS a JOIN docs.events AS e
          ON e.agent_id = a.id WHERE a.team = $team GROUP BY a.name"""
BY_TEAM = "SELECT a.name FROM crm.agents AS a WHERE a.team = $team"
COLUMNS = {"source": pa.string(), "kind": pa.string(), "shape": pa.string(),
           "shape_text": pa.string(), "executions": pa.int64(), "rows_in_mean": pa.float64(),
           "rows_out_mean": pa.float64(), "latency_p50_s": pa.float64(),
           "latency_p90_s": pa.float64(), "latency_geomean_s": pa.float64(),
           "fit_base_s": pa.float64(), "fit_per_1k_in_s": pa.float64(),
           "fit_per_1k_out_s": pa.float64(), "last_seen": pa.timestamp("ms", tz="UTC")}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """500 agents (50 in team core) in SQLite, 20 000 events in LanceDB, a small graph."""
    root = tmp_path_factory.mktemp("stats")
    con = apsw.Connection(str(root / "crm.db"))
    con.execute("CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT, team TEXT)")
    con.executemany("INSERT INTO agents VALUES (?, ?, ?)",
                    [(i, f"agent{i}", "core" if i % 10 == 0 else "edge") for i in range(500)])
    con.close()
    events = pa.table({"agent_id": pa.array([i % 600 for i in range(20_000)], pa.int64()),
                       "weight": pa.array([float(i % 7) for i in range(20_000)])})
    lancedb.connect(str(root / "lance")).create_table("events", events)
    kuzu = driver()
    db = kuzu.Database(str(root / "g.kuzu"))
    graph = kuzu.Connection(db)
    graph.execute("CREATE NODE TABLE N(id INT64 PRIMARY KEY)")
    graph.execute("CREATE REL TABLE E(FROM N TO N)")
    for i in range(6):
        graph.execute("CREATE (:N {id: $id})", {"id": i})
    for a, b in [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]:
        graph.execute("MATCH (a:N {id: $a}), (b:N {id: $b}) CREATE (a)-[:E]->(b)",
                      {"a": a, "b": b})
    graph.close()
    db.close()
    return root


def _engine(root: Path, workspace: Path | None = None, **options: object) -> fed.Engine:
    options.setdefault("cache_bytes", 0)  # these count executions: a hit runs none
    eng = fed.connect(workspace, **options)
    eng.attach("crm", fed.SQLite(root / "crm.db"))
    eng.attach("docs", fed.LanceDB(root / "lance"))
    return eng


def _rows(eng: fed.Engine) -> dict[tuple[str, str], dict[str, object]]:
    return {(r["source"], r["shape_text"]): r for r in eng.stats().to_pylist()}


def _only(eng: fed.Engine, source: str) -> dict[str, object]:
    found = [r for r in eng.stats().to_pylist() if r["source"] == source]
    assert len(found) == 1, found
    return found[0]


def test_every_fragment_and_the_stage_are_recorded_with_their_rows(root: Path) -> None:
    with _engine(root, key_passing_rows=None) as eng:
        res = eng.query(JOIN, {"team": "core"})
        ran = {f.source: f.rows for f in res.plan.fragments}
        crm, docs, stage = _only(eng, "crm"), _only(eng, "docs"), _only(eng, STAGE)
        assert (crm["rows_out_mean"], docs["rows_out_mean"]) == (ran["crm"], ran["docs"])
        assert (crm["rows_out_mean"], docs["rows_out_mean"]) == (50, 20_000)
        assert (crm["kind"], docs["kind"], stage["kind"]) == ("sqlite", "lancedb", "duckdb")
        assert stage["rows_in_mean"] == 20_050 and stage["rows_out_mean"] == len(res) == 50
        assert all(r["executions"] == 1 and r["latency_p50_s"] > 0
                   for r in eng.stats().to_pylist())
        assert crm["latency_p50_s"] == pytest.approx(res.plan.fragments[0].seconds)


def test_passed_keys_are_recorded_as_rows_in_of_a_keyed_shape(root: Path) -> None:
    with _engine(root, key_passing_rows=0) as eng:
        res = eng.query(JOIN, {"team": "core"})
        assert any(n.startswith("applied") and n.endswith("(50 keys)") for n in res.plan.notes)
        docs = _only(eng, "docs")
        assert docs["rows_in_mean"] == 50 and "in_keys(r0.agent_id, ?)" in docs["shape_text"]
        assert docs["rows_out_mean"] == sum(r["n"] for r in res.to_pylist())
    with _engine(root, key_passing_rows=None) as whole:
        whole.query(JOIN, {"team": "core"})
        unkeyed = _only(whole, "docs")
        assert unkeyed["rows_in_mean"] == 0 and "in_keys" not in unkeyed["shape_text"]
        assert unkeyed["shape"] != docs["shape"]


def test_a_shape_is_the_same_whatever_the_values(root: Path) -> None:
    with _engine(root) as eng:
        eng.query(BY_TEAM, {"team": "core"})
        eng.query(BY_TEAM, {"team": "edge"})
        eng.query("SELECT x.name FROM crm.agents AS x WHERE x.team = 'nobody'")
        eng.query("SELECT x.name FROM crm.agents AS x WHERE x.team IN ('a', 'b', 'c')")
        eng.query("SELECT x.name FROM crm.agents AS x WHERE x.team IN ($a, 'b')",
                  {"a": "core"})
        eng.query("SELECT x.name FROM crm.agents AS x WHERE x.team = 'core' LIMIT 3")
        eng.query("SELECT x.name FROM crm.agents AS x WHERE x.team = 'core' LIMIT 7")
        crm = {r["shape_text"]: r["executions"] for r in eng.stats().to_pylist()
               if r["source"] == "crm"}
        assert crm == {"scan agents AS r0 WHERE (r0.team = ?) -> r0.name": 3,
                       "scan agents AS r0 WHERE in(r0.team, ?…) -> r0.name": 2,
                       "scan agents AS r0 WHERE (r0.team = ?) -> r0.name LIMIT ?": 2}


def test_different_structures_are_different_shapes(root: Path) -> None:
    texts = ["SELECT a.name FROM crm.agents AS a WHERE a.team = 'core'",
             "SELECT a.name FROM crm.agents AS a WHERE a.id = 3",  # another column
             "SELECT a.id FROM crm.agents AS a WHERE a.team = 'core'",  # another output
             "SELECT a.name FROM crm.agents AS a WHERE a.team > 'core'",  # another operator
             "SELECT a.name FROM crm.agents AS a"]
    with _engine(root) as eng:
        for text in texts:
            eng.query(text)
        shapes = [r["shape"] for r in eng.stats().to_pylist() if r["source"] == "crm"]
        assert len(shapes) == len(set(shapes)) == len(texts)


def test_graph_shapes_keep_labels_and_hops(root: Path) -> None:
    with fed.connect() as eng:
        eng.attach("g", fed.Kuzu(root / "g.kuzu"))
        for hops, start in (("*1..2", 0), ("*1..2", 1), ("*1..3", 0)):
            eng.query(f"SELECT y.id FROM MATCH g (x:N)-[:E{hops}]->(y:N) WHERE x.id = $s",
                      {"s": start})
        g = {r["shape_text"]: r["executions"] for r in eng.stats().to_pylist()
             if r["source"] == "g"}
        assert g == {"match (r0:N)-[r2:E*1..2]->(r1:N) WHERE (r0.id = ?) -> r1.id": 2,
                     "match (r0:N)-[r2:E*1..3]->(r1:N) WHERE (r0.id = ?) -> r1.id": 1}
        view = eng._stats.view(eng.catalog())  # node and rel counts from Kuzu's catalog
        assert (view.table_rows("g", "N"), view.table_rows("g", "E")) == (6, 5)
        assert view.source_kind("g") == "kuzu"


def test_a_shape_digest_is_the_same_in_another_process() -> None:
    """Never a digest of object identity or of Python's per-process string hashing."""
    code = ("import pyarrow as pa\n"
            "from planner.expressions import ColumnRef, Const, Func\n"
            "from planner.logical import Scan, TableAccess\n"
            "from planner.shape import shape_of\n"
            "c = ColumnRef('a', 'team', pa.string())\n"
            "w = Func('eq', (c, Const('x', pa.string())), pa.bool_())\n"
            "print(shape_of(Scan('crm', (TableAccess('agents', 'a'),), (c,), (w,))).id)\n")
    ids = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True, cwd=Path(__file__).parent.parent)
        ids.add(out.stdout.strip())
    assert len(ids) == 1 and len(ids.pop()) == 16


def test_the_cost_model_imports_no_source_and_no_driver() -> None:
    code = ("import sys, planner.cost, planner.shape\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('federation', 'apsw',"
            " 'kuzu', 'lancedb', 'lance', 'duckdb', 'adbc_driver_sqlite')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parent.parent)
    assert out.stdout.strip() == "[]"


def _shape(n: int) -> Shape:
    return Shape(f"{n:016x}", f"scan t{n}")


def test_summaries_decay_to_follow_a_changed_workload() -> None:
    stats = Stats()
    shape = _shape(1)
    for _ in range(40):
        stats.record([("crm", "sqlite", shape, 0, 100, 0.001)])
    view = stats.view()
    before = view.shape("crm", shape.id)
    assert before is not None and before.p50_s == pytest.approx(0.001)
    assert predict_step(Step("crm", shape.id, rows_out=100), view).seconds == \
        pytest.approx(0.001, rel=0.1)
    for _ in range(30):  # ten times slower from now on
        stats.record([("crm", "sqlite", shape, 0, 100, 0.010)])
    after = view.shape("crm", shape.id)
    assert after is not None and after.executions == 70
    assert after.p50_s == pytest.approx(0.010) and after.p90_s == pytest.approx(0.010)
    assert predict_step(Step("crm", shape.id, rows_out=100), view).seconds == \
        pytest.approx(0.010, rel=0.15)


def test_a_cold_first_run_does_not_bend_the_prediction() -> None:
    stats = Stats()
    shape = _shape(2)
    stats.record([("crm", "sqlite", shape, 0, 10, 0.5)])  # opening a connection, say
    for _ in range(5):
        stats.record([("crm", "sqlite", shape, 0, 10, 0.001)])
    estimate = predict_step(Step("crm", shape.id, rows_out=10), stats.view())
    assert estimate.basis == "measured (6 runs)"
    assert estimate.seconds < 0.003


def test_latency_grows_with_rows_as_measured() -> None:
    """Seen at several sizes, a shape learns its own cost per row (here 1 ms per 1000)."""
    stats = Stats()
    shape = _shape(3)
    for rows in [100, 1000, 5000, 20_000] * 8:
        stats.record([("docs", "lancedb", shape, 0, rows, 0.002 + rows * 1e-6)])
    view = stats.view()
    for rows in (500, 10_000, 50_000):
        predicted = predict_step(Step("docs", shape.id, rows_out=rows), view).seconds
        assert predicted == pytest.approx(0.002 + rows * 1e-6, rel=0.1)


def test_a_shape_its_line_explains_is_predicted_with_confidence() -> None:
    """A keyed read run with 60 keys (3 ms) and with 9 000 (60 ms): its line predicts both,
    so its spread (what exploration samples) is that of the line's misses, not the factor
    of 20 between the sizes (sd 1.5 in ln seconds), which had a well-known alternative
    explored beside a better one one execution in five."""
    stats = Stats()
    shape = _shape(5)
    for _ in range(8):
        stats.record([("one", "sqlite", shape, 60, 60, 0.003)])
        stats.record([("one", "sqlite", shape, 9000, 9000, 0.060)])
    estimate = predict_step(Step("one", shape.id, 60.0, 60.0), stats.view())
    assert estimate.seconds == pytest.approx(0.003, rel=0.2)
    assert estimate.log_sd < 0.2


def test_runs_of_other_sizes_are_not_clipped_against_each_other() -> None:
    """A join inside SQLite over one day (218 rows, 24 ms: far above the kind's prior, which
    knows no fixed join cost) and over seven years (600 572 rows, 330 ms): each size keeps
    its latency (clipped against the other's ratio to the prior, the large run counted 14x
    slower, and the shape was predicted at 2.3 s, never tried again)."""
    stats = Stats()
    shape = _shape(4)
    for _ in range(6):
        stats.record([("one", "sqlite", shape, 0, 218, 0.024)])
        stats.record([("one", "sqlite", shape, 0, 600_572, 0.330)])
    view = stats.view()
    for rows, seconds in ((218, 0.024), (600_572, 0.330)):
        predicted = predict_step(Step("one", shape.id, rows_out=rows), view).seconds
        assert predicted == pytest.approx(seconds, rel=0.2)


def test_cold_start_uses_the_prior_of_the_source_kind(root: Path) -> None:
    with _engine(root) as eng:
        catalog = eng.catalog()
        view = eng._stats.view(catalog)
        # catalog cardinalities (SQLite's is an estimate: its largest rowid)
        assert view.table_rows("crm", "agents") == pytest.approx(500, abs=1)
        assert view.table_rows("docs", "events") == 20_000
        estimate = predict_step(Step("crm", "0" * 16, rows_out=1000), view)
        prior = prior_for("sqlite")
        assert estimate.basis == "prior sqlite"
        assert estimate.seconds == pytest.approx(prior.base_s + prior.per_1k_out_s)
        eng.query(BY_TEAM, {"team": "core"})
        shape = _only(eng, "crm")["shape"]
        assert isinstance(shape, str)
        # an engine's first query on a source is cold (connections, drivers): not a measure
        assert predict_step(Step("crm", shape), view).basis == "prior sqlite"
        eng.query(BY_TEAM, {"team": "core"})
        assert predict_step(Step("crm", shape), view).basis == "measured (2 runs)"


def test_statistics_persist_in_the_workspace(root: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    with _engine(root, workspace) as eng:
        for team in ("core", "edge", "core"):
            eng.query(BY_TEAM, {"team": team})
        eng.query(JOIN, {"team": "core"})
        recorded = eng.stats()
    assert (workspace / FILE_NAME).exists()
    with _engine(root, workspace) as again:
        assert again.stats().equals(recorded)
        again.query(BY_TEAM, {"team": "edge"})
        crm = _rows(again)[("crm", "scan agents AS r0 WHERE (r0.team = ?) -> r0.name")]
        assert crm["executions"] == 4
    with fed.connect() as memory:  # connect() keeps nothing
        assert memory.stats().num_rows == 0


def test_a_workspace_is_written_in_batches_in_the_background(
        root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stats_module, "FLUSH_S", 3600.0)
    workspace = tmp_path / "ws"
    with _engine(root, workspace) as eng:
        for _ in range(20):
            eng.query(BY_TEAM, {"team": "core"})
        assert _stored(workspace) == 0  # nothing written on the queries' path
    assert _stored(workspace) == 2  # at close: the fragment and the stage, once each
    monkeypatch.setattr(stats_module, "FLUSH_S", 0.1)
    with _engine(root, workspace) as eng:
        eng.query(JOIN, {"team": "core"})
        deadline = time.monotonic() + 30
        while _stored(workspace) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _stored(workspace) == 5  # written by the background thread, engine still open


def _stored(workspace: Path) -> int:
    con = apsw.Connection(str(workspace / FILE_NAME), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return int(con.execute("SELECT count(*) FROM shapes").fetchall()[0][0])
    finally:
        con.close()


def test_a_damaged_statistics_file_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_bytes(b"not a database" * 100)
    with pytest.raises(fed.ConfigurationError, match="statistics file"):
        fed.connect(tmp_path)


def test_a_damaged_row_loses_only_its_shape(tmp_path: Path) -> None:
    stats = Stats(tmp_path)
    stats.record([("crm", "sqlite", _shape(1), 0, 1, 0.001),
                  ("crm", "sqlite", _shape(2), 0, 1, 0.001)])
    stats.close()
    con = apsw.Connection(str(tmp_path / FILE_NAME))
    con.execute("UPDATE shapes SET state = '{\"executions\": 1}' WHERE shape = ?",
                (_shape(1).id,))
    con.close()
    again = Stats(tmp_path)
    assert len(again) == 1 and again.lookup("crm", _shape(2).id) is not None
    again.close()


def test_statistics_are_bounded_in_memory_and_on_disk(tmp_path: Path) -> None:
    stats = Stats(tmp_path, max_shapes=5)
    for n in range(20):
        stats.record([("crm", "sqlite", _shape(n), 0, 1, 0.001)])
        stats.record([("crm", "sqlite", _shape(0), 0, 1, 0.001)])  # kept in use
    assert len(stats) == 5
    kept = {s for _, s in stats.snapshot().shapes}
    assert kept == {_shape(n).id for n in (0, 16, 17, 18, 19)}
    stats.close()
    assert _stored(tmp_path) == 5
    reopened = Stats(tmp_path, max_shapes=3)
    assert len(reopened) == 3 and reopened.lookup("crm", _shape(19).id) is not None
    reopened.close()


def test_recording_from_eight_threads_loses_nothing(root: Path) -> None:
    with _engine(root) as eng:
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                for i in range(25):
                    eng.query(BY_TEAM if n % 2 else JOIN, {"team": "core" if i % 2 else "edge"})
            except BaseException as err:  # re-raised below, in the test's thread
                errors.append(err)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        by_source: dict[str, int] = {}
        for r in eng.stats().to_pylist():
            by_source[r["source"]] = by_source.get(r["source"], 0) + r["executions"]
        # BY_TEAM on 4 threads reads crm; JOIN on the other 4 reads crm and docs
        assert by_source["crm"] == 8 * 25 and by_source["docs"] == 4 * 25
        assert sum(n for s, n in by_source.items() if s.startswith("(")) == 8 * 25


def test_direct_recording_from_eight_threads_keeps_every_count() -> None:
    stats = Stats(max_shapes=8)
    shapes = [_shape(n) for n in range(12)]  # more than fit: eviction races recording

    def work(n: int) -> None:
        for i in range(2000):
            stats.record([("s", "sqlite", shapes[(n + i) % 12], i, i, 0.001)])
            if i % 100 == 0:
                stats.view().shape("s", shapes[n].id)
                stats.table()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stats) == 8
    assert all(s.p50_s == pytest.approx(0.001) for s in stats.snapshot().shapes.values())


def test_stats_table_schema(root: Path) -> None:
    with _engine(root) as eng:
        empty = eng.stats()
        assert empty.num_rows == 0 and dict(zip(empty.schema.names, empty.schema.types,
                                                strict=True)) == COLUMNS
        eng.query(BY_TEAM, {"team": "core"})
        table = eng.stats()
        assert dict(zip(table.schema.names, table.schema.types, strict=True)) == COLUMNS
        row = _only(eng, "crm")
        assert row["executions"] == 1 and row["shape_text"].startswith("scan agents")
        assert math.isfinite(row["latency_geomean_s"]) and row["fit_base_s"] > 0


def test_failed_queries_are_not_recorded(root: Path) -> None:
    with _engine(root, max_rows=10) as eng:
        with pytest.raises(fed.ResourceLimitError):
            eng.query(BY_TEAM, {"team": "core"})
        assert eng.stats().num_rows == 0


@pytest.fixture()
def _no_flusher_threads() -> Iterator[None]:
    before = {t.name for t in threading.enumerate()}
    yield
    leftover = {t.name for t in threading.enumerate()} - before
    assert "fed-stats" not in leftover


@pytest.mark.usefixtures("_no_flusher_threads")
def test_close_stops_the_background_writer(root: Path, tmp_path: Path) -> None:
    with _engine(root, tmp_path / "ws") as eng:
        eng.query(BY_TEAM, {"team": "core"})


def test_stalls_do_not_bend_a_fast_shape() -> None:
    """A 2 ms stage that stalls to 7 ms in one run of five (another process on the CPU): its
    line is fitted to its typical run, not to a mean the stalls pull up to 3 ms (which made
    it look slower than a route that was not)."""
    stats = Stats()
    shape = _shape(6)
    for i in range(30):
        stats.record([("(duckdb)", "duckdb", shape, 30, 4, 0.007 if i % 5 == 4 else 0.002)])
    estimate = predict_step(Step("(duckdb)", shape.id, 30.0, 4.0), stats.view())
    assert estimate.seconds < 0.0026


def test_a_cold_run_tells_the_rows_of_its_values_not_their_latency(tmp_path: Path) -> None:
    """A source's first run (connections, drivers) returned the right rows: nearby values
    are predicted to return as many (they fell back to the shape's mean, 49 518 rows for
    an 18-row seed), while its latency waits for a warm run; kept through the workspace."""
    sig, other = signature(("n",), {"n": 7}), signature(("n",), {"n": 90_000})
    stats = Stats(tmp_path)
    shape = _shape(8)
    stats.record([("crm", "sqlite", shape, 0, 99_000, 0.2, other)])
    stats.record([("crm", "sqlite", shape, 0, 18, 0.9, sig)], cold=True)
    stats.close()
    again = Stats(tmp_path)
    found = again.near("crm", shape.id, signature(("n",), {"n": 8}))
    assert found is not None and found.rows < 1000 and found.rows_distance < 1  # not 99 000
    assert found.seconds == pytest.approx(0.2)  # the warm run's: the cold one is not timed
    again.close()

