"""The record type of the three-engine corpus and helpers that spell the oracle SQL.

Every query is a :class:`Q3` ``(id, fql, oracle_sql, params, ordered)``: the FQL text the
engine runs and a hand-written DuckDB equivalent over the one-database oracle built by
``federation.domain.duckdb_oracle`` (schemas ``crm``, ``graph``, ``docs``).

Translation rules used by the helpers below:

* ``MATCH`` patterns are joins of node tables (``graph.Agent``, ``graph.Task``) and edge tables
  (``graph.ASSIGNED_TO(src, dst, since, weight)``, ``graph.DEPENDS_ON(src, dst)``); a
  variable-length edge is :func:`walks`, a recursive CTE with one row per walk (the
  domain's DEPENDS_ON is a DAG, so walks are paths).
* ``NEAREST docs.knowledge TO $q K n AS k`` is :func:`nearest`, the top-n rows after the alias's
  own WHERE filters, with ``_distance`` the squared L2 distance (LanceDB's default metric).
* ``distance(k.vector, $q)`` is :func:`dist`.

A query vector parameter is written as a :class:`Vec` marker and resolved against the data
(:func:`tests.three.data.resolve`).  ``xfail`` holds the reason when the engine is known to be
wrong on the query (the test then expects the failure, strictly).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DIM = 32


@dataclass(frozen=True)
class Vec:
    """A query vector named in ``tests.three.data.query_vectors``."""

    name: str


Q_NEAR = Vec("q")  # a data vector (knowledge id 5, author agent 13, team 'data'), perturbed
Q_OTHER = Vec("q2")  # another data vector (knowledge id 1234), perturbed
Q_CORE = Vec("core")  # normalised centroid of the vectors written by team 'core'


@dataclass(frozen=True)
class Q3:
    id: str
    fql: str
    oracle_sql: str
    params: dict[str, Any] = field(default_factory=dict)
    ordered: bool = False
    xfail: str | None = None

    @property
    def category(self) -> str:
        return self.id.split("_", 1)[0]


def q3(qid: str, fql: str, oracle_sql: str, params: dict[str, Any] | None = None, *,
       ordered: bool = False, xfail: str | None = None) -> Q3:
    return Q3(qid, " ".join(fql.split()), oracle_sql.strip(), dict(params or {}), ordered,
              xfail)


def vec_param(name: str = "q") -> str:
    return f"${name}::FLOAT[{DIM}]"


def dist(column: str = "k.vector", param: str = "q") -> str:
    """``distance(column, $param)``: squared L2, as LanceDB's default metric."""
    return f"(array_distance({column}, {vec_param(param)}) ** 2)"


def nearest(k: int | str, alias: str = "k", where: str = "TRUE", param: str = "q") -> str:
    """``NEAREST docs.knowledge TO $param K k AS alias`` with the alias's own filters."""
    return (f"(SELECT *, {dist('vector', param)} AS _distance FROM docs.knowledge "
            f"WHERE {where} ORDER BY _distance, id LIMIT {k}) AS {alias}")


def walks(rel: str, lo: int, hi: int, alias: str = "p") -> str:
    """All walks of ``lo``..``hi`` edges of ``graph.<rel>`` as a relation ``(src, dst)``:
    one row per walk (``src`` its first node, ``dst`` its last)."""
    return (f"(WITH RECURSIVE w(src, dst, depth) AS ("
            f"SELECT src, dst, 1 FROM graph.{rel} UNION ALL "
            f"SELECT w.src, e.dst, w.depth + 1 FROM w JOIN graph.{rel} e ON e.src = w.dst "
            f"WHERE w.depth < {hi}) SELECT src, dst FROM w WHERE depth >= {lo}) AS {alias}")


def assigned(x: str = "x", t: str = "t", r: str = "r") -> str:
    """``(x:Agent)-[r:ASSIGNED_TO]->(t:Task)`` as a join chain (FROM-clause text)."""
    return (f"graph.Agent {x} JOIN graph.ASSIGNED_TO {r} ON {r}.src = {x}.id "
            f"JOIN graph.Task {t} ON {t}.id = {r}.dst")


def depends(a: str = "a", b: str = "b", r: str = "e") -> str:
    """``(a:Task)-[r:DEPENDS_ON]->(b:Task)`` as a join chain."""
    return (f"graph.Task {a} JOIN graph.DEPENDS_ON {r} ON {r}.src = {a}.id "
            f"JOIN graph.Task {b} ON {b}.id = {r}.dst")


def undirected_depends(a: str = "a", b: str = "b") -> str:
    """``(a:Task)-[:DEPENDS_ON]-(b:Task)``: both directions (the DAG has no self-loops)."""
    return (f"graph.Task {a} JOIN (SELECT src AS x, dst AS y FROM graph.DEPENDS_ON UNION ALL "
            f"SELECT dst, src FROM graph.DEPENDS_ON) AS u_{a}{b} ON u_{a}{b}.x = {a}.id "
            f"JOIN graph.Task {b} ON {b}.id = u_{a}{b}.y")
