"""The DuckDB stage: finishes what no source could do (joins across sources, aggregates, sorts).

One long-lived, sandboxed DuckDB connection per engine; each query gets its own cursor, its Arrow
inputs are registered under generated names on that cursor, and dropped with it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pyarrow as pa

from federation.cancel import interruptible
from federation.errors import BindError, QueryTimeoutError, ResourceLimitError, SourceError
from federation.sqlgen import SqlWriter, quote
from federation.stage_nodes import render_node
from planner.cte_plans import CteScan, With
from planner.expressions import INFIX_SQL, SubqueryExpr
from planner.logical import (
    Aggregate,
    Distinct,
    Filter,
    FragmentInput,
    Join,
    Limit,
    Output,
    Plan,
    Project,
    Sort,
    SortKey,
)
from planner.set_ops import SetOp

if TYPE_CHECKING:
    import duckdb

_JOIN_SQL = {"inner": "INNER JOIN", "left": "LEFT JOIN", "full": "FULL JOIN",
             "cross": "CROSS JOIN"}
CAPPED_BATCH_ROWS = 1 << 16  # rows per batch when a row cap stops reading early
_SEVERAL_ROWS = "More than one row returned by a subquery used as an expression"
# DuckDB rewrites the careful connection goes without. outer_join_simplification: DuckDB 2.0.0
# fails to bind ("INTERNAL Error: Failed to bind column reference") a LEFT JOIN whose right
# columns a filter above tests IS NULL and a later join or projection still reads
CAREFUL_DISABLED_OPTIMIZERS = ("outer_join_simplification",)


# an input read as columns of another's registered table: (its column, named as) pairs
Columns = tuple[tuple[str, str], ...]


def too_many_rows(cap: int) -> str:
    return (f"the result has more than {cap} rows; this engine returns at most {cap} "
            "(connect(max_rows=...))")


class StageCompiler:
    """Compiles the stage plan to one DuckDB statement; every node becomes a subquery whose
    columns are named by their plan-wide unique keys, so references never need qualifiers."""

    def __init__(self, inputs: Mapping[int, str], params: Mapping[str, object],
                 views: Mapping[int, Columns] | None = None) -> None:
        self.inputs = inputs
        self.views = views or {}
        self.writer = SqlWriter("duckdb", params, lambda c: quote(c.key), self._subquery)

    def compile(self, plan: Plan) -> tuple[str, list[object]]:
        sql = self._node(plan)
        return sql, self.writer.values

    def _x(self, expr: object) -> str:
        return self.writer.expr(expr)  # type: ignore[arg-type]

    def _node(self, node: Plan) -> str:
        if isinstance(node, FragmentInput):
            view = self.views.get(node.index)
            if view is None:
                return f"SELECT * FROM {quote(self.inputs[node.index])}"
            cols = ", ".join(f"{quote(a)} AS {quote(b)}" for a, b in view)
            return f"SELECT {cols} FROM {quote(self.inputs[node.index])}"
        if isinstance(node, Output):
            cols = ", ".join(f"{quote(c.key)} AS {quote(n)}"
                             for c, n in zip(node.columns, node.names, strict=True))
            return self._ordered(f"SELECT {cols}", node.child)
        if isinstance(node, Sort | Limit):
            return self._ordered("SELECT *", node)
        if isinstance(node, Filter):
            pred = self._x(node.predicate)
            return f"SELECT * FROM ({self._node(node.child)}) AS _t WHERE {pred}"
        if isinstance(node, Project):
            items = ", ".join(f"{self._x(e)} AS {quote(c.key)}" for c, e in node.items)
            return f"SELECT {items} FROM ({self._node(node.child)}) AS _t"
        if isinstance(node, Join):
            left, right = self._node(node.left), self._node(node.right)
            on = f" ON {self._x(node.condition)}" if node.condition is not None else ""
            if node.kind in ("left", "full") and not on:  # every ON conjunct moved away
                on = " ON TRUE"
            kind = _JOIN_SQL["inner" if node.kind == "cross" and on else node.kind]
            return f"SELECT * FROM ({left}) AS _l {kind} ({right}) AS _r{on}"
        if isinstance(node, Aggregate):
            return self._aggregate(node)
        if isinstance(node, Distinct):
            return f"SELECT DISTINCT * FROM ({self._node(node.child)}) AS _t"
        if isinstance(node, With):  # each CTE computed once, however often it is read
            ctes = ", ".join(self._cte(name, plan, name in node.recursive)
                             for name, plan in node.ctes)
            keyword = "WITH RECURSIVE" if node.recursive else "WITH"
            return f"{keyword} {ctes} {self._node(node.child)}"
        if isinstance(node, CteScan):
            cols = ", ".join(f"{quote(c.key)} AS {quote(r.key)}"
                             for c, r in zip(node.cte_columns, node.columns, strict=True))
            return f"SELECT {cols} FROM {quote(node.name)}"
        return render_node(node, self)  # i10-b: SetOp, Values, Window, DistinctOn

    # i10-b: the node and expression printers, for federation.stage_nodes
    node_sql = _node
    expr_sql = _x

    def _cte(self, name: str, plan: Output, recursive: bool) -> str:
        if not recursive:
            return f"{quote(name)} AS MATERIALIZED ({self._node(plan)})"
        # DuckDB recurses only over a UNION at the top of the CTE's body: the SetOp is written
        # bare, its columns already named by the keys the CTE's scans read
        body = plan.child
        if not isinstance(body, SetOp) or body.columns != plan.columns:
            raise TypeError(f"recursive CTE {name} lost its UNION")
        return f"{quote(name)} AS ({self._node(body)})"

    def _subquery(self, sub: SubqueryExpr) -> str:
        """A subquery as DuckDB SQL over its fragments' inputs; DuckDB decorrelates it."""
        body = self._node(sub.plan)
        if sub.kind == "scalar":
            text = f"({body})"
        elif sub.kind == "exists":
            text = f"(EXISTS ({body}))"
        else:
            assert sub.operand is not None
            text = f"({self._x(sub.operand)} {INFIX_SQL[sub.op]} {sub.kind.upper()} ({body}))"
        return f"(NOT {text})" if sub.negated else text

    def _aggregate(self, node: Aggregate) -> str:
        child = self._node(node.child)
        groups = [self._x(e) for _, e in node.groups]
        items = [f"{g} AS {quote(c.key)}" for g, (c, _) in zip(groups, node.groups, strict=True)]
        items += [f"{self._x(a)} AS {quote(c.key)}" for c, a in node.aggregates]
        group_by = f" GROUP BY {', '.join(groups)}" if groups else ""
        return f"SELECT {', '.join(items) or 'count(*)'} FROM ({child}) AS _t{group_by}"

    def _ordered(self, select: str, node: Plan) -> str:
        """``select`` over ``node``, folding a Limit/Sort chain into one statement so the
        outermost query carries the ORDER BY (DuckDB keeps order only at the top level)."""
        limit: Limit | None = None
        keys: tuple[SortKey, ...] = ()
        if isinstance(node, Limit):
            limit, node = node, node.child
        if isinstance(node, Sort):
            keys, node = node.keys_, node.child
        sql = f"{select} FROM ({self._node(node)}) AS _t"
        if keys:
            sql += " ORDER BY " + ", ".join(self._sort_key(k) for k in keys)
        if limit is not None:
            if limit.limit is not None:
                sql += f" LIMIT {int(limit.limit)}"
            if limit.offset:
                sql += f" OFFSET {int(limit.offset)}"
        return sql

    def _sort_key(self, key: SortKey) -> str:
        text = self._x(key.expr) + (" DESC" if key.descending else " ASC")
        if key.nulls_first is not None:
            text += " NULLS FIRST" if key.nulls_first else " NULLS LAST"
        return text


