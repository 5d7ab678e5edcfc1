"""eng.migrate on real SQLite, Kuzu and LanceDB stores: apply, re-apply, a failure midway,
an edited or missing applied file, drift, and the cache seeing the new schema."""

from __future__ import annotations

import json
from pathlib import Path

import apsw
import lancedb
import pyarrow as pa
import pytest

import federation as fed
from federation.ops.migrations import MigrationError


def write(folder: Path, source: str, name: str, text: str) -> Path:
    path = folder / source / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def lance_ops(*ops: dict[str, object]) -> str:
    return json.dumps({"operations": list(ops)})


@pytest.fixture
def mig(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    write(folder, "crm", "001_agents.sql",
          "CREATE TABLE agents (id INTEGER PRIMARY KEY, team TEXT);\n"
          "INSERT INTO agents VALUES (1, 'core'), (2, 'ml');")
    write(folder, "crm", "002_index.sql", "CREATE INDEX agents_team ON agents(team);")
    return folder


def test_sqlite_apply_reapply_and_cache(tmp_path: Path, mig: Path) -> None:
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(tmp_path / "crm.db"))
        report = eng.migrate(mig)
        assert report.applied == {"crm": ["001_agents", "002_index"]} and report.ok
        query = "SELECT count(*) AS n FROM crm.agents"
        assert eng.query(query).to_pylist() == [{"n": 2}]
        again = eng.migrate(mig)
        assert again.applied == {"crm": []}
        assert again.to_dict()["crm"]["already"] == ["001_agents", "002_index"]
        # a new migration moves the version token: the cached answer is not served
        write(mig, "crm", "003_more.sql", "INSERT INTO agents VALUES (3, 'ops');")
        assert eng.migrate(mig).applied == {"crm": ["003_more"]}
        assert eng.query(query).to_pylist() == [{"n": 3}]
        # a statement that returns rows does not stop the script
        write(mig, "crm", "004_col.sql", "SELECT * FROM agents;\n"
              "ALTER TABLE agents ADD COLUMN lvl INTEGER;")
        eng.migrate(mig)
        assert eng.query("SELECT a.lvl FROM crm.agents a WHERE a.id = 1").to_pylist() == \
            [{"lvl": None}]


def test_sqlite_failure_midway_reports_and_leaves_it_unapplied(tmp_path: Path,
                                                               mig: Path) -> None:
    write(mig, "crm", "003_bad.sql", "CREATE TABLE half (x INTEGER);\nINSERT INTO nope VALUES (1);")
    write(mig, "crm", "004_after.sql", "CREATE TABLE after (x INTEGER);")
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(tmp_path / "crm.db"))
        with pytest.raises(MigrationError, match="003_bad") as info:
            eng.migrate(mig)
        report = info.value.report.to_dict()["crm"]
        assert report["applied"] == ["001_agents", "002_index"]
        assert report["pending"] == ["003_bad", "004_after"]
        assert info.value.migration == "003_bad" and isinstance(info.value, fed.FederationError)
        tables = {r["name"] for r in _sqlite_rows(tmp_path / "crm.db", "SELECT name FROM "
                                                  "sqlite_schema WHERE type = 'table'")}
        assert "half" not in tables and "after" not in tables  # one transaction, undone
        versions = _sqlite_rows(tmp_path / "crm.db", "SELECT version FROM "
                                "_federation_migrations ORDER BY version")
        assert [r["version"] for r in versions] == [1, 2]
        write(mig, "crm", "003_bad.sql", "CREATE TABLE half (x INTEGER);")  # fixed
        assert eng.migrate(mig).applied == {"crm": ["003_bad", "004_after"]}


