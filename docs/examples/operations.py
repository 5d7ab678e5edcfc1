"""The operations tour of the README, run as it is printed there:
``PYTHONPATH=. .venv/bin/python docs/examples/operations.py``."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from pathlib import Path

import federation as fed

MIGRATIONS = {
    "crm/001_agents.sql": "CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT, team TEXT);\n"
                          "INSERT INTO agents VALUES (1, 'ada', 'core'), (2, 'bob', 'ml');\n",
    "crm/002_team_index.sql": "CREATE INDEX agents_team ON agents(team);\n",
    "graph/001_agents.cypher": "CREATE NODE TABLE Agent(id INT64, name STRING, PRIMARY KEY (id));\n"
                               "CREATE NODE TABLE Task(id INT64, title STRING, PRIMARY KEY (id));\n"
                               "CREATE REL TABLE ASSIGNED_TO(FROM Agent TO Task);\n",
    "docs/001_knowledge.json": json.dumps({"operations": [
        {"op": "create_table", "table": "knowledge",
         "schema": {"id": "int64", "body": "string", "vec": "float32[4]"}},
        {"op": "create_index", "table": "knowledge", "column": "id", "kind": "BTREE"}]}),
}


def main(root: Path) -> None:
    for name, text in MIGRATIONS.items():
        (root / "migrations" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "migrations" / name).write_text(text)
    eng = fed.connect(pool_size=4)
    eng.attach("crm", fed.SQLite(root / "crm.db"))
    eng.attach("graph", fed.Kuzu(root / "graph.kuzu"))
    eng.attach("docs", fed.LanceDB(root / "lance"))

    print(">>> eng.migrate('migrations/')")
    print(eng.migrate(root / "migrations"))
    print(">>> eng.migrate('migrations/').applied   # again: nothing to do")
    print(eng.migrate(root / "migrations").applied)
    (root / "migrations/crm/001_agents.sql").write_text("-- edited\n" + MIGRATIONS[
        "crm/001_agents.sql"])
    print(">>> # 001_agents.sql edited after it ran")
    try:
        eng.migrate(root / "migrations")
    except fed.MigrationError as err:
        print(f"MigrationError: {err}")

    print(">>> eng.health()['crm']")
    print(eng.health()["crm"])

    async def callers() -> list[fed.Result]:
        return await asyncio.gather(*(
            eng.aquery("SELECT a.name FROM crm.agents a WHERE a.id = $id", {"id": i % 2 + 1})
            for i in range(1000)))

    print(">>> 1000 concurrent eng.aquery(...) calls")
    print(sorted({r.to_pylist()[0]["name"] for r in asyncio.run(callers())}))
    metrics = eng.metrics()
    print(">>> m = eng.metrics(); m['queries'], m['cache'], m['pools']['crm']")
    print(metrics["queries"], metrics["cache"])
    print({k: v for k, v in metrics["pools"]["crm"].items() if k != "wait_seconds"})
    print(">>> print(eng.metrics(format='prometheus'))   # the first lines")
    print("\n".join(eng.metrics(format="prometheus").splitlines()[:12]))
    eng.close()


if __name__ == "__main__":
    folder = Path(tempfile.mkdtemp(prefix="fed-ops-"))
    try:
        main(folder)
    finally:
        shutil.rmtree(folder)
