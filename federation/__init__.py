"""Federation: one query language over SQLite, Kuzu and LanceDB, finished in DuckDB.

>>> import federation as fed
>>> with fed.connect() as eng:
...     eng.query("SELECT 1 AS one FROM x.y")  # doctest: +SKIP

The error classes load with the package; the engine, results and sources on first use of their
names (PEP 562), so ``import federation`` costs little more than ``import pyarrow`` and the
engine's modules load when ``fed.connect`` is first read.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from federation.errors import (
    BindError,
    ConfigurationError,
    FederationError,
    PlanError,
    QuerySyntaxError,
    QueryTimeoutError,
    ResourceLimitError,
    SourceError,
    SourceUnavailableError,
    TransactionError,
)

if TYPE_CHECKING:
    from federation.engine import Engine, connect
    from federation.ops.health import CircuitOpenError
    from federation.ops.metrics import metrics_text
    from federation.ops.migrations import MigrationError
    from federation.result import ExecutedPlan, Result
    from federation.sources.kuzu import Kuzu
    from federation.sources.lancedb import LanceDB
    from federation.sources.sqlite import SQLite

_LAZY = {"Engine": "federation.engine", "connect": "federation.engine",
         "ExecutedPlan": "federation.result", "Result": "federation.result",
         "Kuzu": "federation.sources.kuzu", "LanceDB": "federation.sources.lancedb",
         "SQLite": "federation.sources.sqlite",
         "MigrationError": "federation.ops.migrations",
         "CircuitOpenError": "federation.ops.health",
         "metrics_text": "federation.ops.metrics"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'federation' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later reads are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "BindError",
    "CircuitOpenError",
    "ConfigurationError",
    "Engine",
    "ExecutedPlan",
    "FederationError",
    "Kuzu",
    "LanceDB",
    "MigrationError",
    "PlanError",
    "QuerySyntaxError",
    "QueryTimeoutError",
    "ResourceLimitError",
    "Result",
    "SQLite",
    "SourceError",
    "SourceUnavailableError",
    "TransactionError",
    "connect",
    "metrics_text",
]
__version__ = "0.1.0"