def test_sqlite_edited_missing_and_drift_are_refused(tmp_path: Path, mig: Path) -> None:
    db = tmp_path / "crm.db"
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(db))
        eng.migrate(mig)
        first = mig / "crm" / "001_agents.sql"
        original = first.read_text()
        first.write_text(original + "\n-- edited")
        write(mig, "crm", "003_new.sql", "CREATE TABLE n (x INTEGER);")
        with pytest.raises(MigrationError, match="edited") as info:
            eng.migrate(mig)
        assert info.value.report.applied == {"crm": []}  # refused: 003 did not run
        first.write_text(original)
        (mig / "crm" / "002_index.sql").unlink()
        with pytest.raises(MigrationError, match="002_index has no file"):
            eng.migrate(mig)
        write(mig, "crm", "002_index.sql", "CREATE INDEX agents_team ON agents(team);")
        con = apsw.Connection(str(db))
        con.execute("CREATE TABLE by_hand (x INTEGER)")
        con.close()
        with pytest.raises(MigrationError, match="drift"):
            eng.migrate(mig)
        with pytest.raises(MigrationError, match="drift"):
            eng.migrate(mig, dry_run=True)


def test_bad_folders_are_configuration_errors(tmp_path: Path) -> None:
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(tmp_path / "crm.db"))
        with pytest.raises(fed.ConfigurationError, match="does not exist"):
            eng.migrate(tmp_path / "none")
        write(tmp_path / "m1", "other", "001_x.sql", "SELECT 1;")
        with pytest.raises(fed.ConfigurationError, match="names no attached source"):
            eng.migrate(tmp_path / "m1")
        write(tmp_path / "m2", "crm", "001_x.cypher", "RETURN 1;")
        with pytest.raises(fed.ConfigurationError, match=r"NNN_description\.sql"):
            eng.migrate(tmp_path / "m2")


