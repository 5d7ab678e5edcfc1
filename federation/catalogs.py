"""Reading the attached sources' catalogs for a query, and what to plan on while one is down."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from federation.answers import Tokens
from federation.errors import FederationError, SourceUnavailableError
from federation.sources.base import Source
from planner.catalog import SourceInfo


def source_info(name: str, source: Source, tokens: Tokens | None = None) -> SourceInfo:
    """A source's catalog (from the version token the query just read, if any); a driver
    error reading it (a locked file, a vanished one) means the source cannot be used now."""
    try:
        if tokens is not None and name in tokens:
            return source.info_at(tokens[name][1])
        return source.info()
    except FederationError:
        raise
    except Exception as err:
        raise SourceUnavailableError(f"cannot read its catalog: {err}", source=name) from err


def catalogs(sources: Mapping[str, Source], only: frozenset[str] | None
             ) -> dict[str, SourceInfo]:
    """Catalogs of ``sources`` (``only``: the lower-cased names wanted)."""
    return {name: source_info(name, src) for name, src in sources.items()
            if only is None or name.lower() in only}


def query_catalogs(sources: Mapping[str, Source], named: frozenset[str],
                   tokens: Tokens | None, last: dict[str, SourceInfo],
                   mirrored: Callable[[str], bool],
                   refused: Callable[[str], SourceUnavailableError | None] = lambda _: None
                   ) -> tuple[dict[str, SourceInfo], frozenset[str]]:
    """Every source's catalog (each remembered in ``last``) and the sources found down. A
    source that is down keeps its last catalog when a mirror (``mirrored``) may serve it
    (the router then reads the mirror instead); one the query does not name (a mirror
    partner only) is left out. ``refused`` gives the error of a source held down by the
    circuit breaker (``federation.ops.health``): it is not touched."""
    catalog: dict[str, SourceInfo] = {}
    down: set[str] = set()
    for name, source in sources.items():
        try:
            if (error := refused(name)) is not None:
                raise error
            catalog[name] = last[name] = source_info(name, source, tokens)
        except SourceUnavailableError:
            down.add(name)
            if name.lower() not in named:
                continue
            known = last.get(name)
            if known is None or not mirrored(name):
                raise
            catalog[name] = known
    return catalog, frozenset(down)
