"""The record type of the differential corpus."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Query:
    """One FQL query that is also valid DuckDB SQL over schema ``crm``.

    ``ordered`` is True only when the ORDER BY fully determines the row order (then the rows
    are compared as a sequence); otherwise they are compared as a multiset.
    """

    id: str
    text: str
    params: dict[str, Any] = field(default_factory=dict)
    ordered: bool = False


def q(qid: str, text: str, params: dict[str, Any] | None = None, *,
      ordered: bool = False) -> Query:
    return Query(qid, text.strip(), dict(params or {}), ordered)
