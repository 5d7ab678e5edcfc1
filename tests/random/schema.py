"""The three-engine domain as the random generator sees it: relations (each spelled in FQL and
in the oracle's SQL over ``federation.domain.duckdb_oracle``), their columns, join roles and
value pools, with the type boundaries worth probing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tests.three.record import DIM

INT, FLOAT, STRING, DATE, BOOL = "int", "float", "string", "date", "bool"


@dataclass(frozen=True)
class Col:
    alias: str
    name: str
    kind: str
    nullable: bool = False

    @property
    def ref(self) -> str:
        return f"{self.alias}.{self.name}"


@dataclass
class Rel:
    """One relation of a FROM list (a pattern may bind several aliases)."""

    fql: str
    sql: str
    cols: list[Col]
    roles: dict[str, Col]  # join role (agent, task) -> the column holding that id
    unique: frozenset[str] = frozenset()  # roles whose column is a key of this relation
    nearest: Nearest | None = None

    @property
    def aliases(self) -> set[str]:
        return {c.alias for c in self.cols}


@dataclass
class Nearest:
    alias: str
    k: int
    vector: str  # parameter name of the query vector
    prefilters: list[str] = field(default_factory=list)  # filled while the query is built

    def oracle(self) -> str:
        where = " AND ".join(f"({p})" for p in self.prefilters) or "TRUE"
        dist = f"(array_distance({self.alias}.vector, ${self.vector}::FLOAT[{DIM}]) ** 2)"
        return (f"(SELECT {self.alias}.*, {dist} AS _distance FROM docs.knowledge {self.alias} "
                f"WHERE {where} ORDER BY _distance, {self.alias}.id LIMIT {self.k}) "
                f"AS {self.alias}")


AGENT_COLS = [("id", INT, False), ("name", STRING, False), ("team", STRING, True),
              ("level", INT, False)]
CRM_AGENT_COLS = [*AGENT_COLS, ("hired", DATE, True), ("active", BOOL, False),
                  ("score", FLOAT, True)]
TASK_COLS = [("id", INT, False), ("title", STRING, False), ("status", STRING, False),
             ("priority", INT, False)]
CRM_TASK_COLS = [*TASK_COLS, ("due", DATE, True), ("estimate", FLOAT, False)]
KNOW_COLS = [("id", INT, False), ("task_id", INT, False), ("agent_id", INT, False),
             ("kind", STRING, False), ("text", STRING, False), ("created", DATE, False)]
EDGE_COLS = [("since", DATE, False), ("weight", FLOAT, False)]
NUM_COLS = [("id", INT, False), ("i", INT, True), ("f", FLOAT, True), ("r", FLOAT, True),
            ("s", STRING, True), ("d", DATE, True)]


def cols(alias: str, spec: list[tuple[str, str, bool]]) -> list[Col]:
    return [Col(alias, n, k, null) for n, k, null in spec]


# ---- values: the data's own values, plus boundaries of each type
INT_VALUES = {"id": [1, 2, 13, 50, 99, 100, 101, 500, 999, 1000, 2000],
              "level": [1, 3, 4, 7], "priority": [1, 3, 5], "task_id": [1, 7, 100, 500, 1000],
              "agent_id": [1, 13, 26, 96, 100],
              "i": [0, 1, -1, 3, 42, 2147483647, 2147483648, 9007199254740992,
                    9007199254740993, 9223372036854775807, -9223372036854775808]}
INT_EDGES = [0, -1, 2147483647, 2147483648, -2147483649, 9007199254740993,
             9223372036854775807, -9223372036854775808]
DECIMAL_EDGES = ["2.5", "3.0", "0.1", "-0.5", "99.99", "9007199254740993.0",
                 "9223372036854775806.5", "1e3"]
FLOAT_VALUES = {"score": [38.87, 50.0, 75.5, 100.0], "estimate": [1.0, 8.0, 20.5, 49.0],
                "weight": [0.05, 0.25, 0.5, 0.998],
                "r": [0.0, 0.1, 0.30000000000000004, 9007199254740992.0, 9007199254740993.0,
                      2.5, 42.0, 1e308],
                "f": [0.1, 0.2, 0.3, 0.5, 2.5, 42.0, 3.4e38, 1e-30]}
FLOAT_EDGES = [0.0, -0.0, 0.1, 1e-300, 1e300, 0.30000000000000004]
STRING_VALUES = {"team": ["core", "ml", "data", "web", "docs", "growth"],
                 "status": ["done", "pending", "active", "blocked"],
                 "kind": ["note", "comment", "spec", "log", "review", "summary"],
                 "s": ["", "a", "A", "Zoë", "zoe", "日本", "🚀", "O'Brien", "100%", "ab"]}
STRING_EDGES = ["", "O'Brien", "Zoë Ångström", "100% done", "日本語のメモ", "rocket 🚀 launch",
                "under_score_name", "back\\slash", "Ada", "a"]
LIKE_PATTERNS = ["%a%", "A%", "%e", "_o%", "%\\_%", "100%", "%🚀%", "%'%", "", "%", "Review%",
                 "%task 1%"]
DATE_VALUES = [dt.date(2015, 1, 1), dt.date(2020, 1, 1), dt.date(2021, 6, 30),
               dt.date(2023, 1, 1), dt.date(2024, 2, 29), dt.date(2025, 6, 1),
               dt.date(2026, 12, 31), dt.date(1970, 1, 1), dt.date(2099, 12, 31)]
VECTORS = ["q", "q2", "core"]
K_VALUES = [1, 3, 10, 25, 100, 400]
