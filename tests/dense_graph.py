"""A Kuzu graph whose variable-length walks are slow enough to interrupt: 200 nodes, each
linked to about a third of the others (the lifecycle and timeout tests share it)."""

from __future__ import annotations

from pathlib import Path


def build_dense_graph(path: Path) -> None:
    from federation.sources.kuzu import driver

    kz = driver()
    db = kz.Database(str(path))
    kc = kz.Connection(db)
    kc.execute("CREATE NODE TABLE N(id INT64, PRIMARY KEY(id))")
    kc.execute("CREATE REL TABLE R(FROM N TO N)")
    kc.execute("UNWIND range(0, 199) AS i CREATE (:N {id: i})")
    kc.execute("MATCH (a:N), (b:N) WHERE a.id <> b.id AND (a.id + b.id) % 3 = 0 "
               "CREATE (a)-[:R]->(b)")
    kc.close()
    db.close()
