"""LanceDB writes the cache tests make, by a table in the test's process or in a child process
(which imports this module: no pytest here)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

DIM = 4
Op = dict[str, Any]


def docs_table(ids: range | list[int], grp: str | None = None) -> pa.Table:
    """LanceDB rows: ``grp`` alternates a/b unless given; the vector's first value is the id."""
    return pa.table({
        "id": pa.array(list(ids), pa.int64()),
        "grp": [grp or ("a" if i % 2 else "b") for i in ids],
        "vector": pa.array([[float(i), 0.0, 1.0, 0.0] for i in ids],
                           pa.list_(pa.float32(), DIM))})


def apply_op(db: Any, op: Op) -> None:
    """One write to the ``docs`` table of the LanceDB connection ``db``."""
    data = docs_table(list(op.get("ids", [])), str(op.get("grp", "c")))
    if op["op"] == "recreate":
        db.drop_table("docs")
        db.create_table("docs", data)
        return
    table = db.open_table("docs")
    if op["op"] == "add":
        table.add(data)
    elif op["op"] == "delete":
        table.delete(op["where"])
    elif op["op"] == "update":
        table.update(where=op["where"], values={"grp": op["grp"]})
    else:
        table.add(data, mode="overwrite")
