"""Golden tests for valid FQL: every ``valid/*.fql`` parses to the AST dumped in
``valid_expected/*.txt``.

The dump is an indented, deterministic rendering of the frozen AST dataclasses that *includes*
each node's ``@line:column`` (positions are part of the contract even though they are excluded
from equality). Regenerate after an intended change with::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/grammar/test_valid.py

and review the diff. By default a mismatch fails.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from grammar import ast
from grammar.parser import parse

HERE = Path(__file__).parent
VALID = HERE / "valid"
EXPECTED = HERE / "valid_expected"
CASES = sorted(VALID.glob("*.fql"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def dump(value: object, indent: int = 0) -> list[str]:
    """Lines of an indented rendering; scalars inline, nodes and tuples nested."""
    pad = "  " * indent
    if isinstance(value, ast.Node):
        fields = [f for f in dataclasses.fields(value) if f.name not in ("line", "column")]
        scalars = [f"{f.name}={getattr(value, f.name)!r}" for f in fields
                   if _is_scalar(getattr(value, f.name))]
        head = f"{pad}{type(value).__name__} @{value.line}:{value.column}"
        lines = [" ".join([head, *scalars])]
        for f in fields:
            child = getattr(value, f.name)
            if not _is_scalar(child):
                lines.append(f"{pad}  {f.name}:")
                lines += dump(child, indent + 2)
        return lines
    if isinstance(value, tuple) and not _is_scalar(value):
        lines = []
        for item in value:
            if isinstance(item, tuple):
                lines.append(f"{pad}-")
                lines += dump(item, indent + 1)
            else:
                lines += dump(item, indent)
        return lines
    return [f"{pad}{value!r}"]


def _is_scalar(value: object) -> bool:
    if isinstance(value, ast.Node):
        return False
    if isinstance(value, tuple):
        return all(_is_scalar(v) for v in value)
    return True


def render(text: str) -> str:
    return "\n".join(dump(parse(text))) + "\n"


def test_corpus_is_large_and_complete() -> None:
    assert len(CASES) >= 60
    goldens = {p.stem for p in EXPECTED.glob("*.txt")}
    if not UPDATE:
        assert goldens == {p.stem for p in CASES}, "orphan or missing golden files"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_valid_query_matches_golden(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    got = render(text)
    golden = EXPECTED / f"{path.stem}.txt"
    if UPDATE:
        EXPECTED.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
        return
    assert golden.exists(), f"no golden for {path.name}; run with UPDATE_GOLDEN=1"
    assert got == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_valid_query_is_deterministic_and_hashable(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    first, second = parse(text), parse(text)
    assert first == second and hash(first) == hash(second)
    assert repr(first) == repr(second)


def test_dump_shows_positions() -> None:
    lines = dump(parse("SELECT a.x\nFROM s.t a"))
    assert lines[0].startswith("Query @1:1 ")
    assert "    TableRef @2:6 source='s' table='t' alias='a'" in lines


def test_keyword_case_does_not_matter() -> None:
    lower = parse("select distinct a.x from s.t a where a.x is not null order by a.x desc limit 1")
    upper = parse("SELECT DISTINCT a.x FROM s.t a WHERE a.x IS NOT NULL ORDER BY a.x DESC LIMIT 1")
    assert lower == upper


def test_match_then_comma_relation_in_from_list() -> None:
    """MATCH as the last item of a comma list works (the corpus relies on this form)."""
    query = parse("SELECT t.id FROM crm.tasks x, MATCH g (t:Task)")
    assert [type(r).__name__ for r in query.from_] == ["TableRef", "MatchRef"]


def test_match_followed_by_comma_relation() -> None:
    query = parse("SELECT t.id FROM MATCH g (t:Task), crm.tasks x WHERE x.id = t.id")
    assert [type(r).__name__ for r in query.from_] == ["MatchRef", "TableRef"]


def _nodes(value: object) -> list[ast.Node]:
    if isinstance(value, ast.Node):
        found = [value]
        for f in dataclasses.fields(value):
            found += _nodes(getattr(value, f.name))
        return found
    if isinstance(value, tuple):
        return [n for item in value for n in _nodes(item)]
    return []


def test_nodes_with_a_named_first_token_have_positions() -> None:
    for path in CASES:
        if True:
            missing = [n for n in _nodes(parse(path.read_text())) if n.line < 1 or n.column < 1]
            assert not missing, f"{path.name}: {missing[:3]}"


def test_anonymous_node_patterns_have_positions() -> None:
    query = parse("SELECT b.id FROM MATCH g ()-[]->(b), (:Label)-[:R]-()")
    missing = [type(n).__name__ for n in _nodes(query) if n.line < 1 or n.column < 1]
    assert not missing
