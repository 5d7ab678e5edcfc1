"""The public API of DESIGN §2, exactly as an application or a notebook calls it."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import MappingProxyType

import apsw
import pyarrow as pa
import pytest

import federation as fed

TEAM_QUERY = ("SELECT a.name, upper(a.team) AS team, t.title FROM crm.agents a "
              "JOIN crm.tasks t ON t.agent_id = a.id WHERE a.team = $team ORDER BY a.name, t.title")


def make_db(path: Path, wal: bool = False) -> Path:
    con = apsw.Connection(str(path))
    if wal:
        con.execute("PRAGMA journal_mode = WAL")
    con.execute("CREATE TABLE agents(id INTEGER PRIMARY KEY, name TEXT, team TEXT, score REAL)")
    con.execute("CREATE TABLE tasks(id INTEGER PRIMARY KEY, agent_id INTEGER, title TEXT)")
    with con:
        con.executemany("INSERT INTO agents VALUES (?, ?, ?, ?)",
                        [(i, f"agent{i:02d}", ["core", "edge", "ops"][i % 3], i / 4 or None)
                         for i in range(30)])
        con.executemany("INSERT INTO tasks VALUES (?, ?, ?)",
                        [(i, i % 30, f"task{i:03d}") for i in range(90)])
    con.close()
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return make_db(tmp_path / "crm.db")


@pytest.fixture
def eng(db: Path) -> Iterator[fed.Engine]:
    engine = fed.connect()
    engine.attach("crm", fed.SQLite(db))
    yield engine
    engine.close()


# ---------------------------------------------------------------- connect / attach / close

def test_public_names() -> None:
    for name in ("connect", "SQLite", "Result", "FederationError", "ConfigurationError",
                 "QuerySyntaxError", "BindError", "PlanError", "SourceError",
                 "SourceUnavailableError", "QueryTimeoutError", "ResourceLimitError"):
        assert hasattr(fed, name), name
    for name in ("ConfigurationError", "QuerySyntaxError", "BindError", "PlanError",
                 "SourceError", "QueryTimeoutError", "ResourceLimitError"):
        assert issubclass(getattr(fed, name), fed.FederationError)
    assert issubclass(fed.SourceUnavailableError, fed.SourceError)


@pytest.mark.parametrize("name", ["Kuzu", "LanceDB"])
def test_other_source_constructors(name: str) -> None:
    if not hasattr(fed, name):
        pytest.skip(f"fed.{name} is not built yet")
    assert callable(getattr(fed, name))


def test_connect_in_memory_and_with_workspace(tmp_path: Path, db: Path) -> None:
    with fed.connect() as eng:
        assert eng.workspace is None
    for ws in (tmp_path / "ws", tmp_path / "deep" / "er" / "ws", str(tmp_path / "ws_str")):
        with fed.connect(ws) as eng:
            assert Path(ws).is_dir()
            eng.attach("crm", fed.SQLite(db))
            assert len(eng.query("SELECT a.id FROM crm.agents a")) == 30
        with fed.connect(ws):  # an existing workspace opens again
            pass


def test_sqlite_file_is_created_if_missing(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    source = fed.SQLite(path)
    with fed.connect() as eng:
        eng.attach("fresh", source)
        assert path.is_file()
        con = apsw.Connection(str(path))
        con.execute("CREATE TABLE t(x INTEGER)")
        con.execute("INSERT INTO t VALUES (1), (2)")
        con.close()
        assert eng.query("SELECT t.x FROM fresh.t t ORDER BY t.x").to_pylist() == \
            [{"x": 1}, {"x": 2}]


def test_sqlite_accepts_str_and_path(db: Path) -> None:
    with fed.connect() as eng:
        eng.attach("a", fed.SQLite(str(db)))
        eng.attach("b", fed.SQLite(db))
        rows = eng.query("SELECT x.id FROM a.agents x JOIN b.agents y ON x.id = y.id "
                         "WHERE x.id < 3 ORDER BY x.id").to_pylist()
        assert rows == [{"id": 0}, {"id": 1}, {"id": 2}]


def test_close_and_context_manager(db: Path) -> None:
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(db))
        assert len(eng.query("SELECT a.id FROM crm.agents a")) == 30
    with pytest.raises(fed.ConfigurationError):
        eng.query("SELECT a.id FROM crm.agents a")
    other = fed.connect()
    other.close()
    other.close()


# ---------------------------------------------------------------- Result

def test_query_with_params(eng: fed.Engine) -> None:
    res = eng.query(TEAM_QUERY, params={"team": "edge"})
    rows = res.to_pylist()
    assert len(rows) == 30 and rows[0] == {"name": "agent01", "team": "EDGE", "title": "task001"}
    assert eng.query(TEAM_QUERY, MappingProxyType({"team": "edge"})).to_pylist() == rows
    assert eng.query(TEAM_QUERY, {"team": "nobody"}).to_pylist() == []


def test_result_arrow_df_pylist(eng: fed.Engine) -> None:
    res = eng.query("SELECT a.id, a.name, a.score FROM crm.agents a WHERE a.id < $n "
                    "ORDER BY a.id", {"n": 3})
    table = res.arrow()
    assert isinstance(table, pa.Table)
    assert table.column_names == ["id", "name", "score"]
    assert table.schema.field("id").type == pa.int64()
    assert table.schema.field("name").type in (pa.string(), pa.large_string())
    assert pa.types.is_floating(table.schema.field("score").type)
    assert res.to_pylist() == [{"id": 0, "name": "agent00", "score": None},
                               {"id": 1, "name": "agent01", "score": 0.25},
                               {"id": 2, "name": "agent02", "score": 0.5}]
    pd = pytest.importorskip("pandas")
    df = res.df()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["id", "name", "score"] and len(df) == 3
    assert df["name"].tolist() == ["agent00", "agent01", "agent02"]


def test_arrow_c_stream(eng: fed.Engine) -> None:
    res = eng.query("SELECT a.id, a.team FROM crm.agents a ORDER BY a.id")
    assert hasattr(res, "__arrow_c_stream__")
    assert pa.table(res).equals(res.arrow())
    assert pa.RecordBatchReader.from_stream(res).read_all().equals(res.arrow())


def test_empty_result_keeps_its_schema(eng: fed.Engine) -> None:
    res = eng.query("SELECT a.id, a.name FROM crm.agents a WHERE a.id < 0")
    assert res.arrow().num_rows == 0 and res.arrow().column_names == ["id", "name"]
    assert pa.table(res).num_rows == 0 and res.to_pylist() == []


def test_repr_html(eng: fed.Engine, db: Path) -> None:
    html = eng.query("SELECT a.id, a.name FROM crm.agents a ORDER BY a.id LIMIT 3")._repr_html_()
    assert "<table" in html and "</table>" in html
    assert "<th>id</th>" in html and "agent02" in html
    con = apsw.Connection(str(db))
    con.execute("INSERT INTO agents VALUES (99, '<script>alert(1)</script>', 'x', 1)")
    con.close()
    html = eng.query('SELECT a.name AS "<b>" FROM crm.agents a WHERE a.id = 99')._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>" not in html


def test_plan_has_fragments_sql_and_timings(eng: fed.Engine) -> None:
    text = str(eng.query(TEAM_QUERY, {"team": "core"}).plan)
    assert "Fragment #0 on crm (sqlite)" in text
    assert re.search(r'SELECT .* FROM "agents"', text)
    assert re.search(r"\d+\.\d+ ?ms", text)
    assert re.search(r"rows: \d+", text)


# ---------------------------------------------------------------- explain

EXPLAIN_QUERY = ("SELECT a.name, lower(a.team) AS t FROM crm.agents a "
                 "WHERE a.team = $team AND a.id < 10 ORDER BY a.name LIMIT 3")


def test_explain_shows_pushed_sql_and_params(eng: fed.Engine) -> None:
    text = str(eng.explain(EXPLAIN_QUERY, {"team": "core"}))
    assert "DuckDB" in text and "lower(" in text  # lower() stays in the stage
    sqlite_sql = next(line for line in text.splitlines() if 'FROM "agents"' in line)
    assert "?" in sqlite_sql and "core" not in sqlite_sql
    params_line = next(line for line in text.splitlines() if line.startswith("-- params"))
    assert "'core'" in params_line and "10" in params_line
    assert "rows:" not in text and "Timings" not in text


def test_explain_default_params_and_repeatable(eng: fed.Engine) -> None:
    one = str(eng.explain("SELECT a.id FROM crm.agents a WHERE a.id = 1"))
    eng.query("SELECT a.id FROM crm.agents a")  # other work in between
    two = str(eng.explain("SELECT a.id FROM crm.agents a WHERE a.id = 1", params=None))
    assert one == two


def test_explain_text_is_stable(eng: fed.Engine) -> None:
    first = str(eng.explain(EXPLAIN_QUERY, {"team": "core"}))
    assert str(eng.explain(EXPLAIN_QUERY, {"team": "core"})) == first


def test_explain_analyze_has_timings_and_rows(eng: fed.Engine) -> None:
    text = str(eng.explain(EXPLAIN_QUERY, {"team": "core"}, analyze=True))
    assert re.search(r"rows: [34]\b", text)  # ids 0, 3, 6, 9 (or the top 3 if pushed)
    assert "Timings" in text and re.search(r"total=\d+\.\d+ms", text)


def test_explain_does_not_need_valid_data(eng: fed.Engine, db: Path) -> None:
    con = apsw.Connection(str(db))
    con.execute("CREATE TABLE broken(n INTEGER)")
    con.execute("INSERT INTO broken VALUES ('not a number')")
    con.close()
    assert "broken" in str(eng.explain("SELECT b.n FROM crm.broken b"))
    with pytest.raises(fed.SourceError):
        eng.query("SELECT b.n FROM crm.broken b")


# ---------------------------------------------------------------- concurrency and freshness

def test_concurrent_queries_from_8_threads(eng: fed.Engine) -> None:
    jobs = [(TEAM_QUERY, {"team": team}) for team in ("core", "edge", "ops", "none")] + [
        ("SELECT a.team, count(*) AS n, sum(a.id) AS s FROM crm.agents a WHERE a.id >= $lo "
         "GROUP BY a.team ORDER BY a.team", {"lo": lo}) for lo in range(0, 30, 3)] + [
        ("SELECT t.title FROM crm.tasks t WHERE t.agent_id = $id ORDER BY t.title",
         {"id": i}) for i in range(10)]
    jobs = jobs * 3
    expected = [eng.query(text, params).to_pylist() for text, params in jobs]
    barrier = threading.Barrier(8)

    def run(job: tuple[str, dict[str, object]]) -> list[dict[str, object]]:
        if threading.current_thread().name not in started:
            started.add(threading.current_thread().name)
            barrier.wait(timeout=10)
        return eng.query(*job).to_pylist()

    started: set[str] = set()
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(run, jobs))
    assert got == expected


@pytest.mark.parametrize("wal", [False, True], ids=["rollback-journal", "wal"])
def test_sees_writes_by_another_connection(tmp_path: Path, wal: bool) -> None:
    db = make_db(tmp_path / "crm.db", wal=wal)
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(db))
        count = "SELECT count(*) AS n FROM crm.agents a"
        assert eng.query(count).to_pylist() == [{"n": 30}]
        writer = apsw.Connection(str(db))
        writer.execute("INSERT INTO agents VALUES (100, 'new', 'core', 1)")
        assert eng.query(count).to_pylist() == [{"n": 31}]
        writer.execute("UPDATE agents SET name = 'renamed' WHERE id = 100")
        assert eng.query("SELECT a.name FROM crm.agents a WHERE a.id = 100").to_pylist() == \
            [{"name": "renamed"}]
        writer.execute("DELETE FROM agents WHERE id >= 10")
        assert eng.query(count).to_pylist() == [{"n": 10}]
        with ThreadPoolExecutor(max_workers=2) as pool:  # other threads' connections too
            assert pool.submit(lambda: eng.query(count).to_pylist()).result() == [{"n": 10}]
        writer.close()


def test_schema_change_after_attach(eng: fed.Engine, db: Path) -> None:
    with pytest.raises(fed.BindError):
        eng.query("SELECT n.x FROM crm.notes n")
    writer = apsw.Connection(str(db))
    writer.execute("CREATE TABLE notes(x INTEGER, body TEXT)")
    writer.execute("INSERT INTO notes VALUES (1, 'hello')")
    assert eng.query("SELECT n.x, n.body FROM crm.notes n").to_pylist() == \
        [{"x": 1, "body": "hello"}]
    writer.execute("ALTER TABLE notes ADD COLUMN extra REAL")
    assert eng.query("SELECT n.* FROM crm.notes n").arrow().column_names == \
        ["x", "body", "extra"]
    writer.execute("DROP TABLE notes")
    with pytest.raises(fed.BindError):
        eng.query("SELECT n.x FROM crm.notes n")
    writer.close()
