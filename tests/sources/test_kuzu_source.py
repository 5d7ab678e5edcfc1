"""The Kuzu source against a real Kuzu database built here (no mocks), with DuckDB as the
oracle for predicate semantics (three-valued logic, NaN)."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from federation.errors import (
    BindError,
    ConfigurationError,
    ResourceLimitError,
    SourceError,
    SourceUnavailableError,
)
from federation.sources.kuzu import (
    CAPABILITIES,
    POOL_FILE_TIMES,
    POOL_MIN,
    POOL_RAM_SHARE,
    Kuzu,
    arrow_type,
    chunk_rows,
    driver,
    pool_bytes,
)
from federation.sqlgen import SqlWriter, quote
from planner.capabilities import accepts_predicate
from planner.expressions import BExpr, ColumnRef, Const, Func, ParamRef
from planner.graph_pattern import GraphEdge, GraphNode
from planner.logical import GraphMatch

HOSTILE = ["x' OR 1=1 //", "}) DETACH DELETE n //", "`) MATCH (m) DETACH DELETE m //",
           "$q", "\\'; DROP TABLE Task"]
BOOL = pa.bool_()
I64, F64, STR, DATE = pa.int64(), pa.float64(), pa.string(), pa.date32()

DDL = [
    "CREATE NODE TABLE Agent(id INT64 PRIMARY KEY, name STRING, team STRING, hired DATE, "
    "score DOUBLE, emb FLOAT[3])",
    "CREATE NODE TABLE Task(id INT64 PRIMARY KEY, title STRING, due DATE, uid UUID)",
    "CREATE REL TABLE ASSIGNED_TO(FROM Agent TO Task, since DATE, weight DOUBLE)",
    "CREATE REL TABLE DEPENDS_ON(FROM Task TO Task)",
    "CREATE NODE TABLE V(id INT64 PRIMARY KEY, x INT64, f DOUBLE, g DOUBLE, s STRING, d DATE, "
    "b BOOL)",
]
AGENTS = [(1, "ann", "core", dt.date(2020, 1, 2), 1.5, [1.0, 0.0, 0.0]),
          (2, "bob", "core", None, None, [0.0, 1.0, 0.5]),
          (3, None, "edge", dt.date(2021, 6, 30), -2.0, None)]
TASKS = [(i, t, dt.date(2024, 1, i)) for i, t in
         enumerate(["plan", "build", "test", "loop", "side", HOSTILE[1]], start=1)]
ASSIGNED = [(1, 1, dt.date(2024, 2, 1), 0.5), (1, 2, None, 1.0), (2, 2, dt.date(2024, 2, 3), None),
            (3, 4, dt.date(2024, 2, 4), 2.5)]
# a cycle 1→2→3→1, a self-loop 4→4 and a second route 1→5→3
DEPENDS = [(1, 2), (2, 3), (3, 1), (4, 4), (1, 5), (5, 3)]
NAN, INF = float("nan"), float("inf")
V_ROWS = [(1, 1, 1.0, 1.0, "a", dt.date(2020, 1, 1), True),
          (2, None, None, None, None, None, None),
          (3, 3, NAN, NAN, "B", dt.date(2021, 1, 1), False),
          (4, -5, -0.0, 0.0, "", dt.date(2019, 5, 5), True),
          (5, 7, INF, 2.5, "é", dt.date(2020, 1, 1), None),
          (6, 0, 2.5, -INF, "ab", None, False)]


def build(path: Path) -> None:
    kz = driver()
    db = kz.Database(str(path), buffer_pool_size=64 << 20, max_num_threads=1)
    con = kz.Connection(db)
    for ddl in DDL:
        con.execute(ddl)
    for agent in AGENTS:
        con.execute("CREATE (:Agent {id: $i, name: $n, team: $t, hired: $h, score: $s, "
                    "emb: CAST($e AS FLOAT[3])})", dict(zip("inthse", agent, strict=True)))
    for i, (tid, title, due) in enumerate(TASKS):
        con.execute("CREATE (:Task {id: $i, title: $t, due: $d, uid: CAST($u AS UUID)})",
                    {"i": tid, "t": title, "d": due,
                     "u": f"00000000-0000-0000-0000-00000000000{i}"})
    for src, dst, since, w in ASSIGNED:
        con.execute("MATCH (a:Agent {id: $a}), (t:Task {id: $t}) "
                    "CREATE (a)-[:ASSIGNED_TO {since: $s, weight: $w}]->(t)",
                    {"a": src, "t": dst, "s": since, "w": w})
    for src, dst in DEPENDS:
        con.execute("MATCH (a:Task {id: $a}), (b:Task {id: $b}) CREATE (a)-[:DEPENDS_ON]->(b)",
                    {"a": src, "b": dst})
    for row in V_ROWS:
        con.execute("CREATE (:V {id: $i, x: $x, f: $f, g: $g, s: $s, d: $d, b: $b})",
                    dict(zip(["i", "x", "f", "g", "s", "d", "b"], row, strict=True)))
    con.close()
    db.close()


@pytest.fixture(scope="module")
def graph_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kuzu") / "graph.kuzu"
    build(path)
    return path


@pytest.fixture(scope="module")
def src(graph_path: Path) -> Iterator[Kuzu]:
    source = Kuzu(graph_path, buffer_pool_bytes=64 << 20, threads=1)
    source.open("graph")
    yield source
    source.close()


@pytest.fixture(scope="module")
def oracle() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute("CREATE TABLE v(id BIGINT, x BIGINT, f DOUBLE, g DOUBLE, s VARCHAR, d DATE, "
                "b BOOLEAN)")
    con.executemany("INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?)", V_ROWS)
    yield con
    con.close()


# ---- helpers
def col(rel: str, name: str, t: pa.DataType = I64) -> ColumnRef:
    return ColumnRef(rel, name, t)


def fn(name: str, *args: BExpr) -> Func:
    return Func(name, args, BOOL)


def c(value: object, t: pa.DataType | None = None) -> Const:
    if t is None:
        t = {bool: BOOL, int: I64, float: F64, str: STR, dt.date: DATE}.get(type(value), pa.null())
    return Const(value, t)


def match(nodes: Sequence[tuple[str, str | None]], edges: Sequence[GraphEdge] = (),
          columns: Sequence[ColumnRef] = (), filters: Sequence[BExpr] = (),
          limit: int | None = None) -> GraphMatch:
    return GraphMatch("graph", tuple(GraphNode(r, lab) for r, lab in nodes), tuple(edges),
                      tuple(columns), tuple(filters), limit)


def run(src: Kuzu, gm: GraphMatch, params: dict[str, object] | None = None) -> pa.Table:
    return src.execute(src.compile(gm, params or {}))


def rows(table: pa.Table) -> list[tuple[Any, ...]]:
    return sorted(tuple(r.values()) for r in table.to_pylist())


def count_everything(src: Kuzu) -> tuple[int, int]:
    nodes = run(src, match([("n", None)], columns=[col("n", "id")])).num_rows
    edges = run(src, match([("a", None), ("b", None)], [GraphEdge("e", None, 0, 1, "right")],
                           [col("a", "id")])).num_rows
    return nodes, edges


# ---- catalog
def test_info_lists_node_and_rel_tables_with_arrow_types(src: Kuzu) -> None:
    info = src.info()
    assert (info.name, info.kind, info.capabilities) == ("graph", "kuzu", CAPABILITIES)
    agent = info.tables["Agent"]
    assert agent.kind == "node"
    assert dict(agent.columns) == {"id": I64, "name": STR, "team": STR, "hired": DATE,
                                   "score": F64, "emb": pa.list_(pa.float32())}
    assert dict(info.tables["Task"].columns)["uid"] == STR  # UUID is read as text
    rel = info.tables["ASSIGNED_TO"]
    assert (rel.kind, rel.endpoints) == ("rel", (("Agent", "Task"),))
    assert dict(rel.columns) == {"since": DATE, "weight": F64}
    assert info.tables["DEPENDS_ON"].columns == ()
    assert src.info() is info  # cached while nothing changed


def test_arrow_type_mapping() -> None:
    assert arrow_type("INT16") == I64 and arrow_type("SERIAL") == I64
    assert arrow_type("FLOAT") == pa.float32() and arrow_type("FLOAT[8]") == pa.list_(pa.float32())
    assert arrow_type("DOUBLE[]") == pa.list_(F64)
    assert arrow_type("STRING[]") == pa.list_(STR)
    assert arrow_type("TIMESTAMP") == pa.timestamp("us")
    assert arrow_type("DECIMAL(18, 3)") == pa.decimal128(18, 3)
    assert arrow_type("STRUCT(a INT64)") is None and arrow_type("MAP(STRING, INT64)") is None


# ---- compile
def test_compile_text_and_bound_parameters(src: Kuzu) -> None:
    gm = match([("x", "Agent"), ("t", "Task"), ("u", "Task")],
               [GraphEdge("r", "ASSIGNED_TO", 0, 1, "right"),
                GraphEdge("p", "DEPENDS_ON", 1, 2, "right", 1, 3)],
               [col("x", "id"), col("t", "title", STR), col("r", "since", DATE)],
               [fn("eq", col("x", "team", STR), ParamRef("team", STR)),
                fn("gt", col("t", "id"), c(1))], limit=5)
    compiled = src.compile(gm, {"team": "core"})
    assert compiled.native == (
        "MATCH (n0:`Agent`)-[e0:`ASSIGNED_TO`]->(n1:`Task`), (n1)-[e1:`DEPENDS_ON`*1..3]->"
        "(n2:`Task`) WHERE (n0.`team` = $p0) AND (n1.`id` > $p1) "
        "RETURN n0.`id` AS c0, n1.`title` AS c1, e0.`since` AS c2 LIMIT $p2")
    assert compiled.params == (("p0", "core"), ("p1", 1), ("p2", 5))
    assert compiled.schema == gm.columns and compiled.kind == "kuzu"
    # t = build (2); walks from 2 of 1..3 hops: 3; 1; 2 and 5
    everything = [(1, "build", None)] * 4 + [(2, "build", dt.date(2024, 2, 3))] * 4
    assert rows(run(src, replace(gm, limit=None), {"team": "core"})) == everything
    limited = rows(src.execute(compiled))
    assert len(limited) == 5 and not Counter(limited) - Counter(everything)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_are_data(src: Kuzu, hostile: str) -> None:
    before = count_everything(src)
    gm = match([("t", "Task")], columns=[col("t", "id")],
               filters=[fn("eq", col("t", "title", STR), ParamRef("q", STR))])
    compiled = src.compile(gm, {"q": hostile})
    assert hostile not in compiled.native
    expected = [(6,)] if hostile == HOSTILE[1] else []
    assert rows(src.execute(compiled)) == expected
    inlist = match([("t", "Task")], columns=[col("t", "id")],
                   filters=[fn("in", col("t", "title", STR), c(hostile), c("plan"))])
    assert rows(run(src, inlist)) == sorted([(1,), *expected])
    assert count_everything(src) == before


def test_unknown_label_and_property_give_bind_errors(src: Kuzu) -> None:
    with pytest.raises(BindError, match="did you mean 'Agent'"):
        src.compile(match([("x", "Agnet")], columns=[col("x", "id")]), {})
    with pytest.raises(BindError, match="did you mean 'DEPENDS_ON'"):
        src.compile(match([("a", "Task"), ("b", "Task")],
                          [GraphEdge("e", "DEPEND_ON", 0, 1, "right")], [col("a", "id")]), {})
    with pytest.raises(BindError, match="did you mean 'title'"):
        src.compile(match([("t", "Task")], columns=[col("t", "titel", STR)]), {})
    # Kuzu names are case-insensitive: the catalog spelling is used
    assert "(n0:`Task`)" in src.compile(match([("t", "task")], columns=[col("t", "id")]),
                                        {}).native


def test_hop_limit_is_kuzus(src: Kuzu) -> None:
    gm = match([("a", "Task"), ("b", "Task")], [GraphEdge("e", "DEPENDS_ON", 0, 1, "right", 1, 31)],
               [col("b", "id")])
    with pytest.raises(ResourceLimitError):
        src.compile(gm, {})


# ---- execute
def test_results_nulls_dates_and_vectors(src: Kuzu) -> None:
    cols = [col("a", "id"), col("a", "name", STR), col("a", "hired", DATE),
            col("a", "score", F64), col("a", "emb", pa.list_(pa.float32()))]
    table = run(src, match([("a", "Agent")], columns=cols))
    assert table.schema == pa.schema([pa.field(k.key, k.type) for k in cols])
    got = {r["a.id"]: r for r in table.to_pylist()}
    assert got[1]["a.hired"] == dt.date(2020, 1, 2) and got[1]["a.emb"] == [1.0, 0.0, 0.0]
    assert got[2]["a.hired"] is None and got[2]["a.score"] is None
    assert got[3]["a.name"] is None and got[3]["a.emb"] is None
    uid = run(src, match([("t", "Task")], columns=[col("t", "uid", STR)],
                         filters=[fn("eq", col("t", "id"), c(2))]))
    assert uid.column(0).to_pylist() == ["00000000-0000-0000-0000-000000000001"]


def test_arrow_chunks_never_exceed_the_result(graph_path: Path) -> None:
    """Kuzu sizes a chunk's buffers by the rows asked for: a small result is exported in one
    chunk of its own size (a 131 072-row chunk made 10 000 rows of strings 3x slower)."""
    kuzu = driver()
    db = kuzu.Database(str(graph_path), read_only=True)
    con = kuzu.Connection(db)
    try:
        every = con.execute("MATCH (a:Agent) RETURN a.name")
        none = con.execute("MATCH (a:Agent) WHERE a.id < 0 RETURN a.name")
        assert (chunk_rows(every), chunk_rows(none)) == (3, 1)
        assert every.get_as_arrow(chunk_rows(every)).column(0).num_chunks == 1
    finally:
        con.close()
        db.close()


def test_empty_result_has_declared_schema(src: Kuzu) -> None:
    cols = [col("a", "id"), col("a", "hired", DATE), col("a", "emb", pa.list_(pa.float32()))]
    table = run(src, match([("a", "Agent")], columns=cols,
                           filters=[fn("eq", col("a", "name", STR), c("nobody"))]))
    assert table.num_rows == 0
    assert table.schema == pa.schema([pa.field(k.key, k.type) for k in cols])


@pytest.mark.parametrize(("direction", "expected"), [
    ("right", [(1, 2), (1, 5), (2, 3), (3, 1), (4, 4), (5, 3)]),
    ("left", [(1, 3), (2, 1), (3, 2), (3, 5), (4, 4), (5, 1)]),
    # both directions of every edge: the self-loop comes back twice
    ("both", sorted([(1, 2), (1, 5), (2, 3), (3, 1), (4, 4), (5, 3),
                     (1, 3), (2, 1), (3, 2), (3, 5), (4, 4), (5, 1)])),
])
def test_directions(src: Kuzu, direction: str, expected: list[tuple[int, int]]) -> None:
    gm = match([("a", "Task"), ("b", "Task")], [GraphEdge("e", "DEPENDS_ON", 0, 1, direction)],
               [col("a", "id"), col("b", "id")])
    assert rows(run(src, gm)) == expected


def test_variable_length_is_walk_semantics(src: Kuzu) -> None:
    def reach(start: int, lo: int, hi: int) -> Counter[int]:
        gm = match([("a", "Task"), ("b", "Task")],
                   [GraphEdge("e", "DEPENDS_ON", 0, 1, "right", lo, hi)], [col("b", "id")],
                   [fn("eq", col("a", "id"), c(start))])
        return Counter(r[0] for r in rows(run(src, gm)))

    # walks from 1: 2,5 (1 hop); 3,3 (2 hops: two routes); 1,1 (3 hops: back round the cycle)
    assert reach(1, 1, 3) == Counter({2: 1, 5: 1, 3: 2, 1: 2})
    assert reach(4, 1, 5) == Counter({4: 5})  # the self-loop is walked again and again
    assert reach(1, 2, 2) == Counter({3: 2})


def test_homomorphic_matching(src: Kuzu) -> None:
    """No relationship uniqueness: two pattern edges may bind the same edge (like joins)."""
    pair = match([("a", "Task"), ("b", "Task"), ("c", "Task"), ("d", "Task")],
                 [GraphEdge("e1", "DEPENDS_ON", 0, 1, "right"),
                  GraphEdge("e2", "DEPENDS_ON", 2, 3, "right")], [col("a", "id")])
    assert run(src, pair).num_rows == len(DEPENDS) ** 2
    vee = match([("a", "Task"), ("b", "Task"), ("c", "Task")],
                [GraphEdge("e1", "DEPENDS_ON", 0, 1, "right"),
                 GraphEdge("e2", "DEPENDS_ON", 2, 1, "right")], [col("a", "id"), col("c", "id")])
    joined = Counter(b for _, b in DEPENDS)
    assert run(src, vee).num_rows == sum(n * n for n in joined.values())


def test_unlabeled_and_disconnected_nodes(src: Kuzu) -> None:
    anyone = match([("x", "Agent"), ("y", None)], [GraphEdge("e", None, 0, 1, "right")],
                   [col("x", "id")])
    assert rows(run(src, anyone)) == [(1,), (1,), (2,), (3,)]
    cross = match([("a", "Agent"), ("t", "Task")], columns=[col("a", "id"), col("t", "id")])
    assert run(src, cross).num_rows == len(AGENTS) * len(TASKS)


def test_limit_is_bound(src: Kuzu) -> None:
    gm = match([("t", "Task")], columns=[col("t", "id")], limit=2)
    compiled = src.compile(gm, {})
    assert compiled.native.endswith("LIMIT $p0") and compiled.params == (("p0", 2),)
    assert src.execute(compiled).num_rows == 2


def test_kuzu_errors_become_source_errors(src: Kuzu) -> None:
    compiled = src.compile(match([("t", "Task")], columns=[col("t", "id")]), {})
    broken = type(compiled)(compiled.source, compiled.kind, compiled.native + " ORDER BY nope",
                            (), compiled.schema)
    with pytest.raises(SourceError, match="graph") as err:
        src.execute(broken)
    assert err.value.fragment == broken.native and err.value.__cause__ is not None


def test_connections_per_thread(src: Kuzu) -> None:
    gm = match([("a", "Task"), ("b", "Task")], [GraphEdge("e", "DEPENDS_ON", 0, 1, "both", 1, 3)],
               [col("a", "id"), col("b", "id")])
    expected = rows(run(src, gm))
    results: list[list[tuple[Any, ...]]] = []
    threads = [threading.Thread(target=lambda: results.append(rows(run(src, gm))))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


# ---- predicate semantics, against DuckDB
X, F, G, S, D, B = (col("v", "x"), col("v", "f", F64), col("v", "g", F64), col("v", "s", STR),
                    col("v", "d", DATE), col("v", "b", BOOL))
NULL = Const(None, pa.null())
PREDICATES: list[BExpr] = [
    *(fn(op, X, v) for op in ("eq", "ne", "lt", "le", "gt", "ge")
      for v in (c(1), NULL, c(1.5), c(NAN), ParamRef("n", pa.null()))),
    *(fn(op, F, v) for op in ("eq", "ne", "lt", "le", "gt", "ge")
      for v in (c(1.0), c(0.0), c(-0.0), c(NAN), c(INF), c(-INF), NULL, G, c(3))),
    *(fn(op, v, F) for op in ("eq", "ne", "lt", "le", "gt", "ge")
      for v in (c(1.0), c(NAN), c(INF), ParamRef("x", F64))),
    *(fn(op, S, v) for op in ("eq", "lt", "ge") for v in (c("a"), c(""), c("é"), NULL)),
    fn("lt", D, c(dt.date(2020, 6, 1))), fn("eq", D, c(dt.date(2020, 1, 1))),
    fn("eq", B, c(True)), fn("lt", B, c(True)), B,
    fn("in", X, c(1), NULL), fn("in", X, c(1), c(3)), fn("in", X, NULL),
    fn("in", X, c(1), G), fn("in", X, c(1.0), c(7)),
    fn("in", F, c(NAN), c(1.0)), fn("in", F, c(0.0)), fn("in", F, c(INF), NULL),
    fn("in", S, c("a"), c("B")), fn("in", D, c(dt.date(2020, 1, 1))),
    fn("in", X, ParamRef("n", pa.null()), c(1)),
    fn("between", X, c(0), c(3)), fn("between", X, c(0), NULL),
    fn("between", F, c(-INF), c(NAN)), fn("between", F, c(0.0), c(2.5)),
    fn("between", S, c("a"), c("b")),
    fn("is_null", X), fn("is_not_null", F), fn("is_null", B),
    fn("or", fn("eq", X, c(1)), fn("eq", S, c("zz"))),
    fn("and", fn("gt", X, c(0)), fn("eq", B, c(True))),
]


def _negations(p: BExpr) -> list[BExpr]:
    out = [p, fn("not", p)]
    if isinstance(p, Func) and p.name in ("in", "between"):
        out.append(Func("not_" + p.name, p.args, BOOL))
    return out


@pytest.mark.parametrize("predicate", [q for p in PREDICATES for q in _negations(p)], ids=str)
def test_predicate_matches_duckdb(src: Kuzu, oracle: duckdb.DuckDBPyConnection,
                                  predicate: BExpr) -> None:
    params: dict[str, object] = {"n": None, "x": 2.5}
    gm = match([("v", "V")], columns=[col("v", "id")], filters=[predicate])
    got = sorted(run(src, gm, params).column(0).to_pylist())
    writer = SqlWriter("duckdb", params, lambda ref: quote(ref.name))
    sql = f"SELECT id FROM v WHERE {writer.expr(predicate)} ORDER BY id"
    assert got == [r[0] for r in oracle.execute(sql, writer.values).fetchall()]


# ---- LIKE, rewritten into Kuzu's string operators (cypher.like_form)
LIKE_VALUES = ["abc", "ABC", "a\nc", "ébc", "a%c", "a_c", "a\\c", "", None, "xabcx", "日本語",
               "a.c", "a+c", "100% done", "50%_off", "O'Brien", "rocket 🚀 launch", "(?s)x"]
LIKE_PATTERNS = ["ab%", "%c", "%b%", "abc", "%", "%%", "", "a_c", "a%c", "%a_%", "a.c", "_",
                 "___", "日%", "%\n%", "a\\c", "a%%c", "A%", "a\\_c", "%_%", "__%", "%.%",
                 "(?s)%", "[a]%", "a$", "a|b", "\\Q%", "%0%%", "%\\%", "%🚀_%", "O'%", None]


@pytest.fixture(scope="module")
def like_src(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kuzu]:
    source = Kuzu(tmp_path_factory.mktemp("like") / "like.kuzu", buffer_pool_bytes=64 << 20)
    source.open("graph")
    source.write("CREATE NODE TABLE W(id INT64 PRIMARY KEY, s STRING)")
    for i, value in enumerate(LIKE_VALUES):
        source.write("CREATE (:W {id: $i, s: $s})", {"i": i, "s": value})
    yield source
    source.close()


@pytest.mark.parametrize("negated", [False, True])
@pytest.mark.parametrize("pattern", LIKE_PATTERNS, ids=repr)
def test_like_matches_duckdb(like_src: Kuzu, pattern: str | None, negated: bool) -> None:
    w = col("w", "s", STR)
    for bound in (c(pattern, STR if pattern is not None else None), ParamRef("p", STR)):
        gm = match([("w", "W")], columns=[col("w", "id")],
                   filters=[fn("not_like" if negated else "like", w, bound)])
        got = sorted(run(like_src, gm, {"p": pattern}).column(0).to_pylist())
        duck = duckdb.connect()
        duck.execute("CREATE TABLE w(id BIGINT, s VARCHAR)")
        duck.executemany("INSERT INTO w VALUES (?, ?)", list(enumerate(LIKE_VALUES)))
        op = "NOT LIKE" if negated else "LIKE"
        expected = [r[0] for r in duck.execute(f"SELECT id FROM w WHERE s {op} ? ORDER BY id",
                                               [pattern]).fetchall()]
        assert got == expected, (pattern, compile_text(like_src, gm))


def compile_text(src: Kuzu, gm: GraphMatch) -> str:
    return src.compile(gm, {}).native


def test_like_capability_needs_a_bound_pattern() -> None:
    s, t = col("w", "s", STR), col("w", "t", STR)
    own = frozenset({"w.s", "w.t"})
    assert accepts_predicate(CAPABILITIES, fn("like", s, c("a%")), own)
    assert accepts_predicate(CAPABILITIES, fn("not_like", s, ParamRef("p", STR)), own)
    assert not accepts_predicate(CAPABILITIES, fn("like", s, t), own)  # computed pattern
    assert not accepts_predicate(CAPABILITIES, fn("like", X, c("1%")), frozenset({"v.x"}))
    # a literal pattern only a regex could write stays in DuckDB (Kuzu: a compile per row)
    assert not accepts_predicate(CAPABILITIES, fn("like", s, c("%a%b%")), own)
    assert not accepts_predicate(CAPABILITIES, fn("not_like", s, c("a_b")), own)
    assert accepts_predicate(CAPABILITIES, fn("like", s, c("%ab%")), own)


def test_like_is_written_with_string_operators(like_src: Kuzu) -> None:
    w = col("w", "s", STR)
    texts = {p: like_src.compile(match([("w", "W")], columns=[col("w", "id")],
                                       filters=[fn("like", w, c(p))]), {})
             for p in ("ab%", "%ab", "%ab%", "ab", "a_b%")}
    assert "STARTS WITH $p0" in texts["ab%"].native and ("p0", "ab") in texts["ab%"].params
    assert "ENDS WITH" in texts["%ab"].native and "CONTAINS" in texts["%ab%"].native
    assert "`s` = $p0" in texts["ab"].native
    assert "=~ $p0" in texts["a_b%"].native and ("p0", "(?s)a.b.*") in texts["a_b%"].params


# ---- opening, sharing, versions
# (on ladybug 0.22 this failed with a full buffer pool while each fragment was prepared
# anew; with prepared statements reused it passes)
def test_one_database_per_path(graph_path: Path, src: Kuzu, tmp_path: Path) -> None:
    link = tmp_path / "link.kuzu"
    link.symlink_to(graph_path)
    other = Kuzu(link)
    other.open("again")
    try:
        assert other.database is src.database
        assert other.info().tables.keys() == src.info().tables.keys()
    finally:
        other.close()
    assert not src.database.is_closed  # still used by ``src``
    assert count_everything(src)[0] > 0


def test_write_changes_version_of_every_source_of_the_path(tmp_path: Path) -> None:
    path = tmp_path / "new.kuzu"
    first, second = Kuzu(path), Kuzu(path)
    first.open("a")
    second.open("b")
    try:
        assert first.info().tables == {}  # a missing file in an existing directory is created
        before = second.version()
        first.write("CREATE NODE TABLE N(id INT64 PRIMARY KEY, k STRING)")
        first.write("CREATE (:N {id: $i, k: $k})", {"i": 1, "k": "v"})
        assert second.version() != before
        assert second.info().tables["N"].columns == (("id", I64), ("k", STR))
        assert rows(run(second, GraphMatch("b", (GraphNode("n", "N"),), (),
                                            (col("n", "k", STR),)))) == [("v",)]
        token = second.version()
        second.bump_version()
        assert first.version() != token
    finally:
        first.close()
        second.close()
    db = Kuzu(path)  # the last close closed the Database; a new source opens it again
    try:
        assert list(db.info().tables) == ["N"]
    finally:
        db.close()


def _corrupt(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.kuzu"
    kz = driver()
    db = kz.Database(str(path), buffer_pool_size=64 << 20, max_num_threads=1)
    con = kz.Connection(db)
    con.execute("CREATE NODE TABLE A(id INT64, s STRING, PRIMARY KEY(id))")
    con.execute("CREATE REL TABLE R(FROM A TO A)")
    con.execute("CREATE (:A {id: 1, s: 'x'})")
    con.close()
    db.close()
    with path.open("r+b") as f:  # the catalog's page
        f.seek(8192)
        f.write(b"Z" * 4096)
    return path


@pytest.mark.parametrize("make", ["missing_dir", "directory", "text", "random", "corrupt",
                                  "read_only_missing"])
def test_unopenable_paths(tmp_path: Path, make: str) -> None:
    kwargs: dict[str, Any] = {}
    path = tmp_path / "db.kuzu"
    if make == "missing_dir":
        path = tmp_path / "nope" / "db.kuzu"
    elif make == "directory":
        path.mkdir()
    elif make == "text":
        path.write_text("hello, not a database\n" * 200)
    elif make == "random":
        path.write_bytes(bytes(range(256)) * 64)
    elif make == "corrupt":
        path = _corrupt(tmp_path)
    else:
        kwargs["read_only"] = True
    source = Kuzu(path, **kwargs)
    with pytest.raises(SourceUnavailableError, match="'g'") as err:
        source.open("g")
    assert str(path) in str(err.value)
    source.close()


def test_buffer_pool_is_sized_for_the_file(tmp_path: Path) -> None:
    cap = int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") * POOL_RAM_SHARE)
    assert pool_bytes(tmp_path / "missing.kuzu") == max(min(POOL_MIN, cap), 64 << 20)
    big = tmp_path / "big.kuzu"
    with big.open("wb") as f:
        f.truncate(200 << 20)  # sparse: only the size matters
    assert pool_bytes(big) == max(min(POOL_FILE_TIMES * (200 << 20), cap), 64 << 20)
    for bad in (0, -1, True, 1.5):
        with pytest.raises(ConfigurationError):
            Kuzu(tmp_path / "g.kuzu", buffer_pool_bytes=bad)  # type: ignore[arg-type]


# ---- prepared statements
def test_prepared_statements_are_reused_bounded_and_follow_ddl(tmp_path: Path) -> None:
    source = Kuzu(tmp_path / "prep.kuzu", buffer_pool_bytes=64 << 20, threads=1)
    source.open("g")
    try:
        source.write("CREATE NODE TABLE N(id INT64 PRIMARY KEY, k INT64)")
        source.write("CREATE (:N {id: 1, k: 10}), (:N {id: 2, k: 20})")
        gm = match([("n", "N")], filters=[fn("eq", col("n", "id"), ParamRef("i", I64))],
                   columns=[col("n", "k")])
        assert [rows(run(source, gm, {"i": i})) for i in (1, 2)] == [[(10,)], [(20,)]]
        statements = source._cons.get()  # this thread's connection and statements
        assert len(statements) == 1  # one text, prepared once, run with both values
        first = statements.get(source.compile(gm, {"i": 1}).native, source.version())
        assert first is statements.get(source.compile(gm, {"i": 2}).native, source.version())
        version = source.version()
        for i in range(statements.size + 5):  # distinct texts: the oldest are dropped
            statements.get(f"RETURN {i} AS c0", version)
        assert len(statements) == statements.size
        assert first is not statements.get(source.compile(gm, {"i": 1}).native, version)
        # DDL moves the version: the cache empties and the new schema is read
        source.write("ALTER TABLE N DROP k")
        source.write("ALTER TABLE N ADD k STRING DEFAULT 'x'")
        gm_str = replace(gm, columns=(col("n", "k", STR),))
        assert rows(run(source, gm_str, {"i": 1})) == [("x",)]
        assert len(statements) == 1
        with pytest.raises(SourceError, match="Nope"):  # a failed prepare is not kept
            source.execute(replace(source.compile(gm, {"i": 1}),
                                   native="MATCH (n:Nope) RETURN n.k AS c0"))
        assert len(statements) == 1
    finally:
        source.close()
