"""Binder and API errors through the public API (DESIGN §2, §5.1, §7).

Every error is a ``fed.FederationError``; binder errors on names carry the line and column of the
name and, where a name is unknown, ``.candidates`` and a "did you mean" hint.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import apsw
import pytest

import federation as fed


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shared by the module: no test writes to it (engines open SQLite read-only)."""
    path = tmp_path_factory.mktemp("errors") / "crm.db"
    con = apsw.Connection(str(path))
    con.execute("CREATE TABLE agents(id INTEGER PRIMARY KEY, name TEXT, team TEXT, score REAL)")
    con.execute("CREATE TABLE tasks(id INTEGER PRIMARY KEY, agent_id INTEGER, title TEXT)")
    con.execute("INSERT INTO agents VALUES (1, 'ann', 'core', 1.5), (2, 'bob', 'edge', NULL)")
    con.execute("INSERT INTO tasks VALUES (1, 1, 't1'), (2, 2, 't2')")
    con.execute("CREATE TABLE bad(id INTEGER, n INTEGER, d DATE)")
    con.execute("INSERT INTO bad VALUES (1, 'abc', '2020-01-01'), (2, 3, 'not a date')")
    con.close()
    return path


@pytest.fixture(scope="module")
def eng(db: Path) -> Iterator[fed.Engine]:
    with fed.connect() as engine:
        engine.attach("crm", fed.SQLite(db))
        yield engine


def at(text: str, needle: str, last: bool = False) -> tuple[int, int]:
    """1-based (line, column) of the first (or last) occurrence of ``needle``."""
    index = text.rindex(needle) if last else text.index(needle)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def bind_error(eng: fed.Engine, text: str, params: dict[str, object] | None = None,
               *, where: str | None = None) -> fed.BindError:
    with pytest.raises(fed.BindError) as info:
        eng.query(text, params)
    err = info.value
    assert isinstance(err, fed.FederationError)
    if where is not None:
        assert (err.line, err.column) == at(text, where), str(err)
        assert f"line {err.line}, column {err.column}" in str(err)
    return err


# ---------------------------------------------------------------- unknown names

def test_unknown_source_suggests_the_attached_one(eng: fed.Engine) -> None:
    text = "SELECT a.name\nFROM crmm.agents a"
    err = bind_error(eng, text, where="crmm.agents")
    assert "unknown source 'crmm'" in str(err) and "did you mean 'crm'" in str(err)
    assert err.candidates == ("crm",)


def test_unknown_table_suggests_a_close_name(eng: fed.Engine) -> None:
    text = "SELECT a.name FROM crm.agentz a"
    err = bind_error(eng, text, where="crm.agentz")
    assert "agentz" in str(err) and "did you mean 'agents'" in str(err)
    assert set(err.candidates) == {"agents", "tasks", "bad"}


def test_unknown_qualified_column(eng: fed.Engine) -> None:
    text = "SELECT a.id,\n       a.nam\nFROM crm.agents a"
    err = bind_error(eng, text, where="a.nam")
    assert "did you mean 'name'" in str(err)
    assert "name" in err.candidates and "team" in err.candidates


def test_unknown_bare_column(eng: fed.Engine) -> None:
    text = "SELECT a.id FROM crm.agents a WHERE scroe > 1"
    err = bind_error(eng, text, where="scroe")
    assert "did you mean" in str(err) and "score" in str(err)
    assert "a.score" in err.candidates


def test_ambiguous_bare_column(eng: fed.Engine) -> None:
    text = "SELECT id FROM crm.agents a JOIN crm.tasks t ON t.agent_id = a.id"
    err = bind_error(eng, text, where="id")
    assert "ambiguous" in str(err)
    assert set(err.candidates) == {"a", "t"}


def test_unknown_relation_alias(eng: fed.Engine) -> None:
    text = "SELECT a.name FROM crm.agents a WHERE b.id = 1"
    err = bind_error(eng, text, where="b.id")
    assert "unknown relation 'b'" in str(err)
    assert err.candidates == ("a",)


def test_unknown_relation_in_qualified_star(eng: fed.Engine) -> None:
    bind_error(eng, "SELECT z.* FROM crm.agents a", where="z.*")


# ---------------------------------------------------------------- functions and aggregates

def test_unknown_function_suggests_a_close_one(eng: fed.Engine) -> None:
    text = "SELECT lowr(a.name) FROM crm.agents a"
    err = bind_error(eng, text, where="lowr")
    assert "unknown function 'lowr'" in str(err) and "did you mean 'lower'" in str(err)
    assert "lower" in err.candidates


@pytest.mark.parametrize("call", ["lower(a.name, 1)", "substr(a.name)", "abs()",
                                  "sum(a.id, a.id)", "round(a.score, 1, 2)"])
def test_wrong_argument_count(eng: fed.Engine, call: str) -> None:
    err = bind_error(eng, f"SELECT {call} AS x FROM crm.agents a", where=call)
    assert "argument" in str(err)


def test_star_only_for_count(eng: fed.Engine) -> None:
    assert "count(*)" in str(bind_error(eng, "SELECT sum(*) FROM crm.agents a", where="sum"))