def test_kuzu_migrations(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    write(folder, "g", "001_people.cypher",
          "CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY (id));\n"
          "CREATE REL TABLE KNOWS(FROM Person TO Person);")
    write(folder, "g", "002_people.cypher", "CREATE (:Person {id: 1, name: 'ada'});")
    write(folder, "g", "003_bad.cypher",
          "CREATE NODE TABLE Half(id INT64, PRIMARY KEY (id));\nCREATE (:Nope {id: 1});")
    with fed.connect() as eng:
        eng.attach("g", fed.Kuzu(tmp_path / "g.kuzu"))
        with pytest.raises(MigrationError) as info:
            eng.migrate(folder)
        assert info.value.report.applied == {"g": ["001_people", "002_people"]}
        assert "Half" not in eng.catalog()["g"].tables  # the transaction was rolled back
        query = "SELECT p.name FROM MATCH g (p:Person)"
        assert eng.query(query).to_pylist() == [{"name": "ada"}]
        write(folder, "g", "003_bad.cypher", "CREATE (:Person {id: 2, name: 'bob'});")
        assert eng.migrate(folder).applied == {"g": ["003_bad"]}
        assert sorted(r["name"] for r in eng.query(query).to_pylist()) == ["ada", "bob"]
        assert eng.migrate(folder).applied == {"g": []}
        (folder / "g" / "002_people.cypher").write_text("CREATE (:Person {id: 9});")
        with pytest.raises(MigrationError, match="002_people was edited"):
            eng.migrate(folder)
        (folder / "g" / "002_people.cypher").write_text(
            "CREATE (:Person {id: 1, name: 'ada'});")
        eng.sources["g"].write("CREATE NODE TABLE ByHand(id INT64, PRIMARY KEY (id))")  # type: ignore[attr-defined]
        with pytest.raises(MigrationError, match="drift"):
            eng.migrate(folder)


def test_read_only_kuzu_is_refused(tmp_path: Path) -> None:
    with fed.connect() as eng:
        eng.attach("g", fed.Kuzu(tmp_path / "g.kuzu"))
        eng.migrate(_one(tmp_path / "m", "g", "001_t.cypher",
                         "CREATE NODE TABLE T(id INT64, PRIMARY KEY (id));"))
    with fed.connect() as eng:
        eng.attach("g", fed.Kuzu(tmp_path / "g.kuzu", read_only=True))
        with pytest.raises(fed.ConfigurationError, match="read_only"):
            eng.migrate(tmp_path / "m")


def _one(folder: Path, source: str, name: str, text: str) -> Path:
    write(folder, source, name, text)
    return folder


def test_lance_migrations(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    write(folder, "v", "001_docs.json", lance_ops(
        {"op": "create_table", "table": "docs", "schema": {"id": "int64", "vec": "float32[2]"}},
        {"op": "create_index", "table": "docs", "column": "id", "kind": "BTREE"}))
    write(folder, "v", "002_lang.json", lance_ops(
        {"op": "add_columns", "table": "docs", "columns": {"lang": "string"}}))
    write(folder, "v", "003_bad.json", lance_ops(
        {"op": "create_table", "table": "half", "schema": {"id": "int64"}},
        {"op": "drop_columns", "table": "docs", "columns": ["lang"]},
        {"op": "add_columns", "table": "docs", "columns": {"id": "string"}}))
    with fed.connect() as eng:
        eng.attach("v", fed.LanceDB(tmp_path / "lance"))
        with pytest.raises(MigrationError, match="003_bad") as info:
            eng.migrate(folder)
        assert info.value.report.applied == {"v": ["001_docs", "002_lang"]}
        # the failed migration's first two operations were undone
        assert set(eng.catalog()["v"].tables) == {"docs"}
        assert [c for c, _ in eng.catalog()["v"].tables["docs"].columns] == ["id", "vec", "lang"]
        (folder / "v" / "003_bad.json").write_text(lance_ops(
            {"op": "drop_columns", "table": "docs", "columns": ["lang"]}))
        assert eng.migrate(folder).applied == {"v": ["003_bad"]}
        assert eng.query("SELECT d.id FROM v.docs d").to_pylist() == []
        assert eng.migrate(folder).applied == {"v": []}
        lancedb.connect(str(tmp_path / "lance")).open_table("docs").add_columns(
            {"extra": "id * 2"})
        with pytest.raises(MigrationError, match="drift"):
            eng.migrate(folder)


def test_a_malformed_lance_migration_fails_by_name(tmp_path: Path) -> None:
    folder = _one(tmp_path / "m", "v", "001_x.json", '{"operations": [{"op": "rename"}]}')
    with fed.connect() as eng:
        eng.attach("v", fed.LanceDB(tmp_path / "lance"))
        with pytest.raises(MigrationError, match="needs \"op\""):
            eng.migrate(folder)


def _sqlite_rows(path: Path, sql: str) -> list[dict[str, object]]:
    con = apsw.Connection(str(path))
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.getdescription()]
        return [dict(zip(names, row, strict=True)) for row in cursor]
    finally:
        con.close()


def test_a_busy_sqlite_file_is_waited_for_then_retried(tmp_path: Path, mig: Path) -> None:
    import threading

    from federation.ops.ledgers import BUSY_MS

    db = tmp_path / "crm.db"
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(db))
        eng.migrate(mig)  # the ledger exists; the next migration has to write
        write(mig, "crm", "003_more.sql", "INSERT INTO agents VALUES (3, 'ops');")
        writer = apsw.Connection(str(db))
        writer.execute("BEGIN IMMEDIATE")  # another writer holds the file past the busy wait
        release = threading.Timer(BUSY_MS / 1000 * 1.5, lambda: writer.execute("COMMIT"))
        release.start()
        try:
            assert eng.migrate(mig).applied == {"crm": ["003_more"]}  # retried, not failed
        finally:
            release.join()
            writer.close()


def test_transient_errors_are_told_apart() -> None:
    from federation.ops.retry import is_transient, transient_retry

    assert is_transient(apsw.BusyError("database is locked"))
    wrapped = fed.SourceError("x", source="s")
    wrapped.__cause__ = apsw.BusyError("database is locked")
    assert is_transient(wrapped)
    assert is_transient(RuntimeError("Retryable commit conflict for version 3"))
    assert not is_transient(fed.QueryTimeoutError("database is locked"))
    assert not is_transient(apsw.SQLError("no such table: nope"))
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise apsw.BusyError("database is locked")
        return "done"

    assert transient_retry(flaky) == "done" and len(calls) == 3
    def broken() -> None:
        calls.append(1)
        apsw.Connection(":memory:").execute("SELECT * FROM nope")

    calls.clear()
    with pytest.raises(apsw.SQLError):
        transient_retry(broken)
    assert len(calls) == 1  # not transient: no second attempt


