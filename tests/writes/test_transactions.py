"""Cross-store transactions: commit and rollback on all three stores, an error injected at
every step of the commit protocol (``transaction.FAULT``, the test hook), and the result
cache around engine writes and inside a transaction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import apsw
import pytest

import federation as fed
from federation.writes import journal, transaction
from federation.writes.recovery import recover
from tests.writes.stores import TARGETS, attach

STEPS_BEFORE = ["write:s", "write:g", "write:v", "mark:s", "mark:g", "decide"]
STEPS_AFTER = ["commit:s", "commit:g", "finish"]


@pytest.fixture(scope="module")
def weng(root: Path) -> Iterator[fed.Engine]:
    """An engine with a workspace: its journal is on disk."""
    with attach(fed.connect(root / "ws"), root) as engine:
        yield engine


def present(eng: fed.Engine, id_: int) -> dict[str, bool]:
    return {store: eng.query(f"SELECT t.id FROM {t} AS t WHERE t.id = $i",
                             {"i": id_}).arrow().num_rows == 1
            for store, t in TARGETS.items()}


def write_all(eng: fed.Engine, id_: int) -> None:
    for target in TARGETS.values():
        eng.insert(target, [{"id": id_, "name": "t", "n": id_}])


def test_commit_writes_every_store(weng: fed.Engine, base: int) -> None:
    with weng.transaction():
        write_all(weng, base)
    assert present(weng, base) == dict.fromkeys(TARGETS, True)


def test_an_error_in_the_block_rolls_every_store_back(weng: fed.Engine, base: int) -> None:
    lance = weng.sources["v"].writer()
    start = lance.version("items")
    with pytest.raises(KeyError), weng.transaction():
        write_all(weng, base)
        raise KeyError("the application failed")
    assert present(weng, base) == dict.fromkeys(TARGETS, False)
    assert lance.version("items") > start  # restored as a new version with the old rows


def test_a_failing_write_names_its_source_and_statement(weng: fed.Engine, base: int) -> None:
    with pytest.raises(fed.TransactionError) as info, weng.transaction():
        write_all(weng, base)
        weng.execute("INSERT INTO g.LINK (_from, _to) VALUES ($a, -5)", {"a": base})
    assert info.value.source == "g"
    assert "INSERT INTO g.LINK" in info.value.statement
    assert present(weng, base) == dict.fromkeys(TARGETS, False)


@pytest.fixture
def fault() -> Iterator[list[str]]:
    """Steps seen; a test sets ``fault.fail`` to the step that raises (once)."""
    seen: list[str] = []
    yield seen
    transaction.FAULT = None


def inject(seen: list[str], failing: str) -> None:
    def hook(step: str) -> None:
        seen.append(step)
        if step == failing and seen.count(step) == 1:
            raise RuntimeError(f"injected at {step}")
    transaction.FAULT = hook


@pytest.mark.parametrize("step", STEPS_BEFORE)
def test_a_fault_before_the_decision_rolls_back_everywhere(weng: fed.Engine, base: int,
                                                           fault: list[str], step: str) -> None:
    inject(fault, step)
    with pytest.raises(fed.TransactionError, match="injected") as info, weng.transaction():
        write_all(weng, base)
    assert step in fault
    assert info.value.source == {"decide": "(journal)"}.get(step, step.split(":")[-1])
    transaction.FAULT = None
    assert present(weng, base) == dict.fromkeys(TARGETS, False)
    assert not weng._journal.pending()


@pytest.mark.parametrize("step", STEPS_AFTER)
def test_a_fault_after_the_decision_completes_everywhere(weng: fed.Engine, base: int,
                                                         fault: list[str], step: str) -> None:
    inject(fault, step)
    with weng.transaction():
        write_all(weng, base)
    assert step in fault
    transaction.FAULT = None
    if step == "finish":  # the journal still says "commit": recovery finds every marker
        assert [p.state for p in weng._journal.pending()] == ["commit"]
        assert recover(weng._journal) == 1
    assert present(weng, base) == dict.fromkeys(TARGETS, True)
    assert not weng._journal.pending()


def test_every_commit_step_is_covered(weng: fed.Engine, base: int, fault: list[str]) -> None:
    inject(fault, "")
    with weng.transaction():
        write_all(weng, base)
    assert [s for s in fault if s != "write:v"] == [*STEPS_BEFORE[:2], *STEPS_BEFORE[3:],
                                                    *STEPS_AFTER]


def test_transactions_do_not_nest(weng: fed.Engine) -> None:
    with pytest.raises(fed.TransactionError, match="nest"), weng.transaction(), \
            weng.transaction():
        pass


# ---- the result cache
QUERIES = {store: f"SELECT t.id FROM {t} AS t WHERE t.id >= $lo" for store, t in TARGETS.items()}


@pytest.mark.parametrize("store", list(TARGETS))
def test_engine_writes_move_the_cache_token(weng: fed.Engine, base: int, store: str) -> None:
    query, params = QUERIES[store], {"lo": base}
    assert weng.query(query, params).to_pylist() == []
    import time
    time.sleep(0.06)  # LanceDB's file stamps are trusted once 50 ms old (docs/cache.md)
    assert weng.query(query, params).plan.cache == "hit"
    weng.insert(TARGETS[store], [{"id": base, "name": "c", "n": 1}])
    again = weng.query(query, params)
    assert again.plan.cache.startswith("miss")
    assert again.to_pylist() == [{"id": base}]
    assert weng.execute(f"DELETE FROM {TARGETS[store]} WHERE id = $i", {"i": base}) == 1
    assert weng.query(query, params).to_pylist() == []


def test_reads_inside_a_transaction_bypass_the_cache(weng: fed.Engine, base: int) -> None:
    query, params = QUERIES["lancedb"], {"lo": base}
    weng.query(query, params)
    before = weng.cache.info()
    with weng.transaction():
        weng.insert("v.items", [{"id": base, "name": "c", "n": 1}])
        inside = weng.query(query, params)
        assert inside.plan.cache == "not used: inside a transaction"
        assert inside.to_pylist() == [{"id": base}]  # LanceDB: its own writes are seen
        assert weng.query(QUERIES["sqlite"], params).plan.cache.startswith("not used")
    after = weng.cache.info()
    assert (after["hits"], after["misses"], after["entries"]) == \
        (before["hits"], before["misses"], before["entries"])
    assert weng.query(query, params).to_pylist() == [{"id": base}]


# ---- the journal and the stores' markers stay bounded
def test_finished_transactions_are_pruned(weng: fed.Engine, root: Path, base: int,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal, "PRUNE_AT", 3)
    mine = []
    for i in range(12):
        with weng.transaction() as txn:
            write_all(weng, base + i)
        mine.append(txn.id)
    sizes = weng._journal.sizes()
    assert sizes["txns"] <= 3 and sizes["marks"] <= 2 * 3, sizes
    assert sizes["parts"] == sizes["lance"] == 0
    con = apsw.Connection(f"file:{root / 'crm.db'}?mode=ro",
                          flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI)
    sqlite_marks = {r[0] for r in con.execute("SELECT id FROM _fed_txn").fetchall()}
    con.close()
    kuzu_marks = {r[0] for r in weng.sources["g"].writer()._cypher(  # type: ignore[attr-defined]
        "MATCH (m:_FedTxn) RETURN m.id")}
    assert 1 <= len(sqlite_marks & set(mine)) <= 3
    assert len(kuzu_marks & set(mine)) == len(sqlite_marks & set(mine))
    assert mine[-1] in sqlite_marks  # the last one's marker: its "done" is not yet synced
    assert all(present(weng, base + i) == dict.fromkeys(TARGETS, True) for i in range(12))
