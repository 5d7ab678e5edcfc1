"""Invalid write statements: every case of ``invalid_statements.txt`` raises
``QuerySyntaxError`` at exactly the expected line and column, with a caret snippet."""

from __future__ import annotations

from pathlib import Path

import pytest

import federation as fed
from grammar.statements import parse_statement
from tests.grammar.test_invalid import Case, load_cases

CASES = load_cases(Path(__file__).with_name("invalid_statements.txt"))


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_invalid_statement(case: Case) -> None:
    with pytest.raises(fed.QuerySyntaxError) as info:
        parse_statement(case.text)
    err = info.value
    assert (err.line, err.column) == (case.line, case.column), str(err)
    assert case.fragment in str(err)
    src, caret = err.snippet.split("\n")
    assert src == case.text.split("\n")[case.line - 1]
    assert caret == " " * (case.column - 1) + "^"


def test_valid_statements_parse() -> None:
    for text in ("INSERT INTO graph.ASSIGNED_TO (_from, _to, since) VALUES ($agent, $task, 2026)",
                 "UPDATE crm.tasks SET status = 'done' WHERE id = $task;",
                 "DELETE FROM docs.knowledge WHERE task_id = $task",
                 "insert into s.t select x.id from match g (x:A)-[:R]->(y:B), (y)-[:S]->(z:C)",
                 'UPDATE "my src"."t" SET "select" = -1.5, b = NULL'):
        parse_statement(text)
