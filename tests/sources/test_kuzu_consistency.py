"""A Kuzu file with an overwritten page (issue 7, item 15). Kuzu keeps no page checksums, so
such a file opens and its pages read as data; the check at attach (``kuzu_db._probe``, in a
child process) reads every small table once and requires unique primary keys, which turns
the cases below into ``SourceUnavailableError`` instead of scrambled rows or a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import federation as fed
from federation.sources import kuzu_db
from federation.sources.kuzu_db import driver

NODES = 20_000
GARBAGE = bytes((i * 37 + 11) % 256 for i in range(4096))


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("consistency") / "g.kuzu"
    kz = driver()
    db = kz.Database(str(path), buffer_pool_size=64 << 20, max_num_threads=1)
    con = kz.Connection(db)
    con.execute("CREATE NODE TABLE P(id INT64 PRIMARY KEY, name STRING, score DOUBLE)")
    con.execute("CREATE REL TABLE K(FROM P TO P, w INT64)")
    con.execute("UNWIND range(0, $n) AS i CREATE (:P {id: i, name: 'n' + CAST(i AS STRING), "
                "score: CAST(i AS DOUBLE) / 3.0})", {"n": NODES - 1})
    con.execute("MATCH (a:P), (b:P) WHERE b.id = a.id + 1 AND a.id < 3000 "
                "CREATE (a)-[:K {w: a.id}]->(b)")
    con.close()
    db.close()
    return path


def _overwritten(clean: Path, tmp_path: Path, page: int) -> Path:
    path = tmp_path / f"page{page}.kuzu"
    shutil.copy(clean, path)
    with path.open("r+b") as f:
        f.seek(page * len(GARBAGE))
        f.write(GARBAGE)
    return path


def _attach(path: Path) -> str:
    source = fed.Kuzu(path, read_only=True)
    try:
        source.open("g")
        return "attached"
    except fed.SourceUnavailableError as err:
        assert err.source == "g"
        return str(err)
    finally:
        source.close()


def test_a_clean_file_attaches(clean: Path) -> None:
    with fed.connect() as eng:
        eng.attach("g", fed.Kuzu(clean, read_only=True))
        assert eng.query("SELECT count(*) AS c FROM MATCH g (n:P)").to_pylist() == \
            [{"c": NODES}]


def test_overwritten_pages_of_small_tables_are_refused_at_attach(clean: Path,
                                                                 tmp_path: Path) -> None:
    """The first pages after the header hold the primary-key column: overwritten, its values
    repeat, and the check finds fewer distinct keys than nodes."""
    outcomes = {page: _attach(_overwritten(clean, tmp_path, page)) for page in range(2, 12)}
    assert any("distinct values of its primary key id" in o for o in outcomes.values()), \
        outcomes


def test_large_tables_are_not_read_at_attach(clean: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Above CHECK_MAX_ROWS a table is only counted (attach stays fast on big graphs), so
    the same overwritten pages then go unnoticed: what the docs say."""
    pages = {page: _overwritten(clean, tmp_path, page) for page in range(2, 12)}
    refused = [p for p, path in pages.items() if "primary key" in _attach(path)]
    assert refused
    monkeypatch.setattr(kuzu_db, "CHECK_MAX_ROWS", NODES - 1)
    again = tmp_path / "again"
    again.mkdir()
    assert _attach(Path(shutil.copy(pages[refused[0]], again / "g.kuzu"))) == "attached"
