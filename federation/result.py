"""Query results and the executed plan they carry."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from planner.explain import FragmentText, explain_text
from planner.logical import Plan
from planner.router import RouteDecision


@dataclass(frozen=True)
class ExecutedPlan:
    """The plan as run: DuckDB stage, fragments with native text, rows and timings."""

    stage: Plan
    fragments: tuple[FragmentText, ...]
    stage_sql: str
    timings: dict[str, float]
    analyzed: bool = True
    notes: tuple[str, ...] = ()  # key passing: planned, applied or skipped
    route: RouteDecision | None = None  # the alternatives the router weighed (None: one)
    # the result cache: "off", "not used: …", "miss", "miss, partial reuse: …", "hit …"
    cache: str = ""
    computed: dict[str, float] | None = None  # a hit: the timings of the run it stored

    def as_hit(self, said: str, seconds: float) -> ExecutedPlan:
        """This plan as the answer of a cache hit that took ``seconds``."""
        return ExecutedPlan(self.stage, self.fragments, self.stage_sql,
                            {"cache": seconds, "total": seconds}, self.analyzed, self.notes,
                            self.route, said, self.timings)

    def __str__(self) -> str:
        text = explain_text(self.stage, dict(enumerate(self.fragments)), self.stage_sql,
                            self.analyzed)
        if self.route is not None:
            # predictions cover fragments and stage: the actual leaves parsing and planning out
            actual = self.timings["total"] - self.timings.get("plan", 0.0) \
                if self.analyzed and "total" in self.timings else None
            text += "\n== Route ==\n" + "\n".join(self.route.lines(actual))
        if self.notes:
            text += "\n== Key passing ==\n" + "\n".join(self.notes)
        if self.cache:
            text += f"\n== Cache ==\n{self.cache}"
            if self.computed:
                text += "\n(fragments and stage above: as run when stored, " + \
                    f"{self.computed.get('total', 0.0) * 1000:.2f}ms)"
        if self.analyzed and self.timings:
            parts = "  ".join(f"{k}={v * 1000:.2f}ms" for k, v in self.timings.items())
            text += f"\n== Timings ==\n{parts}"
        return text

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


class Result:
    """Rows of one query as Arrow; ``plan`` is the executed plan with timings."""

    def __init__(self, table: pa.Table, plan: ExecutedPlan) -> None:
        self._table = table
        self.plan = plan

    def arrow(self) -> pa.Table:
        return self._table

    def df(self) -> Any:
        """A pandas DataFrame (needs the optional ``pandas`` extra)."""
        try:
            import pandas  # noqa: F401
        except ImportError as err:
            from federation.errors import ConfigurationError

            raise ConfigurationError("Result.df() needs pandas: pip install "
                                     "'federation[pandas]'") from err
        return self._table.to_pandas()

    def to_pylist(self) -> list[dict[str, Any]]:
        return self._table.to_pylist()

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self._table.__arrow_c_stream__(requested_schema)

    def __len__(self) -> int:
        return self._table.num_rows

    def __repr__(self) -> str:
        return f"<Result {self._table.num_rows} rows x {self._table.num_columns} columns>"

    def _repr_html_(self, max_rows: int = 20) -> str:
        names = self._table.column_names
        head = "".join(f"<th>{html.escape(str(n))}</th>" for n in names)
        body = []
        shown = self._table.slice(0, max_rows)
        for row in zip(*(c.to_pylist() for c in shown.columns), strict=True):
            cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
            body.append(f"<tr>{cells}</tr>")
        more = self._table.num_rows - max_rows
        note = f"<p>… {more} more rows</p>" if more > 0 else ""
        return (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
                f"{note}<p>{self._table.num_rows} rows</p>")
