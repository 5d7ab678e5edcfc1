"""Parse events of the graph-pattern forms added for issue 10 item 5 (``OPTIONAL MATCH``),
as a mixin of ``grammar.transformer.ToAst``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from lark import Token, Transformer, v_args

from grammar import ast_relations
from grammar.tokens import Invalid
from grammar.tokens import position as _pos


@v_args(inline=True)
class GraphForms(Transformer[Token, Any]):
    """Inline transformer methods (Lark calls them by rule name); ``ToAst`` derives from it."""

    def optional_match(self, word: Token, _kw: Token, *parts: Any) -> ast_relations.OptionalMatch:
        # OPTIONAL is a soft word: any other name here is a misspelling of it
        if str(word).lower() != "optional":
            raise Invalid(f"unexpected {str(word)!r}; expected OPTIONAL MATCH", word)
        at = _pos(word)
        # a lone "()" has no token of its own: point at the OPTIONAL word
        patterns = tuple(p if p.line else replace(p, **at) for p in parts
                         if isinstance(p, ast_relations.Pattern))
        return ast_relations.OptionalMatch(patterns, **at)

    def path_mode(self, *words: Token) -> str:
        text = " ".join(str(w).lower() for w in words)
        if text not in PATH_MODES:
            raise Invalid(f"unexpected {' '.join(map(str, words))!r}; expected a path mode "
                          "after *: TRAIL, ACYCLIC, SHORTEST or ALL SHORTEST", words[0])
        return text


PATH_MODES = ("trail", "acyclic", "shortest", "all shortest")


def path_mode_of(parts: tuple[Any, ...]) -> tuple[str, list[Token]]:
    """The path mode among a ``hops`` rule's parts (a walk when none), and its integers."""
    modes = [p for p in parts if isinstance(p, str) and not isinstance(p, Token)]
    return (modes[0] if modes else "walk"), [p for p in parts if isinstance(p, Token)]
