"""Subquery conjuncts for the random generator (issue 10): ``[NOT] IN``, ``[NOT] EXISTS``,
``op ALL|ANY`` and a correlated scalar ``count(*)``, over a relation drawn like any other
(SQLite and LanceDB tables, MATCH patterns, derived tables — a search only inside a derived
table, whose prefilters that table's oracle already carries), correlated on a shared agent or
task id or not.

It draws from a random stream of its own, so a query without a subquery is the same query
as before this module existed; its aliases and parameters continue the query's own.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tests.random.exprs import Exprs, Pair
from tests.random.relations import Relations
from tests.random.schema import Col, Rel

SHARE = 0.2  # of queries that get one subquery conjunct
ALIAS_BASE = 500  # subquery aliases (a501, …) never meet the query's own (a1, …)
OPS = ["=", "<>", "<", "<=", ">", ">="]


@dataclass
class Drawn:
    conjunct: Pair  # for WHERE: (FQL, oracle)
    feature: str
    with_: Pair = ("", "")  # a WITH clause the query starts with ("" when none)


def subquery_conjunct(seed: int, index: int, outer: list[Rel], params: dict[str, object]
                      ) -> Drawn | None:
    """A WHERE conjunct, or None for most queries. ``outer``: the query's relations that
    are not searches (a conjunct reading only a search would be its prefilter);
    ``params``: the query's parameters, extended here."""
    rng = random.Random(f"{seed}:{index}:subquery")
    if rng.random() >= SHARE:
        return None
    exprs = Exprs(rng)
    exprs.params = params  # type: ignore[assignment]  (one numbering for the whole query)
    relations = Relations(rng, exprs)
    relations.count = ALIAS_BASE
    inner = next((r for r in (relations.any() for _ in range(6)) if r.nearest is None), None)
    shared = [(o.roles[role], i) for o in outer for role, i in (inner.roles.items()
                                                                if inner else ())
              if role in o.roles]
    if inner is None or not shared:
        return None
    out_col, in_col = rng.choice(shared)
    cond = _condition(rng, exprs, inner.cols)
    form = rng.choice(["in", "exists", "quantified", "scalar", "cte"])
    if form == "cte":
        return _cte(rng, relations.alias("cte"), inner, out_col, in_col, cond)
    return Drawn(_FORMS[form](rng, inner, out_col, in_col, cond), f"subquery:{form}")


def _condition(rng: random.Random, exprs: Exprs, cols: list[Col]) -> Pair | None:
    if rng.random() < 0.3:
        return None
    text, parts = exprs.conjuncts(cols)
    return text, " AND ".join(p[1] for p in parts)


def _where(rng: random.Random, cond: Pair | None, key: Pair | None) -> Pair:
    parts = [p for p in (key, cond) if p is not None]
    if not parts:
        return "", ""
    return (" WHERE " + " AND ".join(p[0] for p in parts),
            " WHERE " + " AND ".join(p[1] for p in parts))


def _in(rng: random.Random, inner: Rel, out: Col, col: Col, cond: Pair | None) -> Pair:
    neg = "NOT " if rng.random() < 0.4 else ""
    fw, sw = _where(rng, cond, None)
    return (f"{out.ref} {neg}IN (SELECT {col.ref} FROM {inner.fql}{fw})",
            f"{out.ref} {neg}IN (SELECT {col.ref} FROM {inner.sql}{sw})")


def _exists(rng: random.Random, inner: Rel, out: Col, col: Col, cond: Pair | None) -> Pair:
    neg = "NOT " if rng.random() < 0.4 else ""
    key = f"{col.ref} = {out.ref}"
    fw, sw = _where(rng, cond, (key, key))
    return (f"{neg}EXISTS (SELECT 1 FROM {inner.fql}{fw})",
            f"{neg}EXISTS (SELECT 1 FROM {inner.sql}{sw})")


def _quantified(rng: random.Random, inner: Rel, out: Col, col: Col, cond: Pair | None
                ) -> Pair:
    op, quantifier = rng.choice(OPS), rng.choice(["ALL", "ANY", "SOME"])
    key = f"{col.ref} <> {out.ref}" if rng.random() < 0.3 else None  # correlated, sometimes
    fw, sw = _where(rng, cond, (key, key) if key else None)
    return (f"{out.ref} {op} {quantifier} (SELECT {col.ref} FROM {inner.fql}{fw})",
            f"{out.ref} {op} {quantifier} (SELECT {col.ref} FROM {inner.sql}{sw})")


def _scalar(rng: random.Random, inner: Rel, out: Col, col: Col, cond: Pair | None) -> Pair:
    op, bound = rng.choice(OPS), rng.choice([0, 1, 2, 5])
    key = f"{col.ref} = {out.ref}"
    fw, sw = _where(rng, cond, (key, key))
    return (f"(SELECT count(*) FROM {inner.fql}{fw}) {op} {bound}",
            f"(SELECT count(*) FROM {inner.sql}{sw}) {op} {bound}")


def _cte(rng: random.Random, name: str, inner: Rel, out: Col, col: Col, cond: Pair | None
         ) -> Drawn:
    """The subquery's relation as a CTE read twice (computed once by the engine)."""
    fw, sw = _where(rng, cond, None)
    op = rng.choice(OPS)
    uses = (f"({out.ref} IN (SELECT {name}a.k FROM {name} AS {name}a) OR {out.ref} {op} ALL "
            f"(SELECT {name}b.k FROM {name} AS {name}b))")
    return Drawn((uses, uses), "subquery:cte",
                 (f"WITH {name} AS (SELECT {col.ref} AS k FROM {inner.fql}{fw}) ",
                  f"WITH {name} AS (SELECT {col.ref} AS k FROM {inner.sql}{sw}) "))


_FORMS = {"in": _in, "exists": _exists, "quantified": _quantified, "scalar": _scalar}
