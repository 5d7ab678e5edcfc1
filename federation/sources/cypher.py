"""Cypher text from a ``GraphMatch``: generated variable names, catalog-checked labels and
properties, every value a ``$parameter`` (the Cypher analogue of ``federation.sqlgen``).

Node variables are ``n0, n1, …`` and edge variables ``e0, e1, …`` (by position in the
fragment), so no user alias text ever reaches Kuzu. Labels and property names must exist in
the catalog and are written between backticks. Kuzu keeps the raw text between backticks (it
does not turn two backticks into one), so a catalog name is printed verbatim; a name whose
backticks are not in pairs cannot be written and is refused.

Expressions (filters, IN, LIKE, numbers at type boundaries) are written by
``federation.sources.cypher_expr``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from federation.errors import ResourceLimitError
from federation.sources.cypher_expr import (  # noqa: F401 (re-exported)
    CypherWriter,
    like_form,
    quote_name,
    string_literal,
)
from planner.bind_zero_hops import PATH_LENGTH
from planner.catalog import TableSchema
from planner.errors import BindError, PlanError, did_you_mean
from planner.expressions import AggCall, BExpr, ColumnRef, columns_of
from planner.logical import GraphMatch, SortKey
from planner.types import family

MAX_HOPS = 30  # Kuzu 0.11.3 refuses a variable-length upper bound above 30
_ARROWS = {"right": ("-", "->"), "left": ("<-", "-"), "both": ("-", "-")}
_MODES = {"walk": "", "trail": " TRAIL ", "shortest": " SHORTEST ",
          "all shortest": " ALL SHORTEST "}


def catalog_call(procedure: str, table: str) -> str:
    """``CALL procedure('<table>') RETURN *`` for a catalog procedure. Kuzu's CALL takes
    literals only ("$n has type PARAMETER but LITERAL was expected"), so the table name, read
    from ``show_tables()``, goes through the one escaper.

    >>> catalog_call("table_info", "it's")
    "CALL table_info('it\\\\'s') RETURN *"
    """
    if procedure not in ("table_info", "show_connection"):
        raise PlanError(f"no catalog procedure {procedure!r}")
    return "CALL " + procedure + "(" + string_literal(table) + ") RETURN *"


def count_query(table: str, kind: str) -> str:
    """How many nodes (``kind="node"``) or relationships a table holds; the label is the
    catalog's own name, quoted.

    >>> count_query("Task", "node")
    'MATCH (n:`Task`) RETURN count(n) AS c'
    """
    pattern = "(n:" + quote_name(table) + ")" if kind == "node" \
        else "()-[n:" + quote_name(table) + "]->()"
    return "MATCH " + pattern + " RETURN count(n) AS c"



def compile_match(fragment: GraphMatch, params: Mapping[str, object],
                  tables: Mapping[str, TableSchema], stringified: frozenset[tuple[str, str]],
                  source: str) -> tuple[str, tuple[tuple[str, object], ...]]:
    """``MATCH … WHERE … RETURN … [ORDER BY …] [LIMIT $p]`` and its parameters.

    ``stringified`` holds the ``(table, property)`` pairs whose Kuzu type the catalog shows as
    string: they are read as ``CAST(… AS STRING)``.
    """
    if not fragment.nodes:
        raise PlanError("a graph pattern needs at least one node")
    names = _Names(fragment, tables, stringified, source)
    writer = CypherWriter(params, names.column)
    text = _match_clauses(fragment, names, writer)
    text += " RETURN " + (", ".join(_returned(fragment, names)) or "1 AS c0")
    if fragment.order:
        text += " ORDER BY " + ", ".join(_sort_key(k, names) for k in fragment.order)
    if fragment.limit is not None:
        if isinstance(fragment.limit, bool) or not isinstance(fragment.limit, int) \
                or fragment.limit < 0:
            raise PlanError(f"bad LIMIT {fragment.limit!r}")
        text += f" LIMIT {writer.bind(fragment.limit)}"
    return text, tuple(writer.values)


def _returned(fragment: GraphMatch, names: _Names) -> list[str]:
    """The RETURN items: the columns, or a pushed aggregate's groups and aggregates (Cypher
    groups by every non-aggregate item of a RETURN)."""
    if fragment.aggregate is None:
        return [f"{names.column(c)} AS c{i}" for i, c in enumerate(fragment.columns)]
    items = [names.column(_plain(e)) for _, e in fragment.aggregate.groups]
    items += [_aggregate(a, names) for _, a in fragment.aggregate.aggregates]
    return [f"{item} AS c{i}" for i, item in enumerate(items)]


def _aggregate(call: AggCall, names: _Names) -> str:
    """``count(*)``, ``count(x)``, ``min``/``max(x)``; ``sum``/``avg`` over INT64 or DOUBLE so
    that Kuzu neither overflows a narrow integer nor sums in FLOAT (its INT64 sum is INT128,
    DuckDB's HUGEINT)."""
    if call.name not in ("count", "sum", "avg", "min", "max") or len(call.args) > 1 \
            or (call.distinct and call.name not in ("min", "max")):
        raise PlanError(f"no Cypher form for {call}")
    if not call.args:
        if call.name != "count":
            raise PlanError(f"no Cypher form for {call}")
        return "count(*)"
    arg = names.column(_plain(call.args[0]))
    if call.name in ("sum", "avg"):
        arg = f"CAST({arg} AS {'INT64' if family(call.args[0].type) == 'int' else 'DOUBLE'})"
    return f"{call.name}({arg})"


def _sort_key(key: SortKey, names: _Names) -> str:
    """Kuzu has no NULLS FIRST/LAST (it puts NULLs last ascending, first descending): an
    ``x IS NULL`` key before ``x`` places them as asked (FALSE sorts before TRUE)."""
    col = names.column(_plain(key.expr))
    first = " DESC" if key.nulls_first else ""
    return f"{col} IS NULL{first}, {col}{' DESC' if key.descending else ''}"


def _plain(e: BExpr) -> ColumnRef:
    if not isinstance(e, ColumnRef):
        raise PlanError(f"a graph source sorts and groups by plain properties, not {e}")
    return e


def _match_clauses(fragment: GraphMatch, names: _Names, writer: CypherWriter) -> str:
    """``MATCH … [WHERE …]``, then each ``OPTIONAL MATCH … [WHERE <its conditions>]``.

    A WHERE right after an OPTIONAL MATCH belongs to it (Cypher), so the fragment's filters,
    which apply after every part like SQL's WHERE after a LEFT JOIN, follow a ``WITH *``;
    those reading only the required pattern stay in its WHERE, where they seed the match.
    """
    seen: set[int] = set()
    if not fragment.optional:
        text = "MATCH " + ", ".join(_pattern(fragment, names, range(len(fragment.edges)),
                                             range(len(fragment.nodes)), seen))
        return text + _where(" WHERE ", fragment.filters, writer)
    owned_nodes = {i for p in fragment.optional for i in p.nodes}
    owned_edges = {j for p in fragment.optional for j in p.edges}
    required = {n.rel for i, n in enumerate(fragment.nodes) if i not in owned_nodes} \
        | {e.rel for j, e in enumerate(fragment.edges) if j not in owned_edges}
    early = [f for f in fragment.filters
             if all(k.split(".", 1)[0] in required for k in columns_of(f))]
    late = [f for f in fragment.filters if f not in early]
    text = "MATCH " + ", ".join(_pattern(
        fragment, names, [j for j in range(len(fragment.edges)) if j not in owned_edges],
        [i for i in range(len(fragment.nodes)) if i not in owned_nodes], seen))
    text += _where(" WHERE ", early, writer)
    for part in fragment.optional:
        text += " OPTIONAL MATCH " + ", ".join(_pattern(fragment, names, part.edges, part.nodes,
                                                        seen))
        text += _where(" WHERE ", part.conditions, writer)
    return text + _where(" WITH * WHERE ", late, writer)


def _where(keyword: str, predicates: Sequence[BExpr], writer: CypherWriter) -> str:
    return keyword + " AND ".join(writer.expr(f) for f in predicates) if predicates else ""


def _pattern(fragment: GraphMatch, names: _Names, edges: Iterable[int], nodes: Iterable[int],
             seen: set[int]) -> list[str]:
    """The comma-separated paths of ``edges``, then the ``nodes`` no edge printed; a node
    printed before (``seen``, shared by the clauses of one query) is its bare variable."""

    def node(i: int) -> str:
        if i in seen:
            return f"(n{i})"
        seen.add(i)
        label = fragment.nodes[i].label
        return f"(n{i}:{names.label(label, 'node')})" if label else f"(n{i})"

    parts = []
    for j in edges:
        edge = fragment.edges[j]
        if edge.direction not in _ARROWS:
            raise PlanError(f"bad relationship direction {edge.direction!r}")
        if not (0 <= edge.src < len(fragment.nodes) and 0 <= edge.dst < len(fragment.nodes)):
            raise PlanError("a relationship refers to a node outside its pattern")
        label = f":{names.label(edge.label, 'rel')}" if edge.label else ""
        left, right = _ARROWS[edge.direction]
        hops = _hops(edge.min_hops, edge.max_hops, edge.mode)
        parts.append(f"{node(edge.src)}{left}[e{j}{label}{hops}]{right}{node(edge.dst)}")
    parts += [node(i) for i in nodes if i not in seen]
    return parts


def _hops(lo: int, hi: int, mode: str = "walk") -> str:
    if (lo, hi, mode) == (1, 1, "walk"):
        return ""
    if not all(isinstance(h, int) and not isinstance(h, bool) for h in (lo, hi)) \
            or not 1 <= lo <= hi:
        # Kuzu 0.11.3 miscounts *0..n walks: the binder spells zero hops as a merged node
        # (planner.bind_zero_hops), so no fragment asks for them
        raise PlanError(f"bad relationship length *{lo}..{hi}")
    if hi > MAX_HOPS:
        raise ResourceLimitError(f"variable-length relationship *{lo}..{hi}: Kuzu allows at "
                                 f"most {MAX_HOPS} hops")
    if mode not in _MODES:
        raise PlanError(f"unknown path mode {mode!r}")
    return f"*{_MODES[mode]}{lo}..{hi}"


class _Names:
    """Plan relation ids → Cypher variables; labels and properties checked in the catalog."""

    def __init__(self, fragment: GraphMatch, tables: Mapping[str, TableSchema],
                 stringified: frozenset[tuple[str, str]], source: str) -> None:
        self.tables = tables
        self.stringified = stringified
        self.source = source
        # rel id → (variable, label, kind); None marks a path variable (no properties)
        self.vars: dict[str, tuple[str, str | None, str] | None] = {}
        for i, n in enumerate(fragment.nodes):
            self.vars[n.rel] = (f"n{i}", n.label, "node")
        for j, e in enumerate(fragment.edges):
            self.vars[e.rel] = (f"e{j}", e.label, "path" if e.variable_length else "rel")

    def _of_kind(self, kind: str) -> dict[str, TableSchema]:
        return {name: t for name, t in self.tables.items() if t.kind == kind}

    def resolve(self, label: str, kind: str) -> str:
        """The catalog spelling of ``label`` (Kuzu names are case-insensitive)."""
        tables = self._of_kind(kind)
        if label in tables:
            return label
        folded = [n for n in tables if n.lower() == label.lower()]
        if len(folded) == 1:
            return folded[0]
        what = "node label" if kind == "node" else "relationship type"
        raise BindError(f"graph {self.source!r} has no {what} {label!r}; "
                        + did_you_mean(label, tables), candidates=list(tables))

    def label(self, label: str, kind: str) -> str:
        return quote_name(self.resolve(label, kind))

    def column(self, col: ColumnRef) -> str:
        if col.rel not in self.vars:
            raise PlanError(f"column {col.key} is not a property of this pattern")
        var = self.vars[col.rel]
        if var is None:
            raise PlanError(f"column {col.key} is a property of a variable-length relationship")
        name, label, kind = var
        if kind == "path":  # a walk has one column, its number of hops
            if col.name != PATH_LENGTH:
                raise PlanError(f"column {col.key} is a property of a variable-length "
                                "relationship")
            return f"length({name})"
        owners = [self.resolve(label, kind)] if label else list(self._of_kind(kind))
        props = {p for t in owners for p in self.tables[t].column_names()}
        prop = col.name if col.name in props else next(
            (p for p in props if p.lower() == col.name.lower()), None)
        if prop is None:
            raise BindError(f"no property {col.name!r} on {label or 'this ' + kind}; "
                            + did_you_mean(col.name, props), candidates=sorted(props))
        text = f"{name}.{quote_name(prop)}"
        if any((t, prop) in self.stringified for t in owners):
            return f"CAST({text} AS STRING)"
        return text
