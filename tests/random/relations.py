"""Random relations of the domain: SQLite tables, Lance scans, Kuzu nodes and patterns
(directions, property maps, variable-length walks) and NEAREST searches, each with its FQL
text and the oracle's equivalent over the one-database DuckDB oracle."""

from __future__ import annotations

import random

from tests.random.exprs import Exprs
from tests.random.schema import (
    AGENT_COLS,
    CRM_AGENT_COLS,
    CRM_TASK_COLS,
    EDGE_COLS,
    FLOAT,
    INT,
    K_VALUES,
    KNOW_COLS,
    NUM_COLS,
    TASK_COLS,
    VECTORS,
    Col,
    Nearest,
    Rel,
    cols,
)

FORWARD = "SELECT src, dst FROM graph.DEPENDS_ON"
BACKWARD = "SELECT dst AS src, src AS dst FROM graph.DEPENDS_ON"
EITHER = f"{FORWARD} UNION ALL {BACKWARD}"


def walks(steps: str, lo: int, hi: int, alias: str) -> str:
    """One row per walk of ``lo``..``hi`` steps (Kuzu's semantics: README)."""
    return (f"(WITH RECURSIVE s AS ({steps}), w(src, dst, depth) AS (SELECT src, dst, 1 FROM s "
            f"UNION ALL SELECT w.src, s.dst, w.depth + 1 FROM w JOIN s ON s.src = w.dst "
            f"WHERE w.depth < {hi}) SELECT src, dst FROM w WHERE depth >= {lo}) AS {alias}")


