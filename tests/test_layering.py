"""Imports flow one way (DESIGN §4): grammar → planner → federation. The planner sees sources
only through capabilities and a statistics view: no module of it imports ``federation`` (so
no adapter, no driver), and the grammar imports neither."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"planner": {"federation", "apsw", "kuzu", "lancedb", "lance", "duckdb",
                         "adbc_driver_sqlite", "adbc_driver_manager"},
             "grammar": {"federation", "planner"}}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_flow_one_way(package: str) -> None:
    modules = sorted((ROOT / package).rglob("*.py"))
    assert len(modules) > 3
    bad = {str(m.relative_to(ROOT)): sorted(_imports(m) & FORBIDDEN[package]) for m in modules}
    assert {m: names for m, names in bad.items() if names} == {}
