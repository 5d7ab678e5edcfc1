"""Names in scope while binding: the relations of one FROM clause, select-list aliases, and
the scope of the query around a subquery (whose columns a correlated subquery reads)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from grammar import ast
from planner.errors import BindError, did_you_mean
from planner.expressions import BExpr, ColumnRef, OuterRef


@dataclass(frozen=True)
class RelBinding:
    """A relation in scope: its user alias and its columns by lower-cased name."""

    alias: str
    columns: tuple[ColumnRef, ...]
    by_name: dict[str, ColumnRef] = field(compare=False, hash=False)
    metrics: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    # what the relation is, when its alias does not say (an unlabelled MATCH node): in errors
    origin: str = field(default="", compare=False, hash=False)

    @staticmethod
    def of(alias: str, columns: tuple[ColumnRef, ...],
           metrics: dict[str, str] | None = None, origin: str = "") -> RelBinding:
        by_name: dict[str, ColumnRef] = {}
        for col in columns:
            by_name.setdefault(col.name.lower(), col)
        return RelBinding(alias, columns, by_name, metrics or {}, origin)

    def metric(self, col: ColumnRef) -> str | None:
        """The distance metric of ``col`` when it is a vector column of this relation."""
        if self.by_name.get(col.name.lower()) != col:
            return None
        return self.metrics.get(col.name)


@dataclass
class Scope:
    """Names visible to an expression; ``aliases`` are select-list aliases usable by name.

    ``outer`` is the scope of the query a subquery stands in: a name found only there is an
    outer reference (``OuterRef``), which makes the subquery correlated.
    """

    rels: list[RelBinding]
    aliases: Mapping[str, BExpr] = field(default_factory=dict)
    allow_aggregates: bool = False
    prefer_aliases: bool = False
    outer: Scope | None = None
    windows: object = None  # i10-b: the SELECT's WindowCollector where window calls may stand

    def find_rel(self, name: str, node: ast.Node) -> RelBinding:
        found = self._rel(name)
        if found is None:
            raise BindError(f"unknown relation {name!r}; "
                            + did_you_mean(name, [r.alias for r in self.rels]),
                            line=node.line, column=node.column,
                            candidates=[r.alias for r in self.rels])
        return found

    def _rel(self, name: str) -> RelBinding | None:
        return next((r for r in self.rels if r.alias.lower() == name.lower()), None)

    def resolve(self, col: ast.Column) -> BExpr:
        found = self.lookup(col)
        if found is not None:
            return found
        if col.rel is not None:
            self.find_rel(col.rel, col)  # raises: no relation of that name in any scope
        names = [f"{r.alias}.{c.name}" for r in self.rels for c in r.columns] + list(self.aliases)
        hint = did_you_mean(col.name, names)
        if not hint.startswith("did you mean"):  # not a typo: maybe another dialect's
            quoted = "'" + col.name.replace("'", "''") + "'"  # "string", a name in FQL
            hint += f" (a string is written in single quotes, {quoted}; double quotes " \
                "name a column)"
        raise BindError(f"unknown column {col.name!r}; {hint}", line=col.line,
                        column=col.column, candidates=names)

    def lookup(self, col: ast.Column) -> BExpr | None:
        """``col`` in this scope, else in the outer scopes (as an ``OuterRef``); None when no
        scope has it. The nearest scope that has the name wins, as in SQL."""
        found = self._qualified(col) if col.rel is not None else self._bare(col)
        if found is not None or self.outer is None:
            return found
        outer = self.outer.lookup(col)
        if outer is None:
            return None
        return outer if isinstance(outer, OuterRef) else OuterRef(outer)  # type: ignore[arg-type]

    def _qualified(self, col: ast.Column) -> BExpr | None:
        assert col.rel is not None
        rel = self._rel(col.rel)
        if rel is None:
            return None
        found = rel.by_name.get(col.name.lower())
        if found is None:
            names = [c.name for c in rel.columns]
            what = f" ({rel.origin})" if rel.origin else ""
            raise BindError(f"relation {rel.alias!r}{what} has no column {col.name!r}; "
                            + did_you_mean(col.name, names), line=col.line,
                            column=col.column, candidates=names)
        return found

    def _bare(self, col: ast.Column) -> BExpr | None:
        alias = next((e for a, e in self.aliases.items() if a.lower() == col.name.lower()), None)
        if alias is not None and self.prefer_aliases:
            return alias
        hits = [r.by_name[col.name.lower()] for r in self.rels if col.name.lower() in r.by_name]
        if len(hits) > 1:  # i10-b: after JOIN … USING (name) a bare name is the merged column
            from planner.bind_joins import using_column

            merged = using_column(self.rels, col.name.lower())
            if merged is not None:
                return merged
        if len(hits) > 1:
            owners = [r.alias for r in self.rels if col.name.lower() in r.by_name]
            raise BindError(f"column {col.name!r} is ambiguous: it is in {owners}; qualify it",
                            line=col.line, column=col.column, candidates=owners)
        if hits:
            return hits[0]
        return alias
