"""Kuzu's write path: the path's shared ``Database`` reopened read-write (``kuzu_db.
make_writable``), one writing connection per source, explicit ``BEGIN TRANSACTION`` …
``COMMIT``. Rows arrive by ``COPY … FROM`` an Arrow table (Kuzu's bulk path, which also
works inside a transaction and refuses a rel row whose endpoint is missing), updates and
deletes by key through ``UNWIND $rows`` with every value a parameter.

Reads through the engine use other connections: they see a transaction's writes once it
commits; the write generation is bumped then, which moves the result cache's token.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from federation.sources.cypher import quote_name
from federation.sources.kuzu_db import Statements, driver, make_writable
from federation.writes.rows import ENDPOINTS, KEY
from federation.writes.store import Op, StoreWriter, fql_name

if TYPE_CHECKING:
    from federation.sources.kuzu import Kuzu
    from planner.catalog import TableSchema

MARKS = "_FedTxn"  # marker node table: one node per cross-store transaction committed here
# its statements as plain text: the table name is fixed, every id a bound value
_MARKS_CREATE = "CREATE NODE TABLE IF NOT EXISTS _FedTxn(id STRING PRIMARY KEY)"
_MARKS_ADD = "CREATE (:_FedTxn {id: $id})"
_MARKS_FORGET = "MATCH (m:_FedTxn) WHERE m.id IN $ids DELETE m"
_MARKS_HAS = "MATCH (m:_FedTxn) WHERE m.id = $id RETURN m.id"
COPY_MIN_ROWS = 256  # below this, CREATE through UNWIND beats COPY's fixed cost (~70 ms)


class KuzuWriter(StoreWriter):
    def __init__(self, source: Kuzu) -> None:
        super().__init__(source.name, source.kind, os.path.abspath(source.path))
        self._source = source
        self._con: Any = None
        self._open = False
        # the writing connection is also read through while a transaction is open (queries
        # then see its writes), by the engine's fragment threads: one user at a time
        self._use = threading.RLock()
        self._prepared: Statements | None = None
        self._generation = 0  # moves with DDL: prepared statements are made again
        self._marks_made = False
        self._tables: dict[str, TableSchema] = {}  # the catalog as last read (forget_schema)

    def _connection(self) -> Any:
        if self._con is None:
            make_writable(self._source.path, self._source._db(), self.name)
            self._con = driver().Connection(self._source.database)
        return self._con

    def open(self) -> None:
        with self._use:
            self._connection()  # reopens the path's Database read-write the first time

    @property
    def in_transaction(self) -> bool:
        return self._open

    @contextmanager
    def read_connection(self) -> Iterator[Any]:
        with self._use:
            yield self._connection()

    def _cypher(self, text: str, params: dict[str, object] | None = None) -> list[Any]:
        """Run ``text``; statements with parameters are prepared once per text (parsing and
        planning a one-row CREATE costs about as much as running it)."""
        with self._use:
            con = self._connection()
            if params:
                if self._prepared is None or self._prepared.con is not con:
                    self._prepared = Statements(con)
                prepared = self._prepared.get(text, self._generation)
                result = con.execute(prepared, params)
            else:
                result = con.execute(text, {})
            try:
                return [result.get_next() for _ in iter(result.has_next, False)]
            finally:
                result.close()

    # ---- catalog
    def _schema(self, table: str) -> TableSchema:
        if table not in self._tables:  # the engine's writes move the version: kept here
            self._tables = dict(self._source.info().tables)
        return self._tables[table]

    def forget_schema(self) -> None:
        """DDL went through ``Kuzu.write``: read the catalog again."""
        self._tables = {}
        self._generation += 1

    def table_names(self) -> list[str]:
        if not self._tables:
            self._tables = dict(self._source.info().tables)
        return list(self._tables)

    def columns(self, table: str) -> dict[str, pa.DataType]:
        schema = self._schema(table)
        if schema.kind != "rel":
            return dict(schema.columns)
        start, end = self._endpoints(schema)
        tables = {n: self._schema(n) for n in (start, end)}
        return {ENDPOINTS[0]: _key_type(tables[start]), ENDPOINTS[1]: _key_type(tables[end]),
                **dict(schema.columns)}

    @staticmethod
    def _endpoints(schema: TableSchema) -> tuple[str, str]:
        if len(schema.endpoints) != 1:
            raise TypeError(f"rel table {schema.name} connects several label pairs: writes "
                            "to it are not supported")
        return schema.endpoints[0]

    def keys(self, table: str) -> tuple[str, ...]:
        schema = self._schema(table)
        if schema.kind == "rel":  # a relationship has no key: its endpoints and properties
            return (*ENDPOINTS, *schema.column_names())
        return schema.unique[:1] or tuple(schema.column_names())

    def relation(self, source: str, table: str) -> str:
        """A rel table as a derived table of its endpoints' keys and its properties."""
        schema = self._schema(table)
        if schema.kind != "rel":
            return super().relation(source, table)
        start, end = self._endpoints(schema)
        items = [f"a.{fql_name(self._schema(start).unique[0])} AS {fql_name(ENDPOINTS[0])}",
                 f"b.{fql_name(self._schema(end).unique[0])} AS {fql_name(ENDPOINTS[1])}",
                 *(f"e.{fql_name(c)} AS {fql_name(c)}" for c in schema.column_names())]
        return (f"(SELECT {', '.join(items)} FROM MATCH {fql_name(source)} "
                f"(a:{fql_name(start)})-[e:{fql_name(table)}]->(b:{fql_name(end)})) "
                f"AS {fql_name(table)}")

    # ---- ops
    def insert_ops(self, table: str, rows: pa.Table,
                   columns: Mapping[str, pa.DataType] | None = None) -> list[Op]:
        columns = self.columns(table) if columns is None else columns
        if rows.num_rows < COPY_MIN_ROWS:
            return [self._create_op(table, rows)]
        full = pa.table({n: rows.column(n) if n in rows.column_names
                         else pa.nulls(rows.num_rows, t) for n, t in columns.items()})
        return [Op(table, f"COPY {quote_name(table)} FROM frame", full)]

    def _create_op(self, table: str, rows: pa.Table) -> Op:
        """A few rows: CREATE each through UNWIND; a rel row whose endpoint is missing
        matches nothing, so the count returned is checked (``run``: ``expect``)."""
        schema = self._schema(table)
        props = [n for n in rows.column_names if n not in ENDPOINTS]
        body = "{" + ", ".join(f"{quote_name(p)}: r.{_param(p)}" for p in props) + "}"
        if schema.kind != "rel":
            text = f"UNWIND $rows AS r CREATE (n:{quote_name(table)} {body}) RETURN count(*)"
        else:
            match = self._match(table, ())
            text = f"UNWIND $rows AS r {match} CREATE (a)-[n:{quote_name(table)} {body}]->(b)" \
                   " RETURN count(*)"
        return Op(table, text, {"rows": _records(rows), "expect": rows.num_rows})

    def update_ops(self, table: str, keys: tuple[str, ...], rows: pa.Table,
                   assigned: tuple[str, ...]) -> list[Op]:
        sets = ", ".join(f"n.{quote_name(c)} = r.{_param(c)}" for c in assigned)
        text = f"UNWIND $rows AS r {self._match(table, keys, KEY)} SET {sets} RETURN count(*)"
        picked = rows.select([*assigned, *(KEY + k for k in keys)])
        return [Op(table, text, {"rows": _records(picked)})]

    def delete_ops(self, table: str, keys: tuple[str, ...], rows: pa.Table) -> list[Op]:
        text = f"UNWIND $rows AS r {self._match(table, keys)} DELETE n RETURN count(*)"
        records = list({tuple(r.items()): r for r in _records(rows.select(list(keys)))}.values())
        return [Op(table, text, {"rows": records})]

    def _match(self, table: str, keys: tuple[str, ...], prefix: str = "") -> str:
        """MATCH of the rows whose ``keys`` equal the parameter row ``r``'s ``prefix + key``
        fields (a rel: its endpoints too)."""
        schema = self._schema(table)
        props = [k for k in keys if k not in ENDPOINTS]
        conds = [_same(f"n.{quote_name(k)}", f"r.{_param(prefix + k)}") for k in props]
        if schema.kind != "rel":
            if not conds:
                raise TypeError(f"node table {table} has no column to match rows by")
            return f"MATCH (n:{quote_name(table)}) WHERE " + " AND ".join(conds)
        start, end = self._endpoints(schema)
        tables = {n: self._schema(n) for n in (start, end)}
        conds += [f"a.{quote_name(tables[start].unique[0])} = r.{_param(prefix + '_from')}",
                  f"b.{quote_name(tables[end].unique[0])} = r.{_param(prefix + '_to')}"]
        ends = f"MATCH (a:{quote_name(start)}), (b:{quote_name(end)})" if not props and \
            not keys else f"MATCH (a:{quote_name(start)})-[n:{quote_name(table)}]->" \
                          f"(b:{quote_name(end)})"
        return ends + " WHERE " + " AND ".join(conds)

    def run(self, op: Op) -> int:
        if isinstance(op.payload, pa.Table):
            frame = op.payload  # noqa: F841  (Kuzu's COPY reads ``frame`` from this scope)
            with self._use:
                self._connection().execute(op.text).close()
            return op.payload.num_rows
        params = dict(op.payload)  # type: ignore[call-overload]
        expect = params.pop("expect", None)
        found = self._cypher(op.text, params)
        count = int(found[0][0]) if found else 0
        if expect is not None and count != expect:
            raise ValueError(f"{expect - count} of {expect} rows name an endpoint ({ENDPOINTS[0]}"
                             f" or {ENDPOINTS[1]}) that is not a node of its table")
        return count

    # ---- transaction
    def begin(self) -> None:
        if not self._marks_made:
            self._cypher(_MARKS_CREATE)
            self._marks_made = True
        self._cypher("BEGIN TRANSACTION")
        self._open = True

    def mark(self, txn: str, forget: Sequence[str] = ()) -> None:
        self._cypher(_MARKS_ADD, {"id": txn})
        if forget:
            self._cypher(_MARKS_FORGET, {"ids": list(forget)})

    def commit(self) -> None:
        try:
            self._cypher("COMMIT")
        finally:
            self._open = False
            self._source.bump_version()

    def rollback(self) -> None:
        if self._open:
            self._open = False
            try:
                self._cypher("ROLLBACK")
            except RuntimeError as err:
                # a failed statement ends Kuzu's transaction itself (rolled back already)
                if "no active transaction" not in str(err).lower():
                    raise
            finally:
                self._source.bump_version()

    def has_mark(self, txn: str) -> bool:
        tables = {r[0] for r in self._cypher("CALL show_tables() RETURN name")}
        return MARKS in tables and bool(
            self._cypher(_MARKS_HAS, {"id": txn}))

    def close(self) -> None:
        con, self._con = self._con, None
        if con is not None:
            con.close()


def _key_type(schema: TableSchema) -> pa.DataType:
    return dict(schema.columns)[schema.unique[0]]


def _param(name: str) -> str:
    return quote_name(name)


def _same(left: str, right: str) -> str:
    """Equal, or both NULL (a key column may hold NULL)."""
    return f"({left} = {right} OR ({left} IS NULL AND {right} IS NULL))"


def _records(rows: pa.Table) -> list[dict[str, object]]:
    return list(rows.to_pylist())