class JoinStage:
    """A sandboxed DuckDB: no file or network access, no replacement scans, no extension
    autoload, explicit memory and thread limits, configuration locked."""

    def __init__(self, memory_limit: str = "2GB", threads: int = 2) -> None:
        # spills go to a private directory removed at close (DuckDB's default for an in-memory
        # database is ".tmp" in the current directory: the user's); DuckDB makes the inner one
        # when it first spills
        self._spill_root = tempfile.mkdtemp(prefix="fed-duckdb-")
        # removed at close(), or when the stage is collected or the process exits unclosed
        self._spill_cleanup = weakref.finalize(self, shutil.rmtree, self._spill_root, True)
        self._config: dict[str, str | bool | int | float | list[str]] = {
            "enable_external_access": False,
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "python_enable_replacements": False,
            "memory_limit": memory_limit,
            "threads": threads,
            # accepted after enable_external_access only (DuckDB 2.0 refuses it before)
            "temp_directory": os.path.join(self._spill_root, "spill"),
            "lock_configuration": True,
        }
        self._con = self._connect()
        self._careful: duckdb.DuckDBPyConnection | None = None  # made at its first use
        self._careful_lock = threading.Lock()

    def _connect(self, disabled_optimizers: tuple[str, ...] = ()) -> duckdb.DuckDBPyConnection:
        import duckdb  # imported when an engine is made, so `import federation` stays fast

        config = dict(self._config)
        if disabled_optimizers:  # set before lock_configuration takes effect
            config["disabled_optimizers"] = ",".join(disabled_optimizers)
        return duckdb.connect(":memory:", config=config)

    @staticmethod
    def input_name(index: int) -> str:
        """Inputs are registered on the query's own cursor, so names need only be unique
        within one query, which keeps EXPLAIN text stable."""
        return f"_fed_input_{index}"

    def run(self, sql: str, params: list[object],
            inputs: Mapping[str, pa.Table | pa.RecordBatchReader],
            max_rows: int | None = None) -> pa.Table:
        """The statement's result; the running query's token interrupts the cursor (its
        deadline, or close()); past ``max_rows`` rows it stops reading and raises. A
        statement DuckDB fails on with an internal error (one of its own rewrites broke the
        plan) runs again on a connection without those rewrites, when its inputs can be
        read again."""
        import duckdb

        try:
            return self._run_on(self._con, sql, params, inputs, max_rows)
        except duckdb.InternalException as err:
            if not all(isinstance(t, pa.Table) for t in inputs.values()):
                raise _stage_error(err, sql) from err  # a stream read once cannot be replayed
            try:
                return self._run_on(self._careful_connection(), sql, params, inputs, max_rows)
            except duckdb.InternalException:
                raise _stage_error(err, sql) from err

    def _careful_connection(self) -> duckdb.DuckDBPyConnection:
        with self._careful_lock:
            if self._careful is None:
                self._careful = self._connect(CAREFUL_DISABLED_OPTIMIZERS)
            return self._careful

    def _run_on(self, con: duckdb.DuckDBPyConnection, sql: str, params: list[object],
                inputs: Mapping[str, pa.Table | pa.RecordBatchReader],
                max_rows: int | None) -> pa.Table:
        import duckdb

        cursor = con.cursor()
        try:
            for name, table in inputs.items():
                cursor.register(name, table)
            with interruptible(cursor.interrupt):
                if max_rows is None:
                    return cursor.sql(sql, params=params).to_arrow_table()
                return _capped(cursor.sql(sql, params=params), max_rows)
        except duckdb.InterruptException as err:  # the caller raises the token's own reason
            raise QueryTimeoutError("the query was interrupted") from err
        except duckdb.BinderException as err:  # e.g. a type mismatch DuckDB found first
            raise BindError(str(err).split("\n")[0]) from err
        except duckdb.OutOfMemoryException as err:
            raise ResourceLimitError(f"DuckDB stage ran out of memory: {err}") from err
        except duckdb.InvalidInputException as err:
            if _SEVERAL_ROWS in str(err):  # DuckDB's words, kept so they can be searched
                raise SourceError("a scalar subquery returned more than one row ("
                                  f"{_SEVERAL_ROWS.lower()}); use an aggregate, LIMIT 1 or IN",
                                  source="duckdb") from err
            raise _stage_error(err, sql) from err
        except duckdb.InternalException:
            raise  # run() tries the careful connection
        except duckdb.Error as err:
            raise _stage_error(err, sql) from err
        finally:
            # closing the cursor drops the views its inputs were registered as and releases
            # the tables (no unregister: ~0.1 ms an input, checked in tests/test_join_stage.py)
            cursor.close()

    def close(self) -> None:
        try:
            self._con.close()
            with self._careful_lock:
                careful, self._careful = self._careful, None
            if careful is not None:
                careful.close()
        finally:
            self._spill_cleanup()


def _stage_error(err: Exception, sql: str) -> SourceError:
    return SourceError(str(err).split("\n")[0], source="duckdb", fragment=sql)


def _capped(relation: duckdb.DuckDBPyRelation, max_rows: int) -> pa.Table:
    """The relation's rows, streamed batch by batch (DuckDB computes them as they are read);
    raises as soon as they pass ``max_rows``."""
    reader = relation.to_arrow_reader(CAPPED_BATCH_ROWS)
    try:
        batches, rows = [], 0
        for batch in reader:
            rows += batch.num_rows
            if rows > max_rows:
                raise ResourceLimitError(too_many_rows(max_rows))
            batches.append(batch)
        return pa.Table.from_batches(batches, schema=reader.schema)
    finally:
        reader.close()  # ends DuckDB's open result, so the cursor can drop its inputs
