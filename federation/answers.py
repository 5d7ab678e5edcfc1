"""What the engine files its answers and legs under in the result cache (``federation.cache``).

A key has the query's syntax tree (its hash computed once per distinct text), its parameter
values with their types, the forced route, and the version token of every source the query
may read (its mirrors' too: a mirror may serve it), each tagged with the number of the attach
that made that source: a source detached and another attached under its name never presents
an earlier source's token.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Hashable, Mapping, Sequence

import pyarrow as pa

from federation.cache import Key, ResultCache, frozen_params, frozen_value, table_bytes
from federation.errors import FederationError
from federation.result import Result
from federation.sources.base import CompiledFragment, Source
from grammar import ast
from grammar.ast_relations import sources_of
from planner.explain import FragmentText
from planner.functions.clock import calls_clock

Tokens = dict[str, tuple[int, Hashable]]  # source: (its attach, its version)


class QueryKey(Key):
    """A parsed query as a key part: equal trees are equal keys whatever their text; the
    hash of the tree (and the sources it names) are computed once, when it is parsed.

    >>> from grammar.parser import parse
    >>> q = QueryKey(parse("SELECT a.x FROM s.t AS a"))
    >>> import pickle
    >>> q == QueryKey(parse("select a.x  from s.t as a")), pickle.loads(pickle.dumps(q)) == q
    (True, True)
    """

    query: ast.QueryExpr
    names: frozenset[str]
    clock: bool

    def __new__(cls, query: ast.QueryExpr) -> QueryKey:
        key = super().__new__(cls, query)
        key.query = query
        key.names = sources_of(query)
        key.clock = calls_clock(query)  # current_date: the answer changes with the day
        return key


def source_tokens(sources: Mapping[str, Source], attaches: Mapping[str, int]
                  ) -> Tokens | None:
    """Every source's version token now, or None when one cannot say (it is down: the
    query then runs uncached, and a mirror may serve it)."""
    tokens: Tokens = {}
    for name, source in sources.items():
        try:
            tokens[name] = (attaches.get(name, 0), source.version())
        except FederationError:  # down or locked: the query runs uncached (and says why)
            return None
    return tokens


def today() -> tuple[dt.date, dt.date]:
    """The local and the UTC date: DuckDB's ``current_date`` is one of them (its TimeZone
    setting, the local zone with ICU, else UTC), so an answer is kept while both stay."""
    return dt.date.today(), dt.datetime.now(dt.UTC).date()


def answer_key(query: QueryKey, values: Mapping[str, object], route: str | None,
               tokens: Tokens) -> Hashable:
    """A plain tuple, hashed in C each time the cache asks (its parts' hashes are cheap or
    remembered: the query's is its value): building a ``Key`` was a Python call more on
    every miss, which pays for each (the key took 2.6% of a one-row lookup's miss)."""
    # a query reading the clock is filed under today's date too: tomorrow it is another entry
    day = today() if query.clock else None
    # sorted: a query's sources may come in another order next time (one needs no sort)
    versions = tuple(tokens.items()) if len(tokens) < 2 else tuple(sorted(tokens.items()))
    return query, frozen_params(values), route, versions, day


# what an entry holds besides its Arrow buffers (a Result, its plan, the key's objects):
# about 1.9 KB was measured for a small query; its texts and values are counted on top
ENTRY_OVERHEAD = 2048
_VALUE_BYTES = 32


def answer_bytes(result: Result) -> int:
    """The bytes an answer holds: its Arrow buffers and an estimate of its Python objects
    (many small answers would otherwise fill memory far past the cache's bound)."""
    plan = result.plan
    texts = len(plan.stage_sql)
    for f in plan.fragments:  # a loop, not a generator: this runs on every miss
        texts += len(f.native) + _VALUE_BYTES * len(f.params)
    return table_bytes(result.arrow()) + ENTRY_OVERHEAD + texts


def leg_key(compiled: CompiledFragment, token: Hashable) -> Hashable | None:
    """A compiled fragment's key: its source, native text, bound values, declared schema and
    that source's token (None: a bound value has no key form, and the leg is not kept)."""
    try:
        params = tuple(_frozen_bound(v) for v in compiled.params)
    except (TypeError, ValueError):
        return None
    return Key(compiled.source, compiled.kind, compiled.native, params, compiled.schema, token)


def _frozen_bound(value: object) -> Hashable:
    """A bound value; a list (an IN list, a vector) element by element, types kept."""
    if isinstance(value, list | tuple):
        return "list", tuple(_frozen_bound(v) for v in value)
    return frozen_value(value)


def hit(result: Result, how: str, start: float) -> Result:
    """The stored answer, with a plan that says it came from the cache and when it was
    computed."""
    said = "hit" if how == "hit" else "hit (computed once for concurrent identical queries)"
    return Result(result.arrow(), result.plan.as_hit(said, time.perf_counter() - start))


def leg_note(fragments: Sequence[FragmentText]) -> str:
    """What a miss says: which legs it read from the cache."""
    for f in fragments:  # the usual miss reused none: one pass, no list built
        if f.reused:
            break
    else:
        return "miss"
    reused = [f"#{i} ({f.source})" for i, f in enumerate(fragments) if f.reused]
    return "miss, partial reuse: fragments " + ", ".join(reused) + " read from the cache"


class LegReuse:
    """The legs of one query's run in the result cache, under the tokens read before it ran
    (``federation.executor.Legs``)."""

    __slots__ = ("_cache", "_keys", "_tokens")

    def __init__(self, cache: ResultCache[Result], tokens: Tokens) -> None:
        self._cache = cache
        self._tokens = tokens
        # each leg's key, made once for its lookup and its store (the fragment is held
        # here, so no other object takes its id during the run)
        self._keys: dict[int, tuple[CompiledFragment, Hashable | None]] = {}

    def _key(self, compiled: CompiledFragment) -> Hashable | None:
        known = self._keys.get(id(compiled))
        if known is not None and known[0] is compiled:
            return known[1]
        token = self._tokens.get(compiled.source)
        key = None if token is None else leg_key(compiled, token)
        self._keys[id(compiled)] = (compiled, key)
        return key

    def get(self, compiled: CompiledFragment) -> pa.Table | None:
        key = self._key(compiled)
        return None if key is None else self._cache.leg(key)

    def keep(self, compiled: CompiledFragment, table: pa.Table) -> None:
        key = self._key(compiled)
        if key is not None:
            self._cache.keep_leg(key, table, ENTRY_OVERHEAD + len(compiled.native)
                                 + _VALUE_BYTES * len(compiled.params))