@pytest.mark.parametrize("clause", ["WHERE count(*) > 1", "GROUP BY max(a.id)",
                                    "JOIN crm.tasks t ON sum(t.id) = a.id"])
def test_aggregate_where_not_allowed(eng: fed.Engine, clause: str) -> None:
    err = bind_error(eng, f"SELECT a.team FROM crm.agents a {clause}")
    assert "aggregate" in str(err)


def test_aggregate_in_where_points_at_the_call(eng: fed.Engine) -> None:
    bind_error(eng, "SELECT a.team FROM crm.agents a WHERE count(*) > 1", where="count")


@pytest.mark.parametrize("text", [
    "SELECT a.name, count(*) FROM crm.agents a GROUP BY a.team",
    "SELECT a.team FROM crm.agents a GROUP BY a.team HAVING a.score > 1",
    "SELECT a.team, count(*) AS n FROM crm.agents a GROUP BY a.team ORDER BY a.name",
    "SELECT a.name, count(*) FROM crm.agents a",
])
def test_non_grouped_column(eng: fed.Engine, text: str) -> None:
    assert "GROUP BY" in str(bind_error(eng, text))


def test_order_by_position_out_of_range(eng: fed.Engine) -> None:
    bind_error(eng, "SELECT a.name FROM crm.agents a ORDER BY 5", where="5")


# ---------------------------------------------------------------- parameters, LIMIT, CAST

def test_missing_parameter(eng: fed.Engine) -> None:
    text = "SELECT a.name FROM crm.agents a WHERE a.team = $team"
    err = bind_error(eng, text, {"tema": "core"}, where="$team")
    assert "$team" in str(err) and "tema" in err.candidates


def test_unused_parameter(eng: fed.Engine) -> None:
    err = bind_error(eng, "SELECT a.name FROM crm.agents a", {"extra": 1})
    assert "$extra" in str(err) and "unused" in str(err)


@pytest.mark.parametrize(("limit", "params"), [
    ("-1", None), ("'5'", None), ("1.5", None), ("NULL", None), ("$n", {"n": "5"}),
    ("$n", {"n": -3}), ("$n", {"n": True}), ("$n", {"n": 2.0}), ("$n", {"n": None}),
    ("a.id", None),
])
def test_bad_limit(eng: fed.Engine, limit: str, params: dict[str, object] | None) -> None:
    text = f"SELECT a.name FROM crm.agents a LIMIT {limit}"
    bind_error(eng, text, params, where=limit)  # a.id: no relation is in scope in LIMIT


def test_bad_offset(eng: fed.Engine) -> None:
    bind_error(eng, "SELECT a.name FROM crm.agents a LIMIT 1 OFFSET -2", where="-2")


@pytest.mark.parametrize("type_name", ["BLOB", "MONEY", '"INT; DROP TABLE agents"', "INTERVAL"])
def test_bad_cast_type(eng: fed.Engine, type_name: str) -> None:
    err = bind_error(eng, f"SELECT CAST(a.id AS {type_name}) FROM crm.agents a", where="CAST")
    assert "CAST" in str(err)


# ---------------------------------------------------------------- aliases

@pytest.mark.parametrize("text", [
    "SELECT a.name FROM crm.agents a JOIN crm.tasks a ON a.id = a.id",
    "SELECT a.name FROM crm.agents a, crm.tasks A",
    "SELECT agents.id FROM crm.agents, crm.agents",
])
def test_duplicate_alias(eng: fed.Engine, text: str) -> None:
    err = bind_error(eng, text)
    assert "twice" in str(err)
    assert (err.line, err.column) == at(text, "crm.", last=True)  # the second relation


# ---------------------------------------------------------------- attach and lifecycle

@pytest.mark.parametrize("name", ["", "1crm", "a-b", "a.b", "a b", "crm;", '"x"', None, 3])
def test_attach_bad_name(db: Path, name: object) -> None:
    with fed.connect() as engine, pytest.raises(fed.ConfigurationError):
        engine.attach(name, fed.SQLite(db))  # type: ignore[arg-type]


def test_attach_duplicate_name_any_case(eng: fed.Engine, db: Path) -> None:
    for name in ("crm", "CRM", "Crm"):
        with pytest.raises(fed.ConfigurationError, match="already attached"):
            eng.attach(name, fed.SQLite(db))
    assert eng.query("SELECT count(*) AS n FROM crm.agents a").to_pylist() == [{"n": 2}]


@pytest.mark.parametrize("obj", ["crm.db", object(), None, apsw])
def test_attach_non_source(eng: fed.Engine, obj: object) -> None:
    with pytest.raises(fed.ConfigurationError):
        eng.attach("other", obj)  # type: ignore[arg-type]
    assert list(eng.sources) == ["crm"]


@pytest.mark.parametrize("path", ["", None, 42])
def test_sqlite_needs_a_path(path: object) -> None:
    with pytest.raises(fed.ConfigurationError):
        fed.SQLite(path)  # type: ignore[arg-type]


