"""Seeded random queries over the three-engine domain, each with its DuckDB oracle.

A query joins one to three relations on shared agent or task ids (inner, LEFT or comma
joins), filters them in WHERE and ON (one in five with a subquery too:
``tests.random.subqueries``), and selects columns and expressions, or aggregates with
GROUP BY/HAVING, sometimes DISTINCT, ORDER BY every output column with LIMIT/OFFSET.
Query ``i`` of seed ``s`` depends on ``(s, i)`` only, so one query reproduces alone.

NEAREST prefilters follow the semantics of ``planner.prefilters``, written here once more
independently: a condition reading only the search's alias (not ``_distance``) is a prefilter
in WHERE unless the search joined by LEFT JOIN; in the ON of its own join; in the ON of a later
inner join under the same proviso; never in the ON of a later LEFT JOIN (preserved side).
The oracle moves prefilters into the search's subquery and keeps everything else in place.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from tests.random.exprs import Exprs, Pair
from tests.random.relations import Relations
from tests.random.schema import VECTORS, Col, Nearest, Rel
from tests.random.subqueries import subquery_conjunct

PARAM = re.compile(r"\$(p[0-9]+)\b")
REF = re.compile(r"\b([a-z]+[0-9]+)\.([A-Za-z_]+)")  # alias.column in a condition


@dataclass
class RandomQuery:
    seed: int
    index: int
    fql: str
    oracle: str
    params: dict[str, Any]  # bound values; query vectors are named in ``vectors``
    vectors: set[str]
    ordered: bool
    features: set[str] = field(default_factory=set)


@dataclass
class _Join:
    rel: Rel
    kind: str  # base, inner, left, comma
    on: list[Pair] = field(default_factory=list)  # (FQL, oracle or "" when moved)


class _Builder:
    def __init__(self, seed: int, index: int) -> None:
        self.rng = random.Random(f"{seed}:{index}")
        self.exprs = Exprs(self.rng)
        self.relations = Relations(self.rng, self.exprs)
        self.joins: list[_Join] = []
        self.where: list[Pair] = []
        self.features: set[str] = set()

    # ---- FROM
    def build_from(self) -> None:
        first = self.relations.any()
        self.joins.append(_Join(first, "base"))
        count = self.rng.choice([0, 0, 1, 1, 1, 2])
        for n in range(count):
            self._add_join(last=n == count - 1)

    def _add_join(self, last: bool) -> None:
        rel = self.relations.any()
        pairs = [(j.rel.roles[role], rel.roles[role]) for j in self.joins for role in rel.roles
                 if role in j.rel.roles and (role in j.rel.unique or role in rel.unique
                                             or role == "task")]
        if not pairs:
            return
        old, new = self.rng.choice(pairs)
        roll = self.rng.random()
        # a comma binds looser than JOIN: an ON after it could not see what came before
        kind = "inner" if roll < 0.65 else "left" if roll < 0.92 or not last else "comma"
        join = _Join(rel, kind)
        key = f"{new.ref} = {old.ref}"
        if kind == "comma":
            self.where.append((key, key))
        else:
            join.on.append((key, key))
        self.joins.append(join)
        self.features.add(f"join:{kind}")

    def _cols(self, upto: int | None = None) -> list[Col]:
        joins = self.joins if upto is None else self.joins[:upto + 1]
        return [c for j in joins for c in j.rel.cols]

    # ---- conditions
    def build_conditions(self) -> None:
        for _ in range(self.rng.choice([0, 1, 1, 2, 2, 3])):
            self._place(self.exprs.conjuncts(self._cols()), None)
        for i, join in enumerate(self.joins):
            if join.kind in ("inner", "left") and self.rng.random() < 0.25:
                self._place(self.exprs.conjuncts(self._cols(i)), i)
        for j, join in enumerate(self.joins):
            if join.rel.nearest is not None:
                self._nearest_conditions(j, join)

    def _nearest_conditions(self, j: int, join: _Join) -> None:
        """Conditions on the search's own columns, in WHERE or in one of the ONs that see it."""
        search = join.rel.nearest
        assert search is not None
        self.features.add("nearest")
        for _ in range(self.rng.choice([0, 1, 1, 2])):
            places: list[int | None] = [None]
            places += [i for i in range(max(j, 1), len(self.joins))
                       if self.joins[i].kind in ("inner", "left")]
            self._place(self.exprs.conjuncts(join.rel.cols), self.rng.choice(places))
        if self.rng.random() < 0.15:
            bound = self.rng.choice(["0.8", "1.2", "1.6"])
            cond = f"{search.alias}._distance < {bound}"
            self._place((cond, [(cond, cond)]), None)

    def _place(self, condition: tuple[str, list[Pair]], on: int | None) -> None:
        """Put a condition in WHERE (``on`` None) or in the ON of join ``on``; the oracle
        moves each conjunct that is a search's prefilter into that search."""
        target = self.where if on is None else self.joins[on].on
        fql, parts = condition
        target.append((fql, ""))
        for part in parts:
            search = self._prefiltered(part[0], on)
            if search is None:
                target.append(("", part[1]))
            else:
                search.prefilters.append(part[1])

    def _prefiltered(self, text: str, on: int | None) -> Nearest | None:
        """The search ``text`` (a conjunct placed in WHERE or ON ``on``) prefilters, if any."""
        refs = set(REF.findall(text))
        for j, join in enumerate(self.joins):
            search = join.rel.nearest
            if search is None or {a for a, _ in refs} != {search.alias}:
                continue
            if {c for _, c in refs} & {"_distance", "vector"} or not self._is_prefilter(j, on):
                self.features.add("nearest-postfilter")
                return None
            self.features.add("prefilter")
            return search
        return None

    def _is_prefilter(self, j: int, on: int | None) -> bool:
        null_supplying = self.joins[j].kind == "left"
        if on is None:
            return not null_supplying
        if on == j:
            return True
        return self.joins[on].kind == "inner" and not null_supplying

    # ---- SELECT
    def build_select(self) -> tuple[list[Pair], list[str], list[Pair], str]:
        """Select items, their names, GROUP BY items and a HAVING text (or "")."""
        columns = self._cols()
        items: list[Pair] = []
        names: list[str] = []
        groups: list[Pair] = []
        having = ""
        if self.rng.random() < 0.3:
            self.features.add("aggregate")
            for col in self.rng.sample(columns, self.rng.choice([0, 1, 1, 2])):
                groups.append((col.ref, col.ref))
            items += groups
            for _ in range(self.rng.randint(1, 3)):
                arg = None if self.rng.random() < 0.3 else self.rng.choice(columns)
                items.append(self.exprs.aggregate(arg))
            if groups and self.rng.random() < 0.25:
                having = f"count(*) > {self.rng.choice([1, 2, 5])}"
            names = [_name(i, item) for i, item in enumerate(items)]
            return items, names, groups, having
        for col in self.rng.sample(columns, min(len(columns), self.rng.randint(1, 5))):
            items.append(self.exprs.scalar(col))
            names.append(_name(len(names), items[-1]))
        for join in self.joins:
            search = join.rel.nearest
            if search is not None and self.rng.random() < 0.5:
                items.append((f"{search.alias}._distance", f"{search.alias}._distance"))
                names.append(f"dist{len(names)}")
            elif join.rel.fql.startswith("docs.knowledge") and self.rng.random() < 0.2:
                alias = join.rel.cols[0].alias
                items.append(self.exprs.distance(alias, self.rng.choice(["q", "q2"])))
                names.append(f"dist{len(names)}")
                self.features.add("distance")
        return items, names, groups, having

    # ---- assembly
    def render(self, seed: int, index: int) -> RandomQuery:
        self.build_from()
        self.build_conditions()
        plain = [j.rel for j in self.joins if j.rel.nearest is None]
        drawn = subquery_conjunct(seed, index, plain, self.exprs.params)
        with_ = ("", "")
        if drawn is not None:
            self.where.append(drawn.conjunct)
            self.features.add(drawn.feature)
            with_ = drawn.with_
        items, names, groups, having = self.build_select()
        distinct = "DISTINCT " if self.rng.random() < 0.15 else ""
        tail, ordered = self._order_limit(names)
        texts = []
        for side in (0, 1):
            select = ", ".join(f"{item[side]} AS {name}" for item, name in zip(items, names,
                                                                                strict=True))
            sql = f"{with_[side]}SELECT {distinct}{select} FROM {self._from(side)}"
            where = [p[side] for p in self.where if p[side]]
            if where:
                sql += " WHERE " + " AND ".join(where)
            if groups:
                sql += " GROUP BY " + ", ".join(g[side] for g in groups)
            if having:
                sql += f" HAVING {having}"
            texts.append(sql + tail)
        # the query vectors the text names (a relation drawn but not joined named one too)
        vectors = {v for v in VECTORS if re.search(rf"\${v}\b", texts[0])}
        # options not taken registered parameters too: bind only those the text names
        used = set(PARAM.findall(texts[0]))
        params = {k: v for k, v in self.exprs.params.items() if k in used}
        return RandomQuery(seed, index, texts[0], texts[1], params, vectors, ordered,
                           self.features)

    def _order_limit(self, names: list[str]) -> tuple[str, bool]:
        if self.rng.random() > 0.25:
            return "", False
        self.features.add("order-limit")
        keys = []
        for name in names:
            direction = self.rng.choice(["", " DESC"])
            nulls = self.rng.choice(["", " NULLS FIRST", " NULLS LAST"])
            keys.append(f"{name}{direction}{nulls}")
        limit = self.rng.choice([1, 5, 20, 100])
        offset = f" OFFSET {self.rng.choice([1, 3, 10])}" if self.rng.random() < 0.3 else ""
        return f" ORDER BY {', '.join(keys)} LIMIT {limit}{offset}", True

    def _from(self, side: int) -> str:
        text = ""
        for join in self.joins:
            rel = join.rel
            relation = rel.fql if side == 0 else (rel.nearest.oracle() if rel.nearest
                                                  else rel.sql)
            if join.kind == "base":
                text = relation
            elif join.kind == "comma":
                text += f", {relation}"
            else:
                on = " AND ".join(p[side] for p in join.on if p[side]) or "TRUE"
                keyword = "LEFT JOIN" if join.kind == "left" else "JOIN"
                text += f" {keyword} {relation} ON {on}"
        return text


def _name(i: int, item: Pair) -> str:
    """Output names holding a distance start with ``dist``: compared with float32 tolerance."""
    return f"dist{i}" if "_distance" in item[0] else f"c{i}"


def generate(seed: int, index: int) -> RandomQuery:
    """Query ``index`` of the stream of ``seed``."""
    return _Builder(seed, index).render(seed, index)