def test_three_stores_in_one_run_stop_at_the_first_failure(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    write(folder, "crm", "001_t.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);")
    write(folder, "docs", "001_d.json", lance_ops(
        {"op": "create_table", "table": "d", "schema": {"id": "int64"}}))
    write(folder, "docs", "002_bad.json", lance_ops(
        {"op": "add_columns", "table": "missing", "columns": {"x": "string"}}))
    write(folder, "graph", "001_g.cypher", "CREATE NODE TABLE G(id INT64, PRIMARY KEY (id));")
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(tmp_path / "crm.db"))
        eng.attach("docs", fed.LanceDB(tmp_path / "lance"))
        eng.attach("graph", fed.Kuzu(tmp_path / "g.kuzu"))
        with pytest.raises(fed.MigrationError) as info:
            eng.migrate(folder)
        # sources run in name order: crm done, docs stopped at 002, graph not started
        assert (info.value.source, info.value.migration) == ("docs", "002_bad")
        assert info.value.report.to_dict() == {
            "crm": {"applied": ["001_t"], "already": [], "pending": [], "problems": []},
            "docs": {"applied": ["001_d"], "already": [], "pending": ["002_bad"],
                     "problems": [info.value.report.sources["docs"].problems[0]]},
            "graph": {"applied": [], "already": [], "pending": ["001_g"], "problems": []}}
        assert "002_bad failed" in info.value.report.sources["docs"].problems[0]
        (folder / "docs" / "002_bad.json").write_text(lance_ops(
            {"op": "add_columns", "table": "d", "columns": {"x": "string"}}))
        assert eng.migrate(folder).applied == {"crm": [], "docs": ["002_bad"],
                                               "graph": ["001_g"]}
        rows = eng.query("SELECT t.id, d.x FROM crm.t t JOIN docs.d d ON t.id = d.id "
                         "JOIN MATCH graph (g:G) ON g.id = t.id")
        assert rows.to_pylist() == []


def test_adopting_a_store_written_by_other_programs(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    con = apsw.Connection(str(db))
    con.execute("CREATE TABLE legacy (id INTEGER PRIMARY KEY)")
    con.close()
    lance = lancedb.connect(str(tmp_path / "lance"))
    lance.create_table("old", schema=pa.schema([("id", "int64")]))
    folder = tmp_path / "m"
    write(folder, "crm", "001_more.sql", "CREATE TABLE more (id INTEGER);")
    write(folder, "v", "001_more.json", lance_ops(
        {"op": "add_columns", "table": "old", "columns": {"x": "string"}}))
    write(folder, "g", "001_more.cypher", "CREATE NODE TABLE More(id INT64, PRIMARY KEY (id));")
    with fed.connect() as eng:
        eng.attach("crm", fed.SQLite(db))
        eng.attach("v", fed.LanceDB(tmp_path / "lance"))
        eng.attach("g", fed.Kuzu(tmp_path / "g.kuzu"))
        eng.sources["g"].write("CREATE NODE TABLE Old(id INT64, PRIMARY KEY (id))")  # type: ignore[attr-defined]
        with pytest.raises(MigrationError, match="a schema no migration built"):
            eng.migrate(folder)  # never silently
        checked = eng.migrate(folder, adopt=True, dry_run=True)
        assert checked.to_dict()["crm"]["adopted"] and checked.applied == {
            "crm": [], "g": [], "v": []}
        report = eng.migrate(folder, adopt=True)
        assert report.applied == {"crm": ["001_more"], "g": ["001_more"], "v": ["001_more"]}
        assert eng.migrate(folder).applied == {"crm": [], "g": [], "v": []}  # baselines hold
        con = apsw.Connection(str(db))
        con.execute("DROP TABLE legacy")
        con.close()
        with pytest.raises(MigrationError, match="drift"):
            eng.migrate(folder, adopt=True)  # adopt only takes a store with no history
