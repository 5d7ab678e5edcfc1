"""The LALR parse table kept ready-made next to Lark's own cache.

Lark's cache stores the analysed grammar in its serialized form; loading it rebuilds every
state's action dict object by object, which is most of a fresh process's first parse (about
30 ms for FQL's 680 states). The rebuilt table pickled as it is loads in about 5 ms. It is
filed under the name of Lark's cache file (grammar text and Lark version), so an edited
grammar or another Lark never reads a table made for another; an unreadable or stale file
only costs the rebuild.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from lark.grammar import Rule
from lark.parsers import lalr_analysis, lalr_parser

_PATCH_LOCK = threading.Lock()


def _load_or_build(path: str, build: Callable[[], Any]) -> Any:
    try:
        with open(path, "rb") as f:
            table = pickle.load(f)
        if isinstance(table, lalr_parser.IntParseTable):
            return table
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError):
        pass  # absent or unreadable: build it, and keep it for the next process
    table = build()
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            _TablePickler(f, protocol=pickle.HIGHEST_PROTOCOL).dump(table)
        os.replace(tmp, path)  # readers see the whole file or none
    except OSError:
        pass
    return table


def _rule(origin: Any, expansion: Any, order: int, alias: Any, options: Any) -> Rule:
    return Rule(origin, expansion, order, alias, options)


class _TablePickler(pickle.Pickler):
    """Lark's parser tells a shift from a reduce by identity (``action is Shift``): the two
    actions are written as references to Lark's own objects, never as copies. A rule keeps
    its hash in a slot, and string hashes change from process to process: rules are made
    again through their constructor, which hashes them anew."""

    def reducer_override(self, obj: object) -> Any:
        if obj is lalr_analysis.Shift:
            return "Shift"
        if obj is lalr_analysis.Reduce:
            return "Reduce"
        if isinstance(obj, Rule):
            return _rule, (obj.origin, obj.expansion, obj.order, obj.alias, obj.options)
        return NotImplemented


@contextmanager
def ready_tables(cache_file: str | None) -> Iterator[None]:
    """While Lark loads a parser from ``cache_file``, its parse table comes from the pickle
    next to it (made on the first load)."""
    if cache_file is None:
        yield
        return
    path = cache_file + ".table"
    original = lalr_parser.LALR_Parser.deserialize

    def deserialize(cls: type, data: Any, memo: Any, callbacks: Any,
                    debug: bool = False) -> Any:
        inst = lalr_parser.LALR_Parser.__new__(lalr_parser.LALR_Parser)
        inst._parse_table = _load_or_build(
            path, lambda: lalr_parser.IntParseTable.deserialize(data, memo))
        inst.parser = lalr_parser._Parser(inst._parse_table, callbacks, debug)
        return inst

    with _PATCH_LOCK:
        lalr_parser.LALR_Parser.deserialize = classmethod(deserialize)  # type: ignore[assignment,method-assign]
        try:
            yield
        finally:
            lalr_parser.LALR_Parser.deserialize = original  # type: ignore[method-assign]