def test_query_after_close(db: Path) -> None:
    engine = fed.connect()
    engine.attach("crm", fed.SQLite(db))
    engine.close()
    engine.close()  # idempotent
    for call in (lambda: engine.query("SELECT a.id FROM crm.agents a"),
                 lambda: engine.explain("SELECT a.id FROM crm.agents a"),
                 lambda: engine.attach("x", fed.SQLite(db))):
        with pytest.raises(fed.ConfigurationError, match="closed"):
            call()


def test_not_a_string_query(eng: fed.Engine) -> None:
    with pytest.raises(fed.ConfigurationError):
        eng.query(b"SELECT a.id FROM crm.agents a")  # type: ignore[arg-type]


def test_syntax_error_through_the_api(eng: fed.Engine) -> None:
    with pytest.raises(fed.QuerySyntaxError) as info:
        eng.query("SELECT a.id\nFROM crm.agents a\nWHERE a.id = = 1")
    assert (info.value.line, info.value.column) == (3, 14)


# ---------------------------------------------------------------- files that are not databases

def test_missing_file_is_created_but_not_a_missing_directory(tmp_path: Path) -> None:
    with fed.connect() as engine:
        engine.attach("s", fed.SQLite(tmp_path / "new.db"))
        assert (tmp_path / "new.db").is_file()
        err = bind_error(engine, "SELECT x.id FROM s.things x")
        assert "there are none" in str(err)
        path = tmp_path / "no" / "such" / "dir" / "new.db"
        with pytest.raises(fed.SourceUnavailableError, match="directory"):
            engine.attach("t", fed.SQLite(path))  # a typo must not create an empty database
        assert not path.parent.exists()


@pytest.mark.parametrize("kind", ["directory", "text file", "random bytes"])
def test_path_that_is_not_a_database(tmp_path: Path, db: Path, kind: str) -> None:
    path = tmp_path / "not_a_db"
    if kind == "directory":
        path.mkdir()
    elif kind == "text file":
        path.write_text("hello, I am not SQLite\n" * 100)
    else:
        path.write_bytes(bytes(range(256)) * 64)
    with fed.connect() as engine:
        with pytest.raises(fed.SourceUnavailableError) as info:
            engine.attach("s", fed.SQLite(path))
        assert isinstance(info.value, fed.SourceError)
        assert isinstance(info.value, fed.FederationError)
        assert info.value.source == "s" and info.value.__cause__ is not None
        assert "s" not in engine.sources
        engine.attach("s", fed.SQLite(db))  # the name is still free
        assert len(engine.query("SELECT a.id FROM s.agents a")) == 2


# ---------------------------------------------------------------- errors while running

@pytest.mark.parametrize(("column", "detail"), [("n", "abc"), ("d", "not a date")])
def test_stored_value_not_fitting_declared_type(eng: fed.Engine, column: str, detail: str) -> None:
    with pytest.raises(fed.SourceError) as info:
        eng.query(f"SELECT b.{column} FROM crm.bad b")
    err = info.value
    assert err.source == "crm" and "'crm'" in str(err)
    assert detail in str(err)
    assert "SELECT" in err.fragment and err.__cause__ is not None


@pytest.mark.parametrize("text", ["SELECT a.name + 1 AS x FROM crm.agents a",
                                  "SELECT CAST(a.name AS INTEGER) AS x FROM crm.agents a"])
def test_type_errors_are_federation_errors(eng: fed.Engine, text: str) -> None:
    with pytest.raises(fed.FederationError):
        eng.query(text)


@pytest.mark.parametrize("shape", ["or", "not", "plus"])
def test_deeply_nested_expression(eng: fed.Engine, shape: str) -> None:
    n = 2000
    text = {"or": "SELECT a.id FROM crm.agents a WHERE " + " OR ".join(["a.id = 1"] * n),
            "not": "SELECT a.id FROM crm.agents a WHERE " + "NOT " * n + "a.id = 1",
            "plus": "SELECT " + " + ".join(["a.id"] * n) + " AS s FROM crm.agents a"}[shape]
    with contextlib.suppress(fed.FederationError):  # a result or a FederationError, nothing else
        eng.query(text)


@pytest.mark.parametrize(("text", "params"), [
    ("SELECT a.name FROM crm.agents a", [1, 2]),
    ("SELECT a.name FROM crm.agents a", {1: 2}),
    ("SELECT a.name FROM crm.agents a WHERE a.id = $x", {"x": object()}),
    ("SELECT a.name FROM crm.agents a WHERE a.id = $x", {"x": {1, 2}}),
    ("SELECT a.name FROM crm.agents a WHERE a.id = $x", {"x": 2**70}),
    ("SELECT a.name FROM crm.agents a LIMIT 99999999999999999999999", None),
], ids=["list", "int-key", "object", "set", "int-2**70", "limit-10**23"])
def test_bad_parameter_values(eng: fed.Engine, text: str, params: object) -> None:
    with contextlib.suppress(fed.FederationError):  # a result or a FederationError, nothing else
        eng.query(text, params)  # type: ignore[arg-type]
