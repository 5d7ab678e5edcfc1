"""One set of stores and one engine per test module (opening the stores costs about a second:
Kuzu's file is probed in a child process); each test writes its own range of ids."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

import federation as fed
from tests.writes.stores import attach, make_stores

_BASES = itertools.count(1)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stores")
    make_stores(path)
    return path


@pytest.fixture(scope="module")
def eng(root: Path) -> Iterator[fed.Engine]:
    with attach(fed.connect(), root) as engine:
        yield engine


@pytest.fixture
def base() -> int:
    """First id of this test's own rows (ids 1..3 are the stores' initial rows)."""
    return 1000 * next(_BASES)
