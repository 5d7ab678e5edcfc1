"""After ``x.`` every word is a column or table name, keywords included, as in DuckDB."""

from __future__ import annotations

from pathlib import Path

import apsw
import duckdb
import pytest

import federation as fed
from grammar.ast import Column
from grammar.parser import parse

WORDS = ["filter", "over", "set", "insert", "ilike", "escape", "qualify", "partition", "any",
         "cast", "extract", "match", "nearest", "select", "from", "date", "values", "rows"]


@pytest.mark.parametrize("word", WORDS)
def test_keyword_after_dot_is_a_name(word: str) -> None:
    q = parse(f"SELECT t.{word} FROM crm.t AS t WHERE t.{word} > 1 ORDER BY t.{word}")
    col = q.select[0].expr
    assert isinstance(col, Column) and (col.rel, col.name) == ("t", word)


def test_keyword_alone_is_still_a_keyword() -> None:
    with pytest.raises(fed.QuerySyntaxError):
        parse("SELECT filter FROM crm.t AS t")


def test_keyword_columns_answer_like_duckdb(tmp_path: Path) -> None:
    path = tmp_path / "kw.db"
    create = ('CREATE TABLE "over" (id INTEGER PRIMARY KEY, "filter" INTEGER, "set" TEXT, '
              '"match" REAL)')
    rows = [(1, 10, "a", 0.5), (2, None, "b", 1.5), (3, 30, None, 2.5)]
    con = apsw.Connection(str(path))
    con.execute(create)
    con.executemany('INSERT INTO "over" VALUES (?, ?, ?, ?)', rows)
    con.close()
    text = ("SELECT o.id, o.filter, o.set, o.match FROM crm.over AS o "
            "WHERE o.filter IS NOT NULL OR o.set = 'b' ORDER BY o.id")
    with fed.connect(cache_bytes=0) as eng:
        eng.attach("crm", fed.SQLite(str(path)))
        got = eng.query(text).to_pylist()
    oracle = duckdb.connect()
    oracle.execute(create)
    oracle.executemany('INSERT INTO "over" VALUES (?, ?, ?, ?)', rows)
    want = oracle.sql(text.replace("crm.over", '"over"')).to_arrow_table()
    assert got == want.to_pylist() and len(got) == 3
