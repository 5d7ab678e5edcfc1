"""Injection corpus (DESIGN §7, §9): hostile values come back as data, hostile identifiers are plain
names or a BindError, nothing is ever executed, and the SQLite file stays byte-identical.
The DuckDB stage is sandboxed: FQL has no way to reach files."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import apsw
import pytest

import federation as fed

HOSTILE = [
    "'; DROP TABLE agents; --",
    "x' OR '1'='1",
    '" OR 1=1 --',
    "%",
    "_",
    "a\x00b",
    "名前 ☕ \u202egnp.exe é",
    "Robert'); DROP TABLE agents;--",
    "x" * 100_000,
    "?", "$v", ":v", "@v", "\\", "\\'", "*/ /*", "\n; SELECT 1;\n", "''", "", "\t\r\n",
    "1; ATTACH DATABASE '/tmp/pwn.db' AS pwn; --",
]
IDS = [f"v{i}" for i in range(len(HOSTILE))]
SHORT = [(i, v) for i, v in enumerate(HOSTILE) if len(v) < 1000]


def fql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def fql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("injection") / "crm.db"
    con = apsw.Connection(str(path))
    con.execute("CREATE TABLE agents(id INTEGER PRIMARY KEY, name TEXT, team TEXT)")
    with con:
        con.executemany("INSERT INTO agents VALUES (?, ?, 'core')", list(enumerate(HOSTILE)))
        con.execute("INSERT INTO agents VALUES (1000, NULL, 'edge')")
    con.execute('CREATE TABLE "we""ird; --"("col""q" INTEGER, "sp ace" TEXT)')
    con.execute('INSERT INTO "we""ird; --" VALUES (7, \'z\')')
    con.close()
    return path


@pytest.fixture(scope="module")
def original(db: Path) -> str:
    return digest(db)


@pytest.fixture(scope="module")
def eng(db: Path, original: str) -> Iterator[fed.Engine]:
    with fed.connect() as engine:
        engine.attach("crm", fed.SQLite(db))
        yield engine


@pytest.fixture(autouse=True)
def unchanged(db: Path, original: str) -> Iterator[None]:
    yield
    assert digest(db) == original, "the SQLite file changed"
    con = apsw.Connection(str(db), flags=apsw.SQLITE_OPEN_READONLY)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
    count = con.execute("SELECT count(*) FROM agents").fetchall()[0][0]
    con.close()
    assert sorted(tables) == ["agents", 'we"ird; --'] and count == len(HOSTILE) + 1


def ids(eng: fed.Engine, text: str, params: Mapping[str, object] | None = None) -> list[int]:
    return sorted(r["id"] for r in eng.query(text, params).to_pylist())


# ---------------------------------------------------------------- values as parameters

@pytest.mark.parametrize(("i", "value"), list(enumerate(HOSTILE)), ids=IDS)
def test_parameter_is_data_in_sqlite(eng: fed.Engine, i: int, value: str) -> None:
    rows = eng.query("SELECT a.id, a.name FROM crm.agents a WHERE a.name = $v",
                     {"v": value}).to_pylist()
    assert rows == [{"id": i, "name": value}]


@pytest.mark.parametrize(("i", "value"), list(enumerate(HOSTILE)), ids=IDS)
def test_parameter_is_data_in_duckdb(eng: fed.Engine, i: int, value: str) -> None:
    rows = eng.query("SELECT $v AS echoed, a.id FROM crm.agents a "
                     "WHERE lower(a.name) = lower($v)", {"v": value}).to_pylist()
    assert rows == [{"echoed": value, "id": i}]


@pytest.mark.parametrize(("i", "value"), SHORT, ids=[f"v{i}" for i, _ in SHORT])
def test_literal_is_data(eng: fed.Engine, i: int, value: str) -> None:
    text = f"SELECT a.id, {fql_string(value)} AS lit FROM crm.agents a " \
           f"WHERE a.name = {fql_string(value)}"
    assert eng.query(text).to_pylist() == [{"id": i, "lit": value}]


def test_long_literal(eng: fed.Engine) -> None:
    value = "y'" * 20_000
    rows = eng.query(f"SELECT {fql_string(value)} AS v FROM crm.agents a WHERE a.id = 0")
    assert rows.to_pylist() == [{"v": value}]


def test_in_list_of_hostile_parameters(eng: fed.Engine) -> None:
    params = {f"p{i}": v for i, v in enumerate(HOSTILE)}
    marks = ", ".join(f"${k}" for k in params)
    assert ids(eng, f"SELECT a.id FROM crm.agents a WHERE a.name IN ({marks})", params) == \
        list(range(len(HOSTILE)))
    assert ids(eng, f"SELECT a.id FROM crm.agents a WHERE a.name NOT IN ({marks})", params) == []


def test_in_list_of_hostile_literals(eng: fed.Engine) -> None:
    items = ", ".join(fql_string(v) for _, v in SHORT)
    assert ids(eng, f"SELECT a.id FROM crm.agents a WHERE a.name IN ({items})") == \
        [i for i, _ in SHORT]


def _like(pattern: str, value: str) -> bool:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


@pytest.mark.parametrize("pattern", [v for _, v in SHORT] + ["%'%", "%--%", "%;%", "_%_"])
def test_hostile_like_pattern(eng: fed.Engine, pattern: str) -> None:
    expected = [i for i, v in enumerate(HOSTILE) if _like(pattern, v)]
    got = ids(eng, "SELECT a.id FROM crm.agents a WHERE a.name LIKE $p", {"p": pattern})
    assert got == expected


def test_like_on_value_with_nul_byte(eng: fed.Engine) -> None:
    pushed = ids(eng, "SELECT a.id FROM crm.agents a WHERE a.name LIKE $p", {"p": "%b"})
    in_stage = ids(eng, "SELECT a.id FROM crm.agents a WHERE lower(a.name) LIKE $p", {"p": "%b"})
    assert in_stage == [5]
    assert pushed == in_stage


def test_like_pattern_longer_than_sqlite_allows(eng: fed.Engine) -> None:
    """SQLite refuses LIKE patterns over 50 000 bytes; DuckDB gives the answer. Either the right
    rows or a SourceError naming the source: never a crash or a wrong answer."""
    try:
        got = ids(eng, "SELECT a.id FROM crm.agents a WHERE a.name LIKE $p", {"p": "x" * 60_000})
    except fed.SourceError as err:
        assert err.source == "crm"
    else:
        assert got == []


@pytest.mark.parametrize("value", ["5", "5; DROP TABLE agents", "1 OFFSET 0"])
def test_limit_parameter_as_string(eng: fed.Engine, value: str) -> None:
    with pytest.raises(fed.BindError):
        eng.query("SELECT a.id FROM crm.agents a LIMIT $n", {"n": value})


# ---------------------------------------------------------------- hostile identifiers

@pytest.mark.parametrize("name", ['a"b', "x; DROP TABLE agents; --", "`t`", "--", "/*", "it's",
                                  "a.b", "名前", " ", "?", "$v", "SELECT"])
def test_hostile_alias_is_a_plain_name(eng: fed.Engine, name: str) -> None:
    q = fql_name(name)
    text = f"SELECT {q}.id AS {q}, {q}.team FROM crm.agents AS {q} WHERE {q}.id = 0"
    assert eng.query(text).to_pylist() == [{name: 0, "team": "core"}]


def test_hostile_alias_in_derived_table(eng: fed.Engine) -> None:
    q = fql_name('d"; DROP TABLE agents; --')
    text = f'SELECT {q}."x""y" FROM (SELECT a.id AS "x""y" FROM crm.agents a) AS {q} ' \
           f'WHERE {q}."x""y" = 3'
    assert eng.query(text).to_pylist() == [{'x"y': 3}]


def test_table_with_hostile_name(eng: fed.Engine) -> None:
    rows = eng.query('SELECT w."col""q", w."sp ace" FROM crm."we""ird; --" AS w').to_pylist()
    assert rows == [{'col"q': 7, "sp ace": "z"}]


@pytest.mark.parametrize("text", [
    'SELECT a.id FROM crm."agents; DROP TABLE agents" a',
    'SELECT a.id FROM crm."agents"" ; DROP TABLE agents; --" a',
    'SELECT a.id FROM "crm; DROP TABLE agents".agents a',
    'SELECT a."id; DROP TABLE agents" FROM crm.agents a',
    'SELECT a.id FROM crm.agents a WHERE "a; --".id = 1',
    'SELECT a.id FROM crm.sqlite_schema a',
    'SELECT a.id FROM crm."/etc/passwd" a',
    'SELECT a.id FROM crm.agents a, crm.agents AS "A"',
])
def test_hostile_unknown_identifier_is_bind_error(eng: fed.Engine, text: str) -> None:
    with pytest.raises(fed.BindError):
        eng.query(text)


@pytest.mark.parametrize("text", [
    "SELECT a.id FROM crm.`agents` a",
    "SELECT a.$v FROM crm.agents a",
    "SELECT a.id FROM crm.$v a",
    "SELECT a.id FROM crm.agents a; DROP TABLE agents",
    "SELECT a.id FROM crm.agents a WHERE a.id = 1; --\nDROP TABLE agents",
    "SELECT a.id FROM read_csv('/etc/passwd') a",
    "SELECT a.id FROM '/etc/passwd' a",
    "SELECT a.id FROM crm.agents a /* comment */",
])
def test_hostile_syntax_is_a_syntax_error(eng: fed.Engine, text: str) -> None:
    with pytest.raises(fed.QuerySyntaxError):
        eng.query(text, {"v": "agents"} if "$v" in text else None)


def test_hostile_parameter_names_are_refused(eng: fed.Engine) -> None:
    with pytest.raises(fed.BindError, match="must be an identifier"):
        eng.query("SELECT a.id FROM crm.agents a", {"x; DROP TABLE agents; --": 1})


# ---------------------------------------------------------------- DuckDB sandbox

@pytest.mark.parametrize("function", [
    "read_csv", "read_csv_auto", "read_parquet", "read_json", "read_json_auto", "read_text",
    "read_blob", "glob", "parquet_scan", "sqlite_scan", "current_setting", "getenv",
    "duckdb_settings", "query", "query_table", "pragma_version",
])
def test_file_and_system_functions_are_unknown(eng: fed.Engine, function: str) -> None:
    with pytest.raises(fed.BindError, match="unknown function"):
        eng.query(f"SELECT {function}('/etc/passwd') AS x FROM crm.agents a")


def test_stage_configuration_is_locked(eng: fed.Engine) -> None:
    """Whitebox: the engine's DuckDB connection refuses file access and config changes."""
    duckdb = pytest.importorskip("duckdb")
    con = getattr(getattr(eng, "_stage", None), "_con", None)
    if con is None:
        pytest.skip("stage internals changed")
    for sql in ["SET enable_external_access = true", "SET lock_configuration = false",
                "SET memory_limit = '100GB'", "SELECT * FROM read_csv('/etc/passwd')",
                "COPY (SELECT 1) TO '/tmp/fed_leak.csv'", "ATTACH '/tmp/fed_leak.db'",
                "LOAD httpfs"]:
        with pytest.raises(duckdb.Error):
            con.execute(sql)
    assert con.execute("SELECT current_setting('lock_configuration')").fetchall() == [(True,)]
    leak = {"secret": [1]}  # noqa: F841 - a replacement scan would find this local
    with pytest.raises(duckdb.Error):
        con.execute("SELECT * FROM leak")
    assert not Path("/tmp/fed_leak.csv").exists() and not Path("/tmp/fed_leak.db").exists()