class Relations:
    def __init__(self, rng: random.Random, exprs: Exprs) -> None:
        self.rng = rng
        self.exprs = exprs
        self.count = 0

    def alias(self, base: str) -> str:
        self.count += 1
        return f"{base}{self.count}"

    def any(self) -> Rel:
        makers = [self.crm_agents, self.crm_tasks, self.lance_scan, self.graph_node,
                  self.assigned, self.depends, self.nearest, self.nearest, self.nums]
        rel = self.rng.choice(makers)()
        if len(rel.aliases) == 1 and self.rng.random() < 0.12:
            return self.derived(rel)
        return rel

    def derived(self, inner: Rel) -> Rel:
        """``(SELECT <columns> FROM <inner> WHERE … [ORDER BY id LIMIT n]) AS d``: a search
        inside takes its prefilter from this WHERE only; outer conditions filter after it."""
        d = self.alias("d")
        columns = list(inner.cols)
        search = inner.nearest
        if search is not None:
            columns.append(Col(search.alias, "_distance", FLOAT))
        select = ", ".join(f"{c.ref} AS {c.name}" for c in columns)
        fql_where, sql_where = [], []
        for _ in range(self.rng.choice([0, 1, 1, 2])):
            text, parts = self.exprs.conjuncts(inner.cols)
            fql_where.append(text)
            if search is not None:  # every conjunct reads the search alone: its prefilter
                search.prefilters += [p[1] for p in parts]
            else:
                sql_where += [p[1] for p in parts]
        tail = ""
        if self.rng.random() < 0.3:
            key = columns[0].ref  # every relation here starts with its unique id
            tail = f" ORDER BY {key} LIMIT {self.rng.choice([5, 50, 500])}"
        body = search.oracle() if search is not None else inner.sql
        fql = f"(SELECT {select} FROM {inner.fql}" + \
            (f" WHERE {' AND '.join(fql_where)}" if fql_where else "") + f"{tail}) AS {d}"
        sql = f"(SELECT {select} FROM {body}" + \
            (f" WHERE {' AND '.join(sql_where)}" if sql_where else "") + f"{tail}) AS {d}"
        outer = [Col(d, c.name, c.kind, c.nullable) for c in columns]
        roles = {role: Col(d, c.name, c.kind) for role, c in inner.roles.items()}
        return Rel(fql, sql, outer, roles, inner.unique)

    def crm_agents(self) -> Rel:
        a = self.alias("a")
        return Rel(f"crm.agents AS {a}", f"crm.agents {a}", cols(a, CRM_AGENT_COLS),
                   {"agent": Col(a, "id", INT)}, frozenset({"agent"}))

    def crm_tasks(self) -> Rel:
        t = self.alias("ct")
        return Rel(f"crm.tasks AS {t}", f"crm.tasks {t}", cols(t, CRM_TASK_COLS),
                   {"task": Col(t, "id", INT)}, frozenset({"task"}))

    def lance_scan(self) -> Rel:
        k = self.alias("s")
        return Rel(f"docs.knowledge AS {k}", f"docs.knowledge {k}", cols(k, KNOW_COLS),
                   {"agent": Col(k, "agent_id", INT), "task": Col(k, "task_id", INT)})

    def _props(self, columns: list[Col]) -> tuple[str, list[str]]:
        """A property map ``{name: value}`` and its oracle conditions (or none)."""
        if self.rng.random() > 0.2:
            return "", []
        col = self.rng.choice([c for c in columns if c.name in ("level", "team", "status",
                                                                 "priority", "id")])
        value = self.exprs.value(col)
        return f" {{{col.name}: {value}}}", [f"{col.ref} = {value}"]

    def graph_node(self) -> Rel:
        if self.rng.random() < 0.5:
            x = self.alias("x")
            columns, label, role = cols(x, AGENT_COLS), "Agent", "agent"
        else:
            x = self.alias("t")
            columns, label, role = cols(x, TASK_COLS), "Task", "task"
        props, conds = self._props(columns)
        sql = f"graph.{label} {x}"
        if conds:
            sql = f"(SELECT * FROM graph.{label} {x} WHERE {conds[0]}) AS {x}"
        return Rel(f"MATCH graph ({x}:{label}{props})", sql, columns,
                   {role: Col(x, "id", INT)}, frozenset({role}))

    def assigned(self) -> Rel:
        x, t, r = self.alias("x"), self.alias("t"), self.alias("r")
        agent, task = cols(x, AGENT_COLS), cols(t, TASK_COLS)
        named = self.rng.random() < 0.6
        edge = cols(r, EDGE_COLS) if named else []
        xp, xc = self._props(agent)
        tp, tc = self._props(task)
        rv = r if named else ""
        shape = self.rng.random()
        if shape < 0.5:
            fql = f"({x}:Agent{xp})-[{rv}:ASSIGNED_TO]->({t}:Task{tp})"
        elif shape < 0.8:
            fql = f"({t}:Task{tp})<-[{rv}:ASSIGNED_TO]-({x}:Agent{xp})"
        else:  # ASSIGNED_TO runs Agent → Task only: either direction is the same here
            fql = f"({x}:Agent{xp})-[{rv}:ASSIGNED_TO]-({t}:Task{tp})"
        on = " AND ".join([f"{t}.id = {r}.dst", *xc, *tc])
        sql = (f"(graph.Agent {x} JOIN graph.ASSIGNED_TO {r} ON {r}.src = {x}.id "
               f"JOIN graph.Task {t} ON {on})")
        return Rel(f"MATCH graph {fql}", sql, agent + edge + task,
                   {"agent": Col(x, "id", INT), "task": Col(t, "id", INT)})

    def depends(self) -> Rel:
        a, b, p = self.alias("t"), self.alias("t"), self.alias("p")
        lo = self.rng.choice([1, 1, 1, 2])
        hi = self.rng.choice([lo, lo + 1, lo + 2])
        hops = "" if (lo, hi) == (1, 1) else f"*{lo}..{hi}"
        direction = self.rng.choice(["->", "<-", "-"])
        left, right = {"->": ("-", "->"), "<-": ("<-", "-"), "-": ("-", "-")}[direction]
        steps = {"->": FORWARD, "<-": BACKWARD, "-": EITHER}[direction]
        first, second = cols(a, TASK_COLS), cols(b, TASK_COLS)
        ap, ac = self._props(first)
        fql = f"MATCH graph ({a}:Task{ap}){left}[:DEPENDS_ON{hops}]{right}({b}:Task)"
        on = " AND ".join([f"{b}.id = {p}.dst", *ac])
        sql = (f"(graph.Task {a} JOIN {walks(steps, lo, hi, p)} ON {p}.src = {a}.id "
               f"JOIN graph.Task {b} ON {on})")
        role = Col(self.rng.choice([a, b]), "id", INT)
        return Rel(fql, sql, first + second, {"task": role})

    def nearest(self) -> Rel:
        k = self.alias("k")
        search = Nearest(k, self.rng.choice(K_VALUES), self.rng.choice(VECTORS))
        approx = " APPROXIMATE" if self.rng.random() < 0.1 else ""
        fql = f"NEAREST docs.knowledge TO ${search.vector} K {search.k}{approx} AS {k}"
        return Rel(fql, "", cols(k, KNOW_COLS),
                   {"agent": Col(k, "agent_id", INT), "task": Col(k, "task_id", INT)},
                   nearest=search)

    def nums(self) -> Rel:
        """The boundary-value table of one source (``tests.random.boundary``)."""
        n = self.alias("n")
        where = self.rng.choice(["crm", "graph", "docs"])
        spec = NUM_COLS if where != "crm" else [c for c in NUM_COLS if c[0] != "f"]
        fql, sql = {"crm": (f"crm.nums AS {n}", f"crm.nums {n}"),
                    "graph": (f"MATCH graph ({n}:Num)", f"graph.Num {n}"),
                    "docs": (f"docs.nums AS {n}", f"docs.nums {n}")}[where]
        return Rel(fql, sql, cols(n, spec), {"num": Col(n, "id", INT)}, frozenset({"num"}))
