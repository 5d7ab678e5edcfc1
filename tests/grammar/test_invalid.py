"""Invalid FQL: every case of ``invalid.txt`` raises ``QuerySyntaxError`` at exactly the expected
line and column, with a caret snippet under that column and a message naming the problem."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import federation as fed
from grammar.parser import MAX_QUERY_CHARS, parse

INVALID = Path(__file__).with_name("invalid.txt")
_HEADER = re.compile(r"^-- (name|error|xfail): ?(.*)$")


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    line: int
    column: int
    fragment: str
    xfail: str | None


def load_cases(path: Path = INVALID) -> list[Case]:
    """Split the file at ``-- name:`` lines; header lines follow the name directly."""
    cases: list[Case] = []
    current: dict[str, str] | None = None
    body: list[str] = []

    def flush() -> None:
        if current is None:
            return
        pos, _, fragment = current["error"].partition(" ")
        line, column = (int(n) for n in pos.split(":"))
        cases.append(Case(current["name"], "\n".join(body).rstrip("\n"), line, column,
                          fragment, current.get("xfail")))

    in_header = False
    for raw in path.read_text(encoding="utf-8").split("\n"):
        match = _HEADER.match(raw)
        if match and match.group(1) == "name":
            flush()
            current, body, in_header = {"name": match.group(2).strip()}, [], True
        elif match and in_header and current is not None:
            current[match.group(1)] = match.group(2).strip()
        elif current is not None:
            in_header = False
            body.append(raw)
    flush()
    return cases


CASES = load_cases()


def _param(case: Case) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.name, marks=marks)


def assert_error_at(text: str, line: int, column: int, fragment: str = "") -> fed.QuerySyntaxError:
    with pytest.raises(fed.QuerySyntaxError) as info:
        parse(text)
    err = info.value
    assert (err.line, err.column) == (line, column), str(err)
    assert fragment in str(err)
    assert f"line {line}" in str(err) and f"column {column}" in str(err)
    src, caret = err.snippet.split("\n")
    assert src == text.split("\n")[line - 1], "snippet does not show the offending line"
    assert caret == " " * (column - 1) + "^"
    assert err.snippet in str(err)
    assert isinstance(err, fed.FederationError)
    return err


def test_corpus_size_and_unique_names() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_invalid_query(case: Case) -> None:
    assert_error_at(case.text, case.line, case.column, case.fragment)


def test_expected_tokens_are_listed() -> None:
    err = assert_error_at("SELECT a.id FROM s.t a JOIN s.u b", 1, 34)
    assert "ON" in err.expected
    assert "expected ON" in err.message


def test_crlf_line_endings() -> None:
    assert_error_at("SELECT a.id\r\nFROM s.t a\r\nWHERE @", 3, 7, "'@'")


def test_tab_counts_as_one_column() -> None:
    assert_error_at("SELECT\ta.id\tFROM\ts.t a\tWHERE\t@", 1, 30, "'@'")


def test_nul_byte_is_a_syntax_error() -> None:
    assert_error_at("SELECT a.id\x00 FROM s.t a", 1, 12, "unexpected character")


def test_non_ascii_stray_character() -> None:
    assert_error_at("SELECT a.id FROM s.t a WHERE a.x = 1 ≠ 2", 1, 38, "'≠'")


def test_query_too_long() -> None:
    text = "SELECT a.id FROM s.t a WHERE " + " OR ".join(["a.id = 1"] * (MAX_QUERY_CHARS // 8))
    with pytest.raises(fed.QuerySyntaxError) as info:
        parse(text)
    assert "longer than" in str(info.value)


@pytest.mark.parametrize("text", ["SELECT a.id\rFROM s.t a WHERE @",
                                  "SELECT a.id\x0cFROM s.t a WHERE @",
                                  "SELECT 'x\u2028y' AS v FROM s.t a WHERE @"],
                         ids=["cr", "formfeed", "u2028"])
def test_snippet_with_other_line_breaks(text: str) -> None:
    with pytest.raises(fed.QuerySyntaxError) as info:
        parse(text)
    err = info.value
    assert (err.line, err.column) == (1, len(text))  # Lark: one line, '@' is the last char
    assert err.snippet == text + "\n" + " " * (len(text) - 1) + "^"


def test_end_of_query_on_a_later_line() -> None:
    err = assert_error_at("SELECT a.id\nFROM s.t a\nWHERE", 3, 6, "unexpected end of query")
    assert err.expected  # something is always expected at the end
