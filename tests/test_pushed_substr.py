"""``substr`` goes down into SQLite only where SQLite's answer is DuckDB's: a literal start
of at least 1 and a literal length of at least 0 (below those the two differ, and DuckDB
raises past 2**32 - 1); characters counted as code points in both, NULs included (SQLite's
own substr stops at the first NUL: the writer maps NULs as it does for LIKE)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import apsw
import duckdb
import pytest

import federation as fed

WORDS = [(1, "hello"), (2, None), (3, ""), (4, "Ümit"), (5, "日本語テキスト"), (6, "😀x😀"),
         (7, "a\x00bc"), (8, "\x00\x00z"), (9, "e\u0301x"), (10, "13-555"), (11, "a")]


@pytest.fixture(scope="module")
def eng(tmp_path_factory: pytest.TempPathFactory) -> Iterator[fed.Engine]:
    folder: Path = tmp_path_factory.mktemp("substr")
    con = apsw.Connection(str(folder / "crm.db"))
    con.execute("CREATE TABLE w (id INTEGER PRIMARY KEY, s TEXT)")
    con.executemany("INSERT INTO w VALUES (?, ?)", WORDS)
    con.close()
    with fed.connect(cache_bytes=0) as engine:
        engine.attach("crm", fed.SQLite(folder / "crm.db"))
        yield engine


@pytest.fixture(scope="module")
def oracle() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE w (id INTEGER, s VARCHAR)")
    con.executemany("INSERT INTO w VALUES (?, ?)", WORDS)
    return con


def _ids(con: fed.Engine | duckdb.DuckDBPyConnection, condition: str,
         params: dict[str, object]) -> list[int]:
    if isinstance(con, fed.Engine):
        rows = con.query(f"SELECT w.id FROM crm.w AS w WHERE {condition}", params).to_pylist()
        return sorted(r["id"] for r in rows)
    text = f"SELECT w.id FROM w WHERE {condition}"
    return sorted(r for (r,) in con.execute(text, params).fetchall())


PUSHED = [
    ("substr(w.s, 1, 2) IN ('he', '13', 'Üm', '日本', '😀x')", {}),
    ("substring(w.s FROM 2 FOR 2) = 'bc'", {}),  # NOT after the NUL, as SQLite alone says
    ("substr(w.s, 2, 1) = $v", {"v": "\x00"}),  # a NUL is one character
    ("substr(w.s, 1, 2) = $v", {"v": "a\x00"}),
    ("substr(w.s, 3) = 'z'", {}),
    ("substr(w.s, 2, 1) = $v", {"v": "\u0301"}),  # code points, not graphemes
    ("substr(w.s, 1, 0) = ''", {}),  # NULL stays NULL
    ("substr(w.s, 50) = ''", {}),
    ("substr(w.s, 4294967295, 4294967295) = ''", {}),
    ("substr(w.s, 1, 1) IS NULL", {}),
]


@pytest.mark.parametrize(("condition", "params"), PUSHED)
def test_pushed_substr_answers_like_duckdb(eng: fed.Engine, oracle: duckdb.DuckDBPyConnection,
                                           condition: str, params: dict[str, object]) -> None:
    plan = eng.explain(f"SELECT w.id FROM crm.w AS w WHERE {condition}", params)
    assert "substr(" in plan.fragments[0].native and "substr" not in (plan.stage_sql or "")
    assert _ids(eng, condition, params) == _ids(oracle, condition, params)


STAYS = [
    ("substr(w.s, 0, 2) = 'h'", {}),  # start 0: DuckDB and SQLite agree here, not in general
    ("substr(w.s, -2) = 'lo'", {}),
    ("substr(w.s, 2, -1) = 'h'", {}),
    ("substr(w.s, w.id, 1) = 'l'", {}),  # not a literal
    ("substr(w.s, $p, 2) = 'el'", {"p": 2}),  # a parameter: a cached plan serves any value
]


@pytest.mark.parametrize(("condition", "params"), STAYS)
def test_other_substr_stays_in_duckdb(eng: fed.Engine, oracle: duckdb.DuckDBPyConnection,
                                      condition: str, params: dict[str, object]) -> None:
    plan = eng.explain(f"SELECT w.id FROM crm.w AS w WHERE {condition}", params)
    assert "substr" not in plan.fragments[0].native
    assert _ids(eng, condition, params) == _ids(oracle, condition, params)


def test_out_of_range_raises_as_in_duckdb(eng: fed.Engine,
                                          oracle: duckdb.DuckDBPyConnection) -> None:
    condition = "substr(w.s, 1, 4294967296) = ''"
    with pytest.raises(duckdb.Error, match=r"(?i)out of range|outside"):
        _ids(oracle, condition, {})
    with pytest.raises(fed.FederationError, match=r"(?i)out of range|outside"):
        _ids(eng, condition, {})
