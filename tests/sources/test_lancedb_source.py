"""The LanceDB source against real LanceDB tables in tmp_path; DuckDB is the filter oracle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import lancedb
import numpy as np
import pyarrow as pa
import pytest

from federation.errors import SourceError, SourceUnavailableError
from federation.sources.lance_dir import table_names
from federation.sources.lancedb import CAPABILITIES, LanceDB, LanceFragment
from federation.sqlgen import SqlWriter, quote
from planner import functions
from planner.catalog import VectorColumn
from planner.errors import BindError, PlanError
from planner.expressions import BExpr, ColumnRef, Const, Func, ParamRef
from planner.logical import Scan, TableAccess, VectorSearch
from planner.types import type_of_value

N = 50
DIM = 8
TEAMS = [None, "core", "Core", "ml", "a'b", "x%y", "x_y", "back\\slash", "line\nbreak", "ünï"]
REL = "k"
BOOL = pa.bool_()
START = dt.date(2019, 12, 1)


def _table() -> pa.Table:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((N, DIM)).astype(np.float32)
    return pa.table({
        "id": pa.array(range(N), pa.int64()),
        "task_id": pa.array([None if i % 9 == 0 else i - 25 for i in range(N)], pa.int32()),
        "team": pa.array([TEAMS[i % len(TEAMS)] for i in range(N)], pa.string()),
        "created": pa.array([None if i % 11 == 4 else START + dt.timedelta(days=9 * i)
                             for i in range(N)], pa.date32()),
        "score": pa.array([None if i % 8 == 0 else (i - 25) / 4 for i in range(N)], pa.float64()),
        "f32": pa.array([0.1 if i % 6 == 0 else i / 4 for i in range(N)], pa.float32()),
        "dec": pa.array([None if i % 10 == 3 else Decimal(i) / 100 for i in range(N)],
                        pa.decimal128(10, 2)),
        "flag": pa.array([None if i % 7 == 0 else i % 2 == 0 for i in range(N)], pa.bool_()),
        "text": pa.array([f"note {i}" for i in range(N)], pa.large_string()),
        "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), DIM),
    })


@pytest.fixture(scope="module")
def data() -> pa.Table:
    return _table()


@pytest.fixture(scope="module")
def lance_dir(tmp_path_factory: pytest.TempPathFactory, data: pa.Table) -> Path:
    path = tmp_path_factory.mktemp("lance") / "docs"
    db = lancedb.connect(str(path))
    db.create_table("knowledge", data)
    weird = pa.table({"id": pa.array([1, 2, 3]), "we ird": pa.array([1, 2, 3]),
                      'dq"x': pa.array(["a", "b", None]), "select": pa.array([3, 2, 1]),
                      "Mixed": pa.array([True, False, None]), "back`tick": pa.array([0, 0, 0])})
    db.create_table("weird", weird)
    return path


@pytest.fixture(scope="module")
def src(lance_dir: Path) -> Iterator[LanceDB]:
    source = LanceDB(lance_dir)
    source.open("docs")
    yield source
    source.close()


@pytest.fixture(scope="module")
def duck(data: pa.Table) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.register("knowledge", data.drop_columns(["vector"]))
    yield con
    con.close()


# ---- plan builders
def col(name: str) -> ColumnRef:
    return ColumnRef(REL, name, _data_type(name))


def _data_type(name: str) -> pa.DataType:
    if name == "_distance":
        return pa.float32()
    typ = _table().schema.field(name).type
    return pa.string() if pa.types.is_large_string(typ) else typ


def const(value: object) -> Const:
    return Const(value, type_of_value(value))


def f(name: str, *args: BExpr) -> Func:
    return Func(name, args, BOOL)


def scan(columns: list[str], filters: tuple[BExpr, ...] = (), limit: int | None = None,
         table: str = "knowledge") -> Scan:
    return Scan("docs", (TableAccess(table, REL),), tuple(col(c) for c in columns), filters,
                limit)


def nearest(vector: BExpr, k: int, columns: list[str], filters: tuple[BExpr, ...] = ()
            ) -> VectorSearch:
    return VectorSearch("docs", "knowledge", REL, "vector", vector, k,
                        tuple(col(c) for c in columns), filters)


def ids(src: LanceDB, filters: tuple[BExpr, ...], params: dict[str, object] | None = None
        ) -> list[int]:
    out = src.execute(src.compile(scan(["id"], filters), params or {}))
    return sorted(out.column("k.id").to_pylist())


def duck_ids(duck: duckdb.DuckDBPyConnection, filters: tuple[BExpr, ...],
             params: dict[str, object] | None = None) -> list[int]:
    writer = SqlWriter("duckdb", params or {}, lambda c: quote(c.name))
    where = " AND ".join(writer.expr(e) for e in filters)
    rows = duck.execute(f"SELECT id FROM knowledge WHERE {where}", writer.values).fetchall()
    return sorted(r[0] for r in rows)


# ---- catalog
def test_info_reports_columns_vectors_and_rows(src: LanceDB) -> None:
    info = src.info()
    assert (info.name, info.kind, info.capabilities) == ("docs", "lancedb", CAPABILITIES)
    table = info.tables["knowledge"]
    types = dict(table.columns)
    assert types["text"] == pa.string()  # large_string is normalised
    assert types["task_id"] == pa.int32() and types["created"] == pa.date32()
    assert types["vector"] == pa.list_(pa.float32(), DIM)
    assert table.vectors == (VectorColumn("vector", DIM, "l2"),)
    assert table.row_count == N
    assert set(info.tables) == {"knowledge", "weird"}
    assert CAPABILITIES.joins == frozenset()


def test_missing_directory_is_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "lance"
    source = LanceDB(path)
    source.open("x")
    assert path.is_dir() and source.info().tables == {}
    assert source.version() == ()
    source.close()


def test_tables_are_listed_as_lancedb_lists_them(tmp_path: Path) -> None:
    """Reads list the directory without lancedb (``lance_dir``): the same names, whatever
    else lies there (a file or a plain directory is no table, an empty ``.lance`` one is)."""
    path = tmp_path / "db"
    db = lancedb.connect(str(path))
    for name in ("b", "a", "dropped"):
        db.create_table(name, pa.table({"id": [1]}))
    db.drop_table("dropped")
    (path / "file.lance").write_text("")
    (path / "plain").mkdir()
    (path / "empty.lance").mkdir()
    expected = sorted(db.list_tables().tables)
    assert expected == ["a", "b", "empty"]
    assert table_names(path) == expected
    source = LanceDB(path)
    source.open("x")
    assert source._table_names() == expected
    source.close()


@pytest.mark.parametrize("make", ["file", "under_file"])
def test_unusable_path_is_unavailable(tmp_path: Path, make: str) -> None:
    regular = tmp_path / "plain.txt"
    regular.write_text("not a directory")
    path = regular if make == "file" else regular / "lance"
    with pytest.raises(SourceUnavailableError):
        LanceDB(path).open("x")


def test_version_changes_on_write_by_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "db"
    other = lancedb.connect(str(path))
    table = other.create_table("t", pa.table({"id": [1, 2]}))
    source = LanceDB(path)
    source.open("x")
    before, rows_before = source.version(), source.info().tables["t"].row_count
    table.add(pa.table({"id": [3]}))
    assert source.version() != before
    assert rows_before == 2 and source.info().tables["t"].row_count == 3
    fragment = Scan("x", (TableAccess("t", "t"),), (ColumnRef("t", "id", pa.int64()),))
    out = source.execute(source.compile(fragment, {}))
    assert sorted(out.column("t.id").to_pylist()) == [1, 2, 3]
    source.close()


# ---- scans
def test_full_scan_returns_every_row(src: LanceDB, data: pa.Table) -> None:
    names = [n for n in data.column_names if n != "vector"]
    out = src.execute(src.compile(scan(names), {}))
    assert out.num_rows == N
    assert out.column_names == [f"k.{n}" for n in names]
    assert out.schema.field("k.text").type == pa.string()
    assert out.sort_by("k.id").column("k.team").to_pylist() == data.column("team").to_pylist()


def test_projection_and_vector_column(src: LanceDB, data: pa.Table) -> None:
    out = src.execute(src.compile(scan(["vector", "id"]), {}))
    assert out.column_names == ["k.vector", "k.id"]
    assert out.schema.field("k.vector").type == pa.list_(pa.float32(), DIM)
    assert out.sort_by("k.id").column("k.vector").to_pylist() == \
        data.column("vector").to_pylist()


def test_limit(src: LanceDB) -> None:
    out = src.execute(src.compile(scan(["id"], limit=7), {}))
    assert out.num_rows == 7 and set(out.column("k.id").to_pylist()) <= set(range(N))
    filtered = (f("gt", col("id"), const(40)),)
    out = src.execute(src.compile(scan(["id"], filtered, limit=5), {}))
    assert out.num_rows == 5 and min(out.column("k.id").to_pylist()) > 40


def test_empty_results_keep_the_declared_schema(src: LanceDB) -> None:
    for fragment in (scan(["id", "team", "text"], (f("eq", col("team"), const("nope")),)),
                     scan(["id", "team", "text"], limit=0)):
        out = src.execute(src.compile(fragment, {}))
        assert out.num_rows == 0
        assert out.schema == pa.schema([("k.id", pa.int64()), ("k.team", pa.string()),
                                        ("k.text", pa.string())])


def test_empty_projection_keeps_row_count(src: LanceDB) -> None:
    out = src.execute(src.compile(scan([], (f("lt", col("id"), const(10)),)), {}))
    assert out.num_columns == 0 and out.num_rows == 10


def _c(name: str) -> ColumnRef:
    return col(name)


FILTERS: list[tuple[str, tuple[BExpr, ...], dict[str, object]]] = [
    ("eq_str", (f("eq", _c("team"), const("core")),), {}),
    ("eq_case", (f("eq", _c("team"), const("CORE")),), {}),
    ("ne_str", (f("ne", _c("team"), const("core")),), {}),
    ("lt_str", (f("lt", _c("team"), const("core")),), {}),
    ("ge_str_unicode", (f("ge", _c("team"), const("m")),), {}),
    ("le_int", (f("le", _c("task_id"), const(3)),), {}),
    ("gt_int_param", (f("gt", _c("task_id"), ParamRef("p", pa.int64())),), {"p": -4}),
    ("int_vs_decimal", (f("gt", _c("task_id"), const(Decimal("2.5"))),), {}),
    ("int_eq_decimal_integral", (f("eq", _c("task_id"), const(Decimal("3.0"))),), {}),
    ("int_vs_float_param", (f("lt", _c("task_id"), ParamRef("p", pa.float64())),), {"p": -2.5}),
    ("int32_vs_huge", (f("lt", _c("task_id"), const(2 ** 40)),), {}),
    ("int_vs_min_int64", (f("gt", _c("id"), const(-(2 ** 63))),), {}),
    ("float_vs_decimal", (f("ge", _c("score"), const(Decimal("1.25"))),), {}),
    ("float_vs_int", (f("lt", _c("score"), const(-3)),), {}),
    ("float32_vs_decimal", (f("eq", _c("f32"), const(Decimal("0.1"))),), {}),
    ("float32_vs_double_param", (f("eq", _c("f32"), ParamRef("p", pa.float64())),),
     {"p": 0.1}),
    ("decimal_col", (f("gt", _c("dec"), const(Decimal("0.255"))),), {}),
    ("decimal_col_int", (f("le", _c("dec"), const(0)),), {}),
    ("decimal_col_float_param", (f("eq", _c("dec"), ParamRef("p", pa.float64())),),
     {"p": 0.3}),
    ("and_null", (f("and", f("eq", _c("team"), const("ml")), f("gt", _c("task_id"), const(0))),),
     {}),
    ("or_null", (f("or", f("eq", _c("team"), const("ml")), f("gt", _c("task_id"), const(0))),), {}),
    ("not_or", (f("not", f("or", f("eq", _c("team"), const("ml")),
                               f("gt", _c("task_id"), const(0)))),), {}),
    ("not_and", (f("not", f("and", f("eq", _c("team"), const("ml")),
                                f("gt", _c("task_id"), const(0)))),), {}),
    ("two_conjuncts", (f("is_not_null", _c("team")), f("ne", _c("flag"), const(True))), {}),
    ("is_null", (f("is_null", _c("team")),), {}),
    ("is_not_null_date", (f("is_not_null", _c("created")),), {}),
    ("in", (f("in", _c("team"), const("core"), const("ml"), const("zz")),), {}),
    ("not_in_null", (f("not_in", _c("team"), const("core"), const(None)),), {}),
    ("not_in_int", (f("not_in", _c("task_id"), const(1), const(2), const(-3)),), {}),
    ("in_mixed_decimal", (f("in", _c("task_id"), const(3), const(Decimal("2.5"))),), {}),
    ("between", (f("between", _c("task_id"), const(-5), const(5)),), {}),
    ("not_between", (f("not_between", _c("task_id"), const(-5), const(5)),), {}),
    ("between_null_bound", (f("not_between", _c("task_id"), const(None), const(5)),), {}),
    ("between_float_param", (f("between", _c("task_id"), ParamRef("a", pa.float64()),
                               const(2)),), {"a": -3.5}),
    ("like_prefix", (f("like", _c("team"), const("c%")),), {}),
    ("like_case", (f("like", _c("team"), const("C%")),), {}),
    ("not_like", (f("not_like", _c("team"), const("c%")),), {}),
    ("like_underscore", (f("like", _c("team"), const("x_y")),), {}),
    ("like_unicode", (f("like", _c("team"), const("_nï")),), {}),
    ("like_backslash", (f("like", _c("team"), const("back\\slash")),), {}),
    ("like_backslash_percent", (f("like", _c("team"), const("x\\%y")),), {}),
    ("like_newline", (f("like", _c("team"), const("%\n%")),), {}),
    ("like_column_pattern", (f("like", _c("team"), _c("team")),), {}),
    ("not_like_column_pattern", (f("not_like", _c("text"), _c("team")),), {}),
    ("like_param", (f("like", _c("team"), ParamRef("p", pa.string())),), {"p": "%'%"}),
    ("date_ge", (f("ge", _c("created"), const(dt.date(2020, 6, 1))),), {}),
    ("date_between", (f("between", _c("created"), const(dt.date(2020, 3, 1)),
                        const(dt.date(2020, 9, 1))),), {}),
    ("date_param", (f("lt", _c("created"), ParamRef("d", pa.date32())),),
     {"d": dt.date(2020, 2, 1)}),
    ("bool_eq", (f("eq", _c("flag"), const(True)),), {}),
    ("bool_column", (_c("flag"),), {}),
    ("not_bool_column", (f("not", _c("flag")),), {}),
    ("eq_null", (f("eq", _c("task_id"), const(None)),), {}),
    ("numpy_param", (f("ge", _c("task_id"), ParamRef("p", pa.int64())),), {"p": np.int32(7)}),
]


@pytest.mark.parametrize(("filters", "params"), [(c[1], c[2]) for c in FILTERS],
                         ids=[c[0] for c in FILTERS])
def test_filters_match_duckdb(src: LanceDB, duck: duckdb.DuckDBPyConnection,
                              filters: tuple[BExpr, ...], params: dict[str, object]) -> None:
    assert ids(src, filters, params) == duck_ids(duck, filters, params)


def test_every_capability_predicate_is_exercised() -> None:
    used = {e.name for _, filters, _ in FILTERS for e in filters if isinstance(e, Func)}
    used |= {"and", "or", "not"}
    # functions claimed for some argument types are proven in tests/test_function_claims.py
    operators = {p for p in CAPABILITIES.predicates
                 if functions.exact_families(p, "lance") == functions.ANY}
    assert operators <= used


def test_weird_column_names(src: LanceDB) -> None:
    def w(name: str, typ: pa.DataType) -> ColumnRef:
        return ColumnRef("w", name, typ)

    filters = (f("gt", w("we ird", pa.int64()), const(1)), f("is_not_null", w('dq"x', pa.string())),
               f("lt", w("select", pa.int64()), const(3)), f("eq", w("Mixed", BOOL), const(False)))
    fragment = Scan("docs", (TableAccess("weird", "w"),),
                    (w("id", pa.int64()), w("we ird", pa.int64()), w('dq"x', pa.string())),
                    filters)
    out = src.execute(src.compile(fragment, {}))
    assert out.to_pylist() == [{"w.id": 2, "w.we ird": 2, 'w.dq"x': "b"}]
    bad = Scan("docs", (TableAccess("weird", "w"),), (w("back`tick", pa.int64()),))
    with pytest.raises(PlanError, match="backtick"):
        src.compile(bad, {})
    with pytest.raises(PlanError):
        src.compile(Scan("docs", (TableAccess("weird", "w"),), (w("nope", pa.int64()),)), {})


HOSTILE = ["' OR 1=1 --", "x'); DROP TABLE knowledge; --", "a'b", "back\\slash", "\\", "\\'",
           "'", "''", "ünï", "x%y", "%", "_", "line\nbreak", "tab\there", "nul\x00byte",
           "`id`", '"team"', "core' OR team IS NOT NULL OR '", "\u2028", "😀"]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_stay_data(src: LanceDB, data: pa.Table, value: str) -> None:
    version = src.version()
    expected = sorted(i for i, t in enumerate(data.column("team").to_pylist()) if t == value)
    assert ids(src, (f("eq", col("team"), const(value)),)) == expected
    assert ids(src, (f("eq", col("team"), ParamRef("p", pa.string())),), {"p": value}) == expected
    assert ids(src, (f("in", col("team"), const(value), const("zz")),)) == expected
    like_expected = expected if "%" not in value and "_" not in value else None
    if like_expected is not None:
        assert ids(src, (f("like", col("team"), const(value)),)) == like_expected
    assert src.version() == version
    assert src.info().tables["knowledge"].row_count == N


def test_bad_values_are_rejected(src: LanceDB) -> None:
    # NaN has no order in DuckDB's comparisons that a Lance filter could reproduce; ±inf
    # compare as ordinary values there and are accepted (issue 7, item 14)
    with pytest.raises(BindError, match="NaN"):
        src.compile(scan(["id"], (f("gt", col("score"), ParamRef("p", pa.float64())),)),
                    {"p": float("nan")})
    for value in (float("inf"), float("-inf")):
        src.compile(scan(["id"], (f("gt", col("score"), ParamRef("p", pa.float64())),)),
                    {"p": value})
    with pytest.raises(BindError, match="UTF-8"):
        src.compile(scan(["id"], (f("eq", col("team"), const("\ud800")),)), {})
    with pytest.raises(BindError, match="no value"):
        src.compile(scan(["id"], (f("eq", col("team"), ParamRef("missing", pa.string())),)), {})
    with pytest.raises(BindError):
        src.compile(scan(["id"], (f("eq", col("team"), const(object())),)), {})


# ---- vector search
def _numpy_top_k(data: pa.Table, query: np.ndarray, k: int, keep: np.ndarray | None = None
                 ) -> tuple[list[int], np.ndarray]:
    vectors = np.stack(data.column("vector").to_numpy(zero_copy_only=False)).astype(np.float32)
    dist = ((vectors - query.astype(np.float32)) ** 2).sum(axis=1)  # squared L2
    order = [i for i in np.argsort(dist, kind="stable") if keep is None or keep[i]][:k]
    return order, dist[order]


def test_nearest_is_exact_squared_l2(src: LanceDB, data: pa.Table) -> None:
    query = np.random.default_rng(3).standard_normal(DIM)
    fragment = nearest(ParamRef("q", pa.list_(pa.float32())), 10, ["id", "_distance"])
    compiled = src.compile(fragment, {"q": query.tolist()})
    assert isinstance(compiled, LanceFragment) and compiled.k == 10
    assert compiled.native.startswith("knowledge.nearest(vector[8] -> vector, k=10, exact)")
    out = src.execute(compiled)
    assert out.schema == pa.schema([("k.id", pa.int64()), ("k._distance", pa.float32())])
    expected_ids, expected_dist = _numpy_top_k(data, query, 10)
    assert out.column("k.id").to_pylist() == expected_ids
    np.testing.assert_allclose(out.column("k._distance").to_numpy(), expected_dist, atol=1e-5)


def test_nearest_with_prefilter(src: LanceDB, data: pa.Table) -> None:
    query = np.random.default_rng(4).standard_normal(DIM).astype(np.float32)
    filters = (f("in", col("team"), const("core"), const("ml"), const("ünï")),)
    fragment = nearest(const(tuple(query.tolist())), 8, ["_distance", "team", "id"], filters)
    compiled = src.compile(fragment, {})
    assert "prefilter=True" in compiled.native
    out = src.execute(compiled)
    keep = np.array([t in ("core", "ml", "ünï") for t in data.column("team").to_pylist()])
    expected_ids, expected_dist = _numpy_top_k(data, query, 8, keep)
    assert out.column("k.id").to_pylist() == expected_ids
    np.testing.assert_allclose(out.column("k._distance").to_numpy(), expected_dist, atol=1e-5)
    assert set(out.column("k.team").to_pylist()) <= {"core", "ml", "ünï"}


def test_nearest_exact_flag_and_numpy_vector(lance_dir: Path, data: pa.Table) -> None:
    source = LanceDB(lance_dir, exact_search=True)
    source.open("docs")
    query = np.linspace(-1, 1, DIM)
    compiled = source.compile(nearest(ParamRef("q", pa.list_(pa.float32())), 5, ["id"]),
                              {"q": query})
    assert ", k=5, exact)" in compiled.native
    out = source.execute(compiled)
    assert out.column_names == ["k.id"]
    assert out.column("k.id").to_pylist() == _numpy_top_k(data, query, 5)[0]
    assert source.execute(source.compile(nearest(const([0.0] * DIM), 0, ["id"]), {})).num_rows \
        == 0
    only_distance = source.execute(source.compile(nearest(const(query.tolist()), 3,
                                                          ["_distance"]), {}))
    assert only_distance.column_names == ["k._distance"] and only_distance.num_rows == 3
    source.close()


@pytest.mark.parametrize("vector", [[1.0] * (DIM - 1), [1.0] * (DIM + 1), [[1.0] * DIM],
                                    [float("nan")] + [0.0] * (DIM - 1), ["a"] * DIM, "abc",
                                    [True] * DIM, [1e40] * DIM, 3.0])
def test_bad_query_vectors(src: LanceDB, vector: object) -> None:
    with pytest.raises(BindError):
        src.compile(nearest(ParamRef("q", pa.list_(pa.float32())), 5, ["id"]), {"q": vector})


def test_source_errors_are_wrapped(tmp_path: Path) -> None:
    path = tmp_path / "db"
    other = lancedb.connect(str(path))
    other.create_table("t", pa.table({"id": [1, 2]}))
    source = LanceDB(path)
    source.open("x")
    compiled = source.compile(Scan("x", (TableAccess("t", "t"),),
                                   (ColumnRef("t", "id", pa.int64()),)), {})
    other.drop_table("t")
    with pytest.raises(SourceError) as info:
        source.execute(compiled)
    assert info.value.source == "x" and info.value.fragment == compiled.native
    assert info.value.__cause__ is not None
    source.close()
