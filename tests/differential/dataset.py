"""Deterministic TPC-H-flavoured dataset plus an agents/tasks app domain.

The same rows are written into a SQLite file (through apsw, the engine's source) and into an
in-memory DuckDB database (schema ``crm``, the differential oracle).  No downloads: every row
comes from ``random.Random(seed)``.

SQLite declared types: INTEGER, REAL, TEXT, DATE (ISO 'YYYY-MM-DD' text), BOOLEAN (0/1).
DuckDB types: BIGINT, DOUBLE, VARCHAR, DATE, BOOLEAN.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import apsw
import duckdb
import pyarrow as pa

SEED = 20240607
Row = tuple[Any, ...]

# kind -> (SQLite declared type, DuckDB type, Arrow type)
KINDS: dict[str, tuple[str, str, pa.DataType]] = {
    "int": ("INTEGER", "BIGINT", pa.int64()),
    "real": ("REAL", "DOUBLE", pa.float64()),
    "text": ("TEXT", "VARCHAR", pa.string()),
    "date": ("DATE", "DATE", pa.date32()),
    "bool": ("BOOLEAN", "BOOLEAN", pa.bool_()),
}


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column name, kind)
    rows: list[Row]

    def arrow(self) -> pa.Table:
        schema = pa.schema([(c, KINDS[k][2]) for c, k in self.columns])
        cols = list(zip(*self.rows, strict=True)) if self.rows else [()] * len(self.columns)
        return pa.Table.from_arrays([pa.array(v, t) for v, t in zip(cols, schema.types,
                                                                      strict=True)],
                                    schema=schema)


def _cols(spec: str) -> tuple[tuple[str, str], ...]:
    pairs = (p.split(":") for p in spec.split())
    return tuple((name, kind) for name, kind in pairs)


REGIONS = ["AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"]
NATIONS = [
    ("ALGERIA", 0), ("ARGENTINA", 1), ("BRAZIL", 1), ("CANADA", 1), ("EGYPT", 4),
    ("ETHIOPIA", 0), ("FRANCE", 3), ("GERMANY", 3), ("INDIA", 2), ("INDONESIA", 2),
    ("IRAN", 4), ("IRAQ", 4), ("JAPAN", 2), ("JORDAN", 4), ("KENYA", 0), ("MOROCCO", 0),
    ("MOZAMBIQUE", 0), ("PERU", 1), ("CHINA", 2), ("ROMANIA", 3), ("SAUDI ARABIA", 4),
    ("VIETNAM", 2), ("RUSSIA", 3), ("UNITED KINGDOM", 3), ("UNITED STATES", 1),
    ("Côte d'Ivoire", 0), ("ATLANTIS", None),  # no customers, no suppliers; one without region
]
SEGMENTS = ["AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY"]
PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"]
SHIPMODES = ["REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"]
INSTRUCT = ["DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"]
COLORS = ["almond", "antique", "aquamarine", "azure", "beige", "bisque", "black", "blanched",
          "blue", "blush", "brown", "burlywood", "chartreuse", "chiffon", "chocolate", "coral",
          "cornflower", "cream", "cyan", "dark", "deep", "dim", "dodger", "drab", "firebrick",
          "forest", "frosted", "gainsboro", "ghost", "goldenrod", "green", "grey", "honeydew"]
TYPE1 = ["STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"]
TYPE2 = ["ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"]
TYPE3 = ["TIN", "NICKEL", "BRASS", "STEEL", "COPPER"]
CONTAINERS = ["SM CASE", "SM BOX", "MED BAG", "MED BOX", "LG CASE", "LG PACK", "JUMBO JAR",
              "WRAP DRUM"]
WORDS = ["furiously", "special", "requests", "carefully", "final", "deposits", "pending",
         "ironic", "packages", "blithely", "regular", "accounts", "quickly", "express",
         "theodolites", "bold", "foxes", "Customer", "Complaints", "sly", "dolphins"]
ODD_COMMENTS = ["O'Reilly said: it's 50% done", "under_score_here", "100%", "", "  spaced  ",
                "naïve café — ünïcödé", "MiXeD CaSe", "semi;colon -- not a comment", "李雷 ok"]
SPECIAL_AGENTS = ["O'Brien", "Zoë Ångström", "José Núñez", "李雷", "ÉMILE", "émile", "mcDonald",
                  "McDonald", "50% Bob", "under_score", "", "  padded  ", "Ab", "ab", "aB",
                  "Robert'); DROP TABLE agents;--", 'say "hi"', "Ümit", "x_y%z"]
FIRST = ["Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy",
         "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter"]
LAST = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Evans", "Thomas", "Roberts", "Lee"]
TEAMS = ["core", "core", "core", "infra", "infra", "ml", "ml", "data_eng", "Core", "search",
         None, ""]
STATUSES = ["pending", "pending", "done", "done", "done", "in_progress", "blocked", "Pending",
            None]
TITLES = ["Fix bug #{n}", "Review 50% of PR {n}", "refactor_module_{n}", "Écrire la doc {n}",
          "Deploy v{n}", "Write 'quoted' spec {n}", "100%_ready {n}", "migrate DB {n}",
          "MIGRATE db {n}", "Triage issue {n}", "Benchmark run {n}"]


def _day(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randrange((hi - lo).days + 1))


def _maybe(rng: random.Random, value: Any, p_null: float) -> Any:
    return None if rng.random() < p_null else value


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _comment(rng: random.Random, p_null: float = 0.03) -> str | None:
    if rng.random() < 0.04:
        return rng.choice(ODD_COMMENTS)
    return _maybe(rng, _words(rng, rng.randint(2, 6)), p_null)


def _money(rng: random.Random, lo: float, hi: float) -> float:
    return round(rng.uniform(lo, hi), 2)


def _phone(rng: random.Random, nation: int) -> str:
    a, b, c = rng.randint(100, 999), rng.randint(100, 999), rng.randint(1000, 9999)
    return f"{10 + nation}-{a}-{b}-{c}"


def _tpch(rng: random.Random, n_orders: int) -> list[Table]:
    region = [(i, r, _comment(rng, 0.2)) for i, r in enumerate(REGIONS)]
    nation = [(i, n, r, _comment(rng, 0.1)) for i, (n, r) in enumerate(NATIONS)]
    supplier = []
    for k in range(1, 61):
        nk = rng.randrange(25)
        supplier.append((k, f"Supplier#{k:09d}", _words(rng, 2), nk, _phone(rng, nk),
                         _money(rng, -999.99, 9999.99), _comment(rng, 0.05)))
    part = []
    for k in range(1, 401):
        price = round((90000 + (k // 10) % 20001 + 100 * (k % 1000)) / 100, 2)
        part.append((k, " ".join(rng.sample(COLORS, 5)), f"Manufacturer#{rng.randint(1, 5)}",
                     f"Brand#{rng.randint(1, 5)}{rng.randint(1, 5)}",
                     f"{rng.choice(TYPE1)} {rng.choice(TYPE2)} {rng.choice(TYPE3)}",
                     rng.randint(1, 50), _maybe(rng, rng.choice(CONTAINERS), 0.02), price,
                     _comment(rng, 0.05)))
    customer = []
    for k in range(1, 751):
        nk = rng.randrange(25)
        customer.append((k, f"Customer#{k:09d}", _words(rng, 2), nk,
                         _maybe(rng, _phone(rng, nk), 0.03),
                         _maybe(rng, _money(rng, -999.99, 9999.99), 0.02),
                         _maybe(rng, rng.choice(SEGMENTS), 0.03), _comment(rng)))
    buyers = [k for k in range(1, 751) if k % 3 != 0]
    cut = dt.date(1995, 6, 17)
    orders, lineitem = [], []
    for ok in range(1, n_orders + 1):
        odate = _day(rng, dt.date(1992, 1, 1), dt.date(1998, 8, 2) - dt.timedelta(151))
        total, statuses = 0.0, set()
        for ln in range(1, rng.randint(1, 7) + 1):
            pk = rng.randint(1, 400)
            qty = rng.randint(1, 50)
            price = round(qty * part[pk - 1][7], 2)
            disc, tax = rng.randint(0, 10) / 100, rng.randint(0, 8) / 100
            ship = odate + dt.timedelta(rng.randint(1, 121))
            commit = odate + dt.timedelta(rng.randint(30, 90))
            receipt = ship + dt.timedelta(rng.randint(1, 30))
            flag = rng.choice("RA") if receipt <= cut else "N"
            status = "O" if ship > cut else "F"
            statuses.add(status)
            total += price * (1 + tax) * (1 - disc)
            lineitem.append((ok, pk, rng.randint(1, 60), ln, qty, price, disc, tax, flag, status,
                             ship, commit, _maybe(rng, receipt, 0.005), rng.choice(INSTRUCT),
                             _maybe(rng, rng.choice(SHIPMODES), 0.01), _comment(rng, 0.02)))
        ostatus = "P" if len(statuses) > 1 else statuses.pop()
        orders.append((ok, rng.choice(buyers), ostatus, round(total, 2), odate,
                       rng.choice(PRIORITIES), f"Clerk#{rng.randint(1, 50):09d}",
                       rng.choice([0, 0, 0, 1]), _comment(rng, 0.04)))
    return [
        Table("region", _cols("r_regionkey:int r_name:text r_comment:text"), region),
        Table("nation", _cols("n_nationkey:int n_name:text n_regionkey:int n_comment:text"),
              nation),
        Table("supplier", _cols("s_suppkey:int s_name:text s_address:text s_nationkey:int "
                                "s_phone:text s_acctbal:real s_comment:text"), supplier),
        Table("part", _cols("p_partkey:int p_name:text p_mfgr:text p_brand:text p_type:text "
                            "p_size:int p_container:text p_retailprice:real p_comment:text"),
              part),
        Table("customer", _cols("c_custkey:int c_name:text c_address:text c_nationkey:int "
                                "c_phone:text c_acctbal:real c_mktsegment:text c_comment:text"),
              customer),
        Table("orders", _cols("o_orderkey:int o_custkey:int o_orderstatus:text "
                              "o_totalprice:real o_orderdate:date o_orderpriority:text "
                              "o_clerk:text o_shippriority:int o_comment:text"), orders),
        Table("lineitem", _cols("l_orderkey:int l_partkey:int l_suppkey:int l_linenumber:int "
                                "l_quantity:int l_extendedprice:real l_discount:real "
                                "l_tax:real l_returnflag:text l_linestatus:text "
                                "l_shipdate:date l_commitdate:date l_receiptdate:date "
                                "l_shipinstruct:text l_shipmode:text l_comment:text"),
              lineitem),
    ]


def _app(rng: random.Random) -> list[Table]:
    agents: list[Row] = []
    for i in range(1, 121):
        if i <= len(SPECIAL_AGENTS):
            name = SPECIAL_AGENTS[i - 1]
        else:  # small name pool: duplicate names are intended
            name = f"{rng.choice(FIRST)} {rng.choice(LAST[:4] if i % 2 else LAST)}"
        hired = _maybe(rng, _day(rng, dt.date(2015, 1, 1), dt.date(2024, 6, 30)), 0.08)
        active = _maybe(rng, rng.random() < 0.75, 0.04)
        score = _maybe(rng, round(rng.choice([rng.uniform(-5, 100), 50.0, 75.5, 0.0]), 2), 0.1)
        agents.append((i, name, rng.choice(TEAMS), _maybe(rng, rng.randint(1, 5), 0.1), hired,
                       active, score))
    agents[3] = (*agents[3][:4], dt.date(2020, 2, 29), *agents[3][5:])  # leap-day hire
    agents[19] = (*agents[19][:6], -3.5)  # negative scores
    agents[29] = (*agents[29][:6], -0.75)
    tasks: list[Row] = []
    for i in range(1, 801):
        agent = rng.randint(1, 120) if rng.random() > 0.08 else rng.choice([None, None, 999])
        estimate = _maybe(rng, round(rng.uniform(0.5, 40), 1), 0.1)
        if estimate is not None and rng.random() < 0.03:
            estimate = -estimate
        title = rng.choice(TITLES).format(n=rng.randint(1, 60)) if i > 3 else ["", " ", "x"][i - 1]
        tasks.append((i, agent, title, rng.choice(STATUSES), rng.randint(1, 5),
                      _maybe(rng, _day(rng, dt.date(2023, 1, 1), dt.date(2025, 12, 31)), 0.15),
                      estimate))
    tasks[9] = (*tasks[9][:5], dt.date(2024, 1, 31), tasks[9][6])  # month-end + 1 month
    tasks[10] = (*tasks[10][:5], dt.date(2024, 2, 29), tasks[10][6])
    tasks[11] = (*tasks[11][:4], -1, *tasks[11][5:])  # a negative priority
    return [
        Table("agents", _cols("id:int name:text team:text level:int hired:date active:bool "
                              "score:real"), agents),
        Table("tasks", _cols("id:int agent_id:int title:text status:text priority:int due:date "
                             "estimate:real"), tasks),
    ]


def generate(seed: int = SEED, n_orders: int = 4500) -> list[Table]:
    """All tables, deterministic for a seed."""
    rng = random.Random(seed)
    return _tpch(rng, n_orders) + _app(rng)


def _sqlite_value(v: Any) -> Any:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def write_sqlite(path: str | Path, tables: Sequence[Table]) -> None:
    """(Re)create ``path`` holding ``tables`` with SQLite declared types."""
    p = Path(path)
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{p}{suffix}").unlink(missing_ok=True)
    con = apsw.Connection(str(p))
    try:
        with con:
            for t in tables:
                cols = ", ".join(f"{c} {KINDS[k][0]}" for c, k in t.columns)
                con.execute(f"CREATE TABLE {t.name} ({cols})")
                marks = ", ".join("?" * len(t.columns))
                con.executemany(f"INSERT INTO {t.name} VALUES ({marks})",
                                [tuple(_sqlite_value(v) for v in r) for r in t.rows])
    finally:
        con.close()


def load_duckdb(tables: Sequence[Table], con: duckdb.DuckDBPyConnection | None = None,
                shuffle_seed: int | None = None) -> duckdb.DuckDBPyConnection:
    """Load ``tables`` into schema ``crm`` of an (in-memory) DuckDB connection.

    ``shuffle_seed`` stores the rows in another physical order: the corpus check uses it to
    detect queries whose answer depends on storage order (ties under ORDER BY ... LIMIT).
    """
    con = con if con is not None else duckdb.connect()
    con.execute("CREATE SCHEMA IF NOT EXISTS crm")
    for t in tables:
        rows = list(t.rows)
        if shuffle_seed is not None:
            random.Random(shuffle_seed).shuffle(rows)
        cols = ", ".join(f"{c} {KINDS[k][1]}" for c, k in t.columns)
        con.execute(f"CREATE TABLE crm.{t.name} ({cols})")
        con.register("_fed_load", Table(t.name, t.columns, rows).arrow())
        con.execute(f"INSERT INTO crm.{t.name} SELECT * FROM _fed_load")
        con.unregister("_fed_load")
    return con


def build(sqlite_path: str | Path, seed: int = SEED) -> duckdb.DuckDBPyConnection:
    """Write the SQLite file and return the DuckDB oracle connection holding the same rows."""
    tables = generate(seed)
    write_sqlite(sqlite_path, tables)
    return load_duckdb(tables)
