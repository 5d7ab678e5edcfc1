"""Each rewrite rule against its fixture of before/after plans, and DuckDB as the oracle:
a plan rewritten by one rule must return the same rows as the plan it came from.

Regenerate the expected plans with ``UPDATE_GOLDEN=1 pytest tests/rules`` after a deliberate
change, then review the diff.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import federation as fed
from grammar.parser import parse
from planner.binder import Binder
from planner.explain import plan_tree
from planner.optimizer import optimize
from planner.rules import RULES
from tests.differential.compare import assert_same_result
from tests.differential.dataset import build

FIXTURES = Path(__file__).with_name("fixtures")
RULE_BY_NAME = {rule.__name__: rule for rule in RULES}
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@dataclass
class Case:
    rule: str
    name: str
    query: str
    before: str
    after: str


def _sections(block: str) -> dict[str, str]:
    sections: dict[str, list[str]] = {"query": []}
    current = "query"
    for line in block.splitlines():
        if line in ("-- before:", "-- after:"):
            current = line[3:-1]
            sections[current] = []
        else:
            sections[current].append(line)
    return {k: "\n".join(v).strip() for k, v in sections.items()}


def load_cases() -> Iterator[Case]:
    for path in sorted(FIXTURES.glob("*.txt")):
        for block in path.read_text().split("-- name: ")[1:]:
            name, _, rest = block.partition("\n")
            parts = _sections(rest)
            yield Case(path.stem, name.strip(), parts["query"], parts.get("before", ""),
                       parts.get("after", ""))


def write_cases(rule: str, cases: list[Case]) -> None:
    text = "".join(f"-- name: {c.name}\n{c.query}\n-- before:\n{c.before}\n-- after:\n"
                   f"{c.after}\n" for c in cases)
    (FIXTURES / f"{rule}.txt").write_text(text)


CASES = list(load_cases())


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, fed.Engine]]:
    path = tmp_path_factory.mktemp("rules") / "crm.db"
    oracle = build(path)
    oracle.close()
    engines = {"none": fed.connect(rules=())}
    engines.update({name: fed.connect(rules=(rule,)) for name, rule in RULE_BY_NAME.items()})
    for eng in engines.values():
        eng.attach("crm", fed.SQLite(path))
    yield engines
    for eng in engines.values():
        eng.close()


def test_every_rule_has_fixtures() -> None:
    assert {c.rule for c in CASES} == set(RULE_BY_NAME)
    assert all(sum(c.rule == r for c in CASES) >= 4 for r in RULE_BY_NAME)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule}:{c.name}")
def test_rule_fixture(case: Case, engines: dict[str, fed.Engine]) -> None:
    catalog = engines["none"].catalog()
    bound = Binder(catalog, {}).bind_statement(parse(case.query))
    rewritten = optimize(bound, catalog, (RULE_BY_NAME[case.rule],))
    before, after = "\n".join(plan_tree(bound)), "\n".join(plan_tree(rewritten))
    if UPDATE:
        case.before, case.after = before, after
        write_cases(case.rule, [c for c in CASES if c.rule == case.rule])
    assert before == case.before
    assert after == case.after
    assert rewritten.schema == bound.schema


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule}:{c.name}")
def test_rule_preserves_rows(case: Case, engines: dict[str, fed.Engine]) -> None:
    expected = engines["none"].query(case.query).arrow()
    actual = engines[case.rule].query(case.query).arrow()
    assert_same_result(actual, expected, ordered=False)
